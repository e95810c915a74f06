"""The single-document worker's default mode (DOCGEN_WORKER_FORK=false): jobs run in the worker's own
process, no horse forked per job, and the job's heartbeat is kept up while it runs, so a worker that
dies mid-job is recognised as fast as a forking one (tests/test_resilience.py kills one)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from rq import Queue, Worker
from rq.job import Job
from rq.registry import StartedJobRegistry

from config.settings import REPO_ROOT
from tests.conftest import example
from tests.docx_reading import open_docx
from tests.processes import stop_group, wait_for
from tests.test_worker_crash import _big_pk


def _worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "workers"], cwd=REPO_ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_documents_are_rendered_in_the_worker_s_own_process(client, records):
    body = example("pk-jpt")
    body["data"]["instansi"]["nama"] = "Dinas Kebudayaan & Pariwisata <Sumut>"
    ids = [client.post("/api/v1/documents", json=body).get_json()["id"] for _ in range(3)]
    worker = _worker()
    try:
        ended = wait_for(lambda: (rs := [records.get(i) for i in ids])
                         and all(r.status in ("finished", "failed") for r in rs) and rs, timeout=120, interval=0.1)
    finally:
        stop_group(worker)
    assert [r.status for r in ended] == ["finished"] * 3
    assert {r.pid for r in ended} == {worker.pid}  # no horse: every job ran in the worker itself
    text = "\n".join(p.text for p in open_docx(client.get(f"/api/v1/documents/{ids[0]}/file").data).paragraphs)
    assert "DINAS KEBUDAYAAN & PARIWISATA <SUMUT>" in text.upper()


@pytest.mark.slow
def test_a_running_job_s_heartbeat_is_kept_up_and_ends_with_it(client, records, settings, redis, monkeypatch):
    monkeypatch.setenv("DOCGEN_JOB_MONITORING_INTERVAL", "1")  # read by the worker started next
    worker = _worker()
    try:
        # A long PDF: the converter's start and 1,000 rows keep the job running for seconds.
        doc_id = client.post("/api/v1/documents", json={**_big_pk(250), "format": "pdf"}).get_json()["id"]
        registry = StartedJobRegistry(settings.queue, connection=redis)

        def expiry() -> float | None:
            scores = redis.zrange(registry.key, 0, -1, withscores=True)
            return scores[0][1] if scores else None

        first = wait_for(lambda: records.get(doc_id).status == "started" and expiry(), timeout=60,
                         interval=0.005)
        started_at = time.monotonic()
        # a beat moves the expiry on while the job still runs (RQ's SimpleWorker never would)
        wait_for(lambda: (e := expiry()) is not None and e > first and records.get(doc_id).status == "started",
                 timeout=30, interval=0.05)
        assert time.monotonic() - started_at < 30
        record = wait_for(lambda: (r := records.get(doc_id)).status in ("finished", "failed") and r, timeout=180,
                          interval=0.1)
        assert record.status == "finished", record
        assert record.attempts == 1
        # no beat after the end: once the worker is idle again its beating thread has been joined,
        # and the finished execution was not put back among the started ones
        wait_for(lambda: [w.get_state() for w in Worker.all(connection=redis)] == ["idle"], timeout=30)
        assert redis.zcard(registry.key) == 0
    finally:
        stop_group(worker)
    assert client.get(f"/api/v1/documents/{doc_id}/file?format=pdf").data.startswith(b"%PDF")


def test_what_the_worker_leaves_behind_is_rq_s_usual_bookkeeping(client, records, settings, redis, monkeypatch):
    """The in-process worker sends RQ's bookkeeping in fewer round trips (bench/README.md, issue 17):
    what an operator reads afterwards is as RQ leaves it: each job in the finished registry with its
    result, none still started, the worker idle, every job and render counted in /metrics, and `rq
    suspend` still holding the worker off the queue."""
    from rq.registry import FinishedJobRegistry
    from rq.suspension import resume, suspend

    from tests.test_observability import _scrape, _value

    ids = [client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"] for _ in range(4)]
    monkeypatch.setenv("DOCGEN_WORKER_TTL", "16")  # an idle worker's dequeue blocks 1 s between looks
    worker = _worker()
    try:
        ended = wait_for(lambda: (rs := [records.get(i) for i in ids])
                         and all(r.status in ("finished", "failed") for r in rs) and rs, timeout=120, interval=0.1)
        assert [r.status for r in ended] == ["finished"] * 4
        assert [r.attempts for r in ended] == [1] * 4
        wait_for(lambda: [w.get_state() for w in Worker.all(connection=redis)] == ["idle"], timeout=30)
        finished = FinishedJobRegistry(settings.queue, connection=redis)
        assert sorted(finished.get_job_ids()) == sorted(f"render-{i}" for i in ids)
        assert StartedJobRegistry(settings.queue, connection=redis).count == 0
        job = Job.fetch(f"render-{ids[0]}", connection=redis)
        assert job.get_status() == "finished"
        assert job.return_value()["status"] == "finished"
        scraped = _scrape(client)
        assert _value(scraped, "docgen_jobs_total", queue="documents", outcome="finished") == 4
        assert _value(scraped, "docgen_render_seconds_count") == 4

        # `rq suspend`: the job taken by the dequeue already waiting is the last until `rq resume`
        suspend(redis)
        try:
            last = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"]
            wait_for(lambda: records.get(last).status == "finished", timeout=60, interval=0.1)
            wait_for(lambda: [w.get_state() for w in Worker.all(connection=redis)] == ["suspended"], timeout=30)
            held = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"]
            assert Queue(settings.queue, connection=redis).count == 1
            assert records.get(held).status == "queued"
        finally:
            resume(redis)  # the session's Redis serves the tests after this one
        record = wait_for(lambda: (r := records.get(held)).status in ("finished", "failed") and r, timeout=60,
                          interval=0.1)
        assert record.status == "finished"
    finally:
        stop_group(worker)
