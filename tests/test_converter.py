"""The warm converter under trouble: LibreOffice killed mid-conversion, stuck, recycled, missing;
and a worker's SIGTERM leaves no LibreOffice behind. Real worker processes, real LibreOffice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import REPO_ROOT, get_settings
from sakip.envelope import parse_document_request
from storage.templates import TemplateRegistry
from tests.conftest import example
from tests.processes import wait_for
from workers.convert import converter_state_dir, warm_converter
from workers.converter import HostState, host_states, stop_converters
from workers.render import render_prepared


@pytest.fixture(autouse=True)
def _stop_converters(settings) -> Iterator[None]:
    yield
    stop_converters(converter_state_dir(settings.data_dir))


def _alive(pid: int | None) -> bool:
    """Running (a zombie counts as gone: it holds no resources, only its pid)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, TypeError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _pdf_body(objectives: int = 1) -> dict:
    body = example("pk-jpt")
    body["format"] = "pdf"
    if objectives > 1:
        body["data"]["sasaran"] = [
            {"uraian": f"Sasaran {n}", "indikator": [
                {"uraian": f"Indikator {n}.{i}", "satuan": "%", "target": 50 + i} for i in range(1, 5)]}
            for n in range(1, objectives + 1)]
    return body


def _start_worker() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "workers"], cwd=REPO_ROOT, env=dict(os.environ),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _finished(client, doc_id: str, timeout: float = 120) -> dict:
    return wait_for(lambda: (r := client.get(f"/api/v1/documents/{doc_id}").get_json())["status"]
                     in ("finished", "failed") and r, timeout=timeout, interval=0.1)


def _host(settings, worker: subprocess.Popen) -> HostState:
    states = [s for s in host_states(converter_state_dir(settings.data_dir)) if s.owner == worker.pid]
    assert len(states) == 1, states
    return states[0]


def _docx(name: str = "pk-jpt") -> bytes:
    template = TemplateRegistry(REPO_ROOT / "doctypes").get("pk")
    valid = parse_document_request(example(name))
    return render_prepared(template.content, template.sha256, valid.doctype.context(valid.data))


@pytest.mark.slow
def test_libreoffice_killed_mid_conversion_and_the_document_still_finishes(client, settings):
    worker = _start_worker()
    try:
        warm_up = client.post("/api/v1/documents", json=_pdf_body()).get_json()["id"]
        assert _finished(client, warm_up)["status"] == "finished"
        before = _host(settings, worker)
        assert _alive(before.soffice_pid)
        doc_id = client.post("/api/v1/documents", json=_pdf_body(objectives=200)).get_json()["id"]
        wait_for(lambda: client.get(f"/api/v1/documents/{doc_id}").get_json()["status"] == "started", 60, 0.01)
        time.sleep(0.5)  # rendering is done in ~0.1 s; LibreOffice takes seconds over 800 rows
        os.kill(before.soffice_pid, signal.SIGKILL)
        record = _finished(client, doc_id)
        assert record["status"] == "finished", record
        assert record["attempts"] == 1  # the converter restarted LibreOffice and retried within the job
        after = _host(settings, worker)
        assert after.pid == before.pid and after.restarts >= 1
        assert after.soffice_pid != before.soffice_pid and not _alive(before.soffice_pid)
        pdf = client.get(f"/api/v1/documents/{doc_id}/file")
        assert pdf.data.startswith(b"%PDF-")
        # SIGTERM to the worker: its converter host and LibreOffice go with it
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        wait_for(lambda: not _alive(after.pid) and not _alive(after.soffice_pid), timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


@pytest.mark.slow
def test_stuck_libreoffice_is_killed_at_the_timeout_and_the_document_finishes(client, settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_CONVERT_TIMEOUT", "3")
    worker = _start_worker()
    try:
        warm_up = client.post("/api/v1/documents", json=_pdf_body()).get_json()["id"]
        assert _finished(client, warm_up)["status"] == "finished"
        stuck = _host(settings, worker)
        os.kill(stuck.soffice_pid, signal.SIGSTOP)  # hangs like a LibreOffice caught in a loop
        started = time.monotonic()
        doc_id = client.post("/api/v1/documents", json=_pdf_body()).get_json()["id"]
        record = _finished(client, doc_id)
        assert record["status"] == "finished", record
        assert record["attempts"] == 2  # the timed-out attempt failed, the retry converted
        assert time.monotonic() - started < 30
        assert not _alive(stuck.soffice_pid)
        assert _host(settings, worker).restarts >= 1
    finally:
        _stop(worker)


def _stop(worker: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if the worker is still there 30 s later: a worker left running would take
    the jobs of the tests after this one from the shared Redis."""
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
        raise AssertionError("the worker did not stop within 30 s of SIGTERM") from None


@pytest.mark.slow
def test_libreoffice_is_recycled_after_n_conversions(settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_CONVERTER_RECYCLE_AFTER", "2")
    get_settings.cache_clear()
    converter = warm_converter(get_settings())
    docx = _docx()
    pids = []
    for _ in range(5):
        assert converter.convert(docx).startswith(b"%PDF-")
        state = converter.state()
        assert state is not None
        pids.append(state.soffice_pid)
    # conversions 1-2, 3-4 and 5 each on a fresh LibreOffice; the old ones are gone, not zombies
    assert len(set(pids)) == 3 and pids[0] == pids[1] and pids[2] == pids[3]
    # SIGKILL is delivered at once, but the kernel takes a moment to end a process: allow it that.
    assert wait_for(lambda: not _alive(pids[0]) and not _alive(pids[2]), timeout=5)
    converter.stop()
    assert wait_for(lambda: not _alive(pids[4]), timeout=5) and converter.state() is None


def test_a_pdf_request_fails_clearly_where_libreoffice_is_missing(client, run_worker, monkeypatch):
    monkeypatch.setenv("DOCGEN_SOFFICE", "/nonexistent/soffice")
    get_settings.cache_clear()
    doc_id = client.post("/api/v1/documents", json=_pdf_body()).get_json()["id"]
    run_worker()
    record = client.get(f"/api/v1/documents/{doc_id}").get_json()
    assert record["status"] == "failed"
    assert record["error"] == ("PDF output needs LibreOffice ('/nonexistent/soffice'), "
                               "which is not installed on this worker")
    assert record["attempts"] == 1  # not retried: retrying can't install LibreOffice


@pytest.mark.slow
def test_a_relative_data_folder_still_converts(settings, monkeypatch, tmp_path):
    """`make run` with the default DOCGEN_DATA_DIR=var: a relative folder LibreOffice must not see."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOCGEN_DATA_DIR", "relative-var")
    get_settings.cache_clear()
    relative = get_settings()
    assert relative.data_dir == tmp_path / "relative-var"
    try:
        assert warm_converter(relative).convert(_docx()).startswith(b"%PDF-")
    finally:
        stop_converters(converter_state_dir(relative.data_dir))


@pytest.mark.slow
def test_the_converter_keeps_its_state_lock_and_profile_on_this_host_not_on_the_data_volume(settings):
    """Scaled worker containers share the data volume and can share pids: nothing of a converter
    may live there, or two containers would share one lock and one LibreOffice profile."""
    converter = warm_converter(settings)
    assert converter.convert(_docx()).startswith(b"%PDF-")
    state_dir = converter_state_dir(settings.data_dir)
    assert converter.state_path.parent == state_dir
    assert socket.gethostname() in str(state_dir)
    assert not state_dir.is_relative_to(settings.data_dir)
    names = {path.name for path in state_dir.iterdir()}
    assert {f"converter-{os.getpid()}.json", f"converter-{os.getpid()}.lock", f"profile-{os.getpid()}"} <= names
    assert not (settings.data_dir / "libreoffice").exists()
    # another deployment on the same host (another data folder) has converters of its own
    assert converter_state_dir(settings.data_dir.parent / "other") != state_dir
    converter.stop()
