"""Faults an operator meets: Redis gone, disk full, a flood of single documents, a slow template,
a worker killed whole. Each is answered (503 with Retry-After, a refusal naming why) or recovered
within its bound; nothing accepted is lost."""

from __future__ import annotations

import io
import os
import resource
import signal
import subprocess
import sys
import time

import pytest

from config.settings import REPO_ROOT, get_settings
from service.app import create_app
from storage.redis_server import free_port
from storage.templates import TemplateRegistry
from tests.conftest import bearer, example
from tests.docx_reading import patched_docx
from tests.processes import descendants, stop_group, wait_for
from tests.test_worker_crash import _big_pk
from workers.reconcile import SWEEP_LOCK

SHIPPED_PK = (REPO_ROOT / "doctypes" / "pk" / "pk-v1.docx").read_bytes()


def test_redis_unreachable_is_503_with_retry_after_and_readyz_says_why(settings):
    gone = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    client = create_app(gone).test_client()
    started = time.monotonic()
    response = client.post("/api/v1/documents", json=example("pk-jpt"))
    assert response.status_code == 503, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    assert "Redis" in response.get_json()["detail"] and response.get_json()["reason"] == "redis_unreachable"
    assert time.monotonic() - started < 10
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["redis"].startswith("unreachable")


def test_a_nearly_full_disk_refuses_intake_and_accepts_again_when_space_returns(settings):
    full = create_app(settings.model_copy(update={"min_free_mb": 10**12})).test_client()
    response = full.post("/api/v1/documents", json=example("pk-jpt"))
    assert response.status_code == 503 and response.get_json()["reason"] == "disk_full"
    assert "Disk" in response.get_json()["detail"] and response.headers["Retry-After"]
    assert full.post("/api/v1/batches", json={"type": "pk", "items": []}).status_code == 503
    assert full.get("/healthz").status_code == 200  # reading goes on
    roomy = create_app(settings.model_copy(update={"min_free_mb": 1})).test_client()
    assert roomy.post("/api/v1/documents", json=example("pk-jpt")).status_code == 202


def test_past_the_queue_depth_single_documents_are_turned_to_batches(settings):
    client = create_app(settings.model_copy(update={"max_queue_depth": 2})).test_client()
    assert [client.post("/api/v1/documents", json=example("pk-jpt")).status_code for _ in range(2)] == [202, 202]
    refused = client.post("/api/v1/documents", json=example("pk-jpt"))
    assert refused.status_code == 503 and refused.get_json()["reason"] == "queue_full"
    assert "/api/v1/batches" in refused.get_json()["detail"] and int(refused.headers["Retry-After"]) >= 5
    items = [{"ref": "A", "data": example("pk-jpt")["data"]}]
    batch = client.post("/api/v1/batches", json={"type": "pk", "items": items})
    assert batch.status_code == 202  # bulk work still goes in


def _slow_template() -> bytes:
    # Two nested loops of 100,000: 10^10 iterations, which the sandbox allows but no one can wait for.
    loop = b"{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    return patched_docx(SHIPPED_PK, "word/document.xml",
                        lambda xml: xml.replace(b"rangka mewujudkan", b"rangka " + loop + b" mewujudkan", 1))


@pytest.fixture
def short_render_limit(settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_TEMPLATE_RENDER_TIMEOUT", "3")  # read by the worker started next


def test_a_template_whose_sample_render_is_too_slow_is_refused_and_frees_the_worker(
        keyed_settings, short_render_limit, live_worker):
    client = create_app(keyed_settings.model_copy(update={"template_render_timeout": 3})).test_client()
    started = time.monotonic()
    response = client.post("/api/v1/templates/pk/versions", headers=bearer("boss"),
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(_slow_template()), "lambat.docx"), "note": ""})
    assert response.status_code == 422, response.get_json()
    render = next(c for c in response.get_json()["checks"] if c["name"] == "render")
    assert not render["ok"] and "lebih lama dari 3 detik" in render["message"]
    assert time.monotonic() - started < 30
    assert client.post("/api/v1/templates/pk/versions/1/preview", headers=bearer("boss")).status_code == 200


def test_a_template_whose_sample_is_too_large_is_refused(settings):
    from workers.template_checks import check_template

    # 30,000 copies of the opening paragraph's text: little compressed, ~1.8 MB unpacked
    loop = b"{% for i in range(30000) %}Dalam rangka mewujudkan manajemen pemerintahan yang efektif{% endfor %}"
    big = patched_docx(SHIPPED_PK, "word/document.xml",
                       lambda xml: xml.replace(b"rangka mewujudkan", b"rangka " + loop + b" mewujudkan", 1))
    checks = check_template(big, "pk", settings.model_copy(update={"template_max_render_mb": 1}))
    render = next(c for c in checks if c.name == "render")
    assert not render.ok and "lebih dari 1 MB (DOCGEN_TEMPLATE_MAX_RENDER_MB)" in render.message
    assert next(c for c in check_template(big, "pk", settings) if c.name == "render").ok  # 20 MB by default


def test_the_admin_wait_outlasts_the_redis_socket_timeout(keyed_settings):
    # No worker: the web must wait the whole setting (8 s > the 5 s socket timeout), then say so.
    client = create_app(keyed_settings.model_copy(update={"admin_wait_seconds": 8})).test_client()
    started = time.monotonic()
    response = client.post("/api/v1/templates/pk/versions/1/preview", headers=bearer("boss"))
    waited = time.monotonic() - started
    assert response.status_code == 503 and "within 8 s" in response.get_json()["detail"]
    assert 7.5 < waited < 20


@pytest.mark.slow
@pytest.mark.parametrize("where", ["this host", "another host"])
def test_a_whole_dead_worker_s_document_runs_again_within_a_minute(client, settings, redis, where, monkeypatch):
    """Worker and work horse die together (a killed container) and its replacement starts: the job
    is requeued by the replacement's own maintenance (no hand-run clean-up) and, although the dead
    worker held the scheduler lock that retries need, the document finishes within 60 s. A worker of
    this host whose process is gone is known dead at once (default settings); one of another host
    once its heartbeat has been silent for DOCGEN_WORKER_SILENT_AFTER (20 s by default, here 6 s with
    heartbeats and clean-ups every second, so the test waits less), and within 40 s more."""
    silent_after = 6
    if where == "another host":  # read by the workers started next
        for name, value in {"WORKER_SILENT_AFTER": silent_after, "JOB_MONITORING_INTERVAL": 1,
                            "WORKER_MAINTENANCE_INTERVAL": 1, "WORKER_TTL": 16}.items():
            monkeypatch.setenv(f"DOCGEN_{name}", str(value))

    def worker() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "workers"], cwd=REPO_ROOT, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    first = worker()
    # A PDF: the converter's start alone keeps the job running long enough to be cut off mid-way.
    doc_id = client.post("/api/v1/documents", json={**_big_pk(50), "format": "pdf"}).get_json()["id"]
    wait_for(lambda: client.get(f"/api/v1/documents/{doc_id}").get_json()["status"] == "started", timeout=60,
             interval=0.005)
    for pid in [first.pid, *descendants(first.pid)]:  # the horse runs in a session of its own
        os.kill(pid, signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()
    if where == "another host":  # what a worker on another machine looks like: its pid means nothing here
        for key in [*redis.keys("rq:worker:*"), *redis.keys("rq:scheduler:*")]:
            if redis.type(key) == b"hash":
                redis.hset(key, "hostname", "another-host")
    second = worker()
    try:
        record = wait_for(lambda: (r := client.get(f"/api/v1/documents/{doc_id}").get_json())["status"]
                          in ("finished", "failed") and r, timeout=90, interval=0.2)
        recovered_in = time.monotonic() - killed_at
    finally:
        stop_group(second, timeout=30)  # killed if it lingers: left running it would take later tests' jobs
    assert record["status"] == "finished" and record["attempts"] == 2, record
    assert recovered_in < (20 if where == "this host" else silent_after + 40), f"recovered in {recovered_in:.0f} s"


def test_an_item_that_breaks_the_renderer_fails_alone(client, settings, run_bulk_worker):
    # A template that divides by (year - 2031): items of 2031 raise ZeroDivisionError while rendering,
    # after validation; their chunk-mates must finish.
    variant = patched_docx(SHIPPED_PK, "word/document.xml", lambda xml: xml.replace(
        b"rangka mewujudkan", b"rangka {{ 100 // (tahun|int - 2031) }} mewujudkan", 1))
    registry = TemplateRegistry.for_settings(settings)
    version = registry.add_version("pk", variant, uploaded_by="test", note="")
    registry.activate("pk", version.version, activated_by="test")
    data = example("pk-jpt")["data"]
    items = [{"ref": "A", "data": data}, {"ref": "B", "data": {**data, "tahun": 2031, "tanggal": "2031-01-02"}},
             {"ref": "C", "data": data}]
    batch_id = client.post("/api/v1/batches", json={"type": "pk", "items": items}).get_json()["id"]
    run_bulk_worker()
    status = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (status["finished"], status["failed"]) == (2, 1), status
    (failed,) = client.get(f"/api/v1/batches/{batch_id}/errors").get_json()["failed"]
    assert failed["ref"] == "B" and "ZeroDivisionError" in failed["error"]


@pytest.fixture
def small_disk(settings):
    """The data folder on a 20 MB tmpfs of its own (the suite runs as root), unmounted afterwards."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(settings.data_dir)], check=True)
    try:
        yield settings.data_dir
    finally:
        subprocess.run(["umount", "-l", str(settings.data_dir)], check=True)


def _fill(folder) -> None:
    with open(folder / "filler", "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass


@pytest.fixture
def reconcile_at_once(settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_RECONCILE_AFTER", "0")  # read by the workers run next
    get_settings.cache_clear()


@pytest.mark.slow
def test_a_full_disk_refuses_intake_and_loses_nothing_accepted(settings, small_disk, reconcile_at_once, run_worker,
                                                            redis):
    """The data folder fills up (documents and the SQLite database on it): intake says so, accepted
    documents can be neither made nor marked failed, and once space returns the workers' periodic
    check queues them again and they finish, without a restart."""
    client = create_app(settings.model_copy(update={"min_free_mb": 1})).test_client()
    accepted = [client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"] for _ in range(2)]
    _fill(small_disk)
    refused = client.post("/api/v1/documents", json=example("pk-jpt"))
    assert refused.status_code == 503 and refused.get_json()["reason"] == "disk_full"
    run_worker()
    assert {client.get(f"/api/v1/documents/{i}").get_json()["status"] for i in accepted} <= {"queued", "started"}

    (small_disk / "filler").unlink()  # space returns: intake and rendering go on by themselves
    accepted.append(client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"])
    wait_for(lambda: not redis.exists(SWEEP_LOCK), timeout=10)  # the periodic check's next turn
    run_worker()
    records = [client.get(f"/api/v1/documents/{doc_id}").get_json() for doc_id in accepted]
    assert [r["status"] for r in records] == ["finished"] * 3, records


def _workbook_with_part(name: str, content: bytes) -> bytes:
    """The handed-out PK workbook with one part replaced (a worksheet, say)."""
    from doctypes.pk.workbook import PK_WORKBOOK
    from sakip.workbook import template_workbook

    return patched_docx(template_workbook(PK_WORKBOOK), name, lambda _: content)  # any ZIP part, not only .docx


def _upload_workbook(client, content: bytes):
    return client.post("/api/v1/batches", data={"file": (io.BytesIO(content), "pk.xlsx"), "type": "pk"},
                       content_type="multipart/form-data")


def test_a_million_row_workbook_is_refused_in_seconds_without_parsing_it(client):
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>R</t></is></c></row>' % (n, n)
                    for n in range(2, 1_000_002))
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + rows + \
        b"</sheetData></worksheet>"
    workbook = _workbook_with_part("xl/worksheets/sheet3.xml", sheet)
    assert len(workbook) < 20 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    response = _upload_workbook(client, workbook)
    assert response.status_code == 413, response.get_json()
    assert "200000 baris" in response.get_json()["detail"]
    assert time.monotonic() - started < 10
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, f"the web process grew by {grown_mb:.0f} MB"


def test_a_workbook_that_unpacks_to_gigabytes_is_refused_before_unpacking(client):
    bomb = _workbook_with_part("xl/worksheets/sheet3.xml", b" " * (150 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024
    response = _upload_workbook(client, bomb)
    assert response.status_code == 413 and "MB" in response.get_json()["detail"]
    assert response.get_json()["errors"][0]["loc"] == "file"
