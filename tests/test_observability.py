"""Metrics and logs as an operator reads them: /metrics scraped and parsed (prometheus-client's own
parser) after a document, a batch and a failure; a request id followed from the answer to the
worker's JSON log lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from config.settings import REPO_ROOT, get_settings
from tests.conftest import example
from tests.processes import stop_group, wait_for


def _scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True)) for s in family.samples}


def _value(scraped, name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_after_a_document_a_batch_and_a_failure(client, run_worker, run_bulk_worker, monkeypatch):
    queued = client.post("/api/v1/documents", json=example("pk-jpt"))
    assert queued.status_code == 202
    scraped = _scrape(client)
    assert _value(scraped, "docgen_queue_depth", queue="documents") == 1
    assert _value(scraped, "docgen_queue_oldest_job_age_seconds", queue="documents") >= 0
    run_worker()
    assert client.get(f"/api/v1/documents/{queued.get_json()['id']}").get_json()["status"] == "finished"
    assert client.get("/api/v1/documents/no-such-id").status_code == 404

    bad = json.loads(json.dumps(example("pk-jpt")["data"]))
    bad["pihak_pertama"]["nip"] = "123"
    batch = client.post("/api/v1/batches", json={"type": "pk", "items": [
        {"ref": "ok", "data": example("pk-jpt")["data"]}, {"ref": "bad", "data": bad}]})
    assert batch.status_code == 202
    run_bulk_worker()

    monkeypatch.setenv("DOCGEN_SOFFICE", "/nonexistent/soffice")  # the PDF can't be made: a failed job
    get_settings.cache_clear()
    failing = client.post("/api/v1/documents", json={**example("pk-jpt"), "format": "pdf"})
    run_worker()
    assert client.get(f"/api/v1/documents/{failing.get_json()['id']}").get_json()["status"] == "failed"

    scraped = _scrape(client)
    assert _value(scraped, "docgen_jobs_total", queue="documents", outcome="finished") == 1
    assert _value(scraped, "docgen_jobs_total", queue="documents", outcome="failed") == 1
    assert _value(scraped, "docgen_jobs_total", queue="bulk", outcome="finished") == 2  # the chunk and the archive
    assert _value(scraped, "docgen_batch_items_total", status="finished") == 1
    assert _value(scraped, "docgen_batch_items_total", status="failed") == 1
    assert _value(scraped, "docgen_http_requests_total", route="/api/v1/documents", method="POST", status="202") == 2
    assert _value(scraped, "docgen_http_requests_total", route="/api/v1/documents/<doc_id>", method="GET",
                  status="404") == 1
    assert _value(scraped, "docgen_http_requests_total", route="/api/v1/batches", method="POST", status="202") == 1
    assert _value(scraped, "docgen_render_seconds_count") == 3  # the document, the batch's good item, the failure's
    assert _value(scraped, "docgen_render_seconds_bucket", le="+Inf") == 3
    assert 0 < _value(scraped, "docgen_render_seconds_sum") < 60
    assert _value(scraped, "docgen_queue_depth", queue="documents") == 0
    assert _value(scraped, "docgen_queue_oldest_job_age_seconds", queue="documents") == 0
    assert ("docgen_conversion_seconds_count", ()) in scraped


def test_callbacks_are_counted_by_outcome(client, redis):
    from storage.metrics import count

    count(redis, "callbacks", outcome="delivered")
    count(redis, "callbacks", outcome="delivered")
    count(redis, "callbacks", outcome="refused")
    scraped = _scrape(client)
    assert _value(scraped, "docgen_callbacks_total", outcome="delivered") == 2
    assert _value(scraped, "docgen_callbacks_total", outcome="refused") == 1


@pytest.mark.parametrize(("sent", "kept"), [("trace-0001", True), ("two words", False), ("x" * 200, False)])
def test_the_request_id_is_taken_or_made_and_returned(client, sent, kept):
    answered = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert (answered == sent) is kept
    if not kept:
        assert len(answered) == 32 and int(answered, 16) >= 0
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32


@pytest.fixture
def logged_worker(settings, tmp_path: Path):
    """A real `python -m workers` process whose JSON log goes to a file."""
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "workers"], cwd=REPO_ROOT, start_new_session=True,
                                   stdout=log_file, stderr=subprocess.STDOUT)
    try:
        yield log_path
    finally:
        stop_group(process)


def _json_lines(path: Path) -> list[dict]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            pass
    return lines


def test_a_request_id_is_followed_from_the_answer_to_the_worker_log(client, logged_worker):
    response = client.post("/api/v1/documents", json=example("pk-jpt"), headers={"X-Request-ID": "pk-trace-42"})
    assert response.status_code == 202 and response.headers["X-Request-ID"] == "pk-trace-42"
    doc_id = response.get_json()["id"]
    wait_for(lambda: client.get(f"/api/v1/documents/{doc_id}").get_json()["status"] == "finished", timeout=90)
    lines = wait_for(lambda: [line for line in _json_lines(logged_worker) if line.get("request_id") == "pk-trace-42"
                              and doc_id in line["message"]] or None, timeout=30)
    assert any(line["message"].startswith(f"rendering {doc_id}") for line in lines)
    assert all(line["job_id"] == f"render-{doc_id}" and line["level"] and line["time"] for line in lines)
    assert all({"time", "level", "logger", "message"} <= set(line) for line in _json_lines(logged_worker))
