"""At-least-once: a work horse killed with SIGKILL mid-render is retried and the document finishes
(a forking worker, DOCGEN_WORKER_FORK=true); a whole dead worker's job (either kind) is run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from rq.registry import StartedJobRegistry

from config.settings import REPO_ROOT
from storage.records import RecordStore
from tests.conftest import example
from tests.docx_reading import open_docx, rows, table_with_header
from tests.processes import wait_for


def _big_pk(objectives: int = 250) -> dict:
    body = example("pk-jpt")
    body["data"]["sasaran"] = [
        {"uraian": f"Sasaran {n}", "indikator": [
            {"uraian": f"Indikator {n}.{i}", "satuan": "%", "target": 50 + i} for i in range(1, 5)]}
        for n in range(1, objectives + 1)
    ]
    return body


def _start_worker() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "workers"], cwd=REPO_ROOT,
                            env=dict(os.environ, DOCGEN_WORKER_FORK="true"),  # a horse to kill
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_first_attempt(records: RecordStore, doc_id: str) -> None:
    pid = wait_for(lambda: (r := records.get(doc_id)) and r.status == "started" and r.pid, timeout=60,
                   interval=0.005)
    os.kill(int(pid), signal.SIGKILL)


@pytest.mark.slow
def test_killed_work_horse_is_retried_and_the_document_finishes(client, records):
    worker = _start_worker()
    try:
        doc_id = client.post("/api/v1/documents", json=_big_pk()).get_json()["id"]
        _kill_first_attempt(records, doc_id)
        record = wait_for(lambda: (r := client.get(f"/api/v1/documents/{doc_id}").get_json())["status"]
                           in ("finished", "failed") and r, timeout=120, interval=0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert record["status"] == "finished", record
    assert record["attempts"] == 2
    doc = open_docx(client.get(f"/api/v1/documents/{doc_id}/file").data)
    performance = rows(table_with_header(doc, ["No", "Sasaran"]))
    assert len(performance) == 2 + 250 * 4
    assert performance[-1] == ["250", "Sasaran 250", "Indikator 250.4", "%", "54"]


@pytest.mark.slow
def test_without_retries_left_a_killed_render_ends_failed_with_a_reason(client, records, monkeypatch):
    monkeypatch.setenv("DOCGEN_RETRY_MAX", "0")
    worker = _start_worker()
    try:
        # the web side enqueues with its own settings: rebuild them without retries
        from config.settings import Settings
        from service.app import create_app

        no_retry_client = create_app(Settings()).test_client()
        doc_id = no_retry_client.post("/api/v1/documents", json=_big_pk()).get_json()["id"]
        _kill_first_attempt(records, doc_id)
        record = wait_for(lambda: (r := client.get(f"/api/v1/documents/{doc_id}").get_json())["status"]
                           in ("finished", "failed") and r, timeout=60, interval=0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert record["status"] == "failed"
    assert record["error"] == "the worker process rendering the document died"
    assert client.get(f"/api/v1/documents/{doc_id}/file").status_code == 409


@pytest.mark.slow
def test_a_whole_dead_worker_is_recovered_by_the_next_workers_maintenance(client, redis, records, settings,
                                                                          run_worker):
    """Worker and work horse die together (a killed container): nothing reports the job, so it
    stays 'started' until its heartbeat expires; the next worker's maintenance requeues it."""
    worker = subprocess.Popen([sys.executable, "-m", "workers"], cwd=REPO_ROOT, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    doc_id = client.post("/api/v1/documents", json=_big_pk()).get_json()["id"]
    wait_for(lambda: records.get(doc_id).status == "started", timeout=60, interval=0.005)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    registry = StartedJobRegistry(settings.queue, connection=redis)
    assert registry.get_job_ids() != []
    # What a worker's maintenance runs every DOCGEN_WORKER_MAINTENANCE_INTERVAL, at a time past
    # the dead worker's last heartbeat (instead of waiting out the ~90 s).
    registry.cleanup(timestamp=time.time() + 3600)
    assert client.get(f"/api/v1/documents/{doc_id}").get_json()["status"] == "queued"
    run_worker()
    record = client.get(f"/api/v1/documents/{doc_id}").get_json()
    assert record["status"] == "finished" and record["attempts"] == 2
    performance = rows(table_with_header(open_docx(client.get(f"/api/v1/documents/{doc_id}/file").data),
                                         ["No", "Sasaran"]))
    assert len(performance) == 2 + 250 * 4
