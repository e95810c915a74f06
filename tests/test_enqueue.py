"""The intake's render job (workers/submit.enqueue_render) is the job RQ's own Queue.enqueue_call
makes, field by field, though it is written without building an RQ Job per document; RQ reads it
back as that job, and a real worker renders the document from it."""

from __future__ import annotations

import zlib

from docx import Document as Docx
from rq import Callback, Queue, Retry
from rq.job import Job

from config.logs import request_id_var
from tests.conftest import example
from workers.submit import RENDER_JOB, enqueue_render, job_id_for

TIMES = ("created_at", "enqueued_at")


def _as_rq_enqueues(queue: Queue, doc_id: str, settings) -> None:
    """The render job as it was queued through RQ's own API (the reference)."""
    queue.enqueue_call(RENDER_JOB, args=(doc_id,), job_id=job_id_for(doc_id), timeout=settings.job_timeout,
                       result_ttl=3600, failure_ttl=settings.record_ttl_days * 86400,
                       retry=Retry(max=settings.retry_max, interval=settings.retry_intervals)
                       if settings.retry_max else None,
                       on_failure=Callback("workers.jobs.on_render_failure"), description=f"render document {doc_id}",
                       meta={"request_id": "req-1"})


def _written(redis, queue: Queue, enqueue) -> tuple[dict[bytes, bytes], list[bytes], set[bytes]]:
    redis.flushdb()
    token = request_id_var.set("req-1")
    try:
        enqueue()
    finally:
        request_id_var.reset(token)
    return redis.hgetall(Job.key_for(job_id_for("d" * 32))), redis.lrange(queue.key, 0, -1), \
        redis.smembers(Queue.redis_queues_keys)


def test_the_render_job_is_the_one_rq_makes_field_by_field(redis, settings):
    settings = settings.model_copy(update={"retry_max": 2, "retry_intervals": [1, 5]})
    queue = Queue(settings.queue, connection=redis)
    doc_id = "d" * 32
    theirs, their_queue, their_queues = _written(redis, queue, lambda: _as_rq_enqueues(queue, doc_id, settings))
    with redis.pipeline(transaction=True) as pipe:
        ours, our_queue, our_queues = _written(
            redis, queue, lambda: (enqueue_render(queue, doc_id, settings, pipeline=pipe), pipe.execute()))
    assert our_queue == their_queue == [job_id_for(doc_id).encode()]
    assert our_queues == their_queues
    assert set(ours) == set(theirs)
    data_ours, data_theirs = zlib.decompress(ours.pop(b"data")), zlib.decompress(theirs.pop(b"data"))
    assert data_ours == data_theirs
    for name in TIMES:
        assert ours.pop(name.encode())[:10] == theirs.pop(name.encode())[:10]  # same day; the times differ
    assert ours == theirs

    job = Job.fetch(job_id_for(doc_id), connection=redis)
    assert (job.func_name, job.args, job.kwargs) == (RENDER_JOB, (doc_id,), {})
    assert (job.timeout, job.result_ttl, job.failure_ttl) == (settings.job_timeout, 3600,
                                                               settings.record_ttl_days * 86400)
    assert (job.retries_left, job.retry_intervals) == (2, [1, 5])
    assert job._failure_callback_name == "workers.jobs.on_render_failure"
    assert job.meta == {"request_id": "req-1"} and job.origin == settings.queue
    assert job.get_status() == "queued" and job.description == f"render document {doc_id}"


def test_without_a_retry_policy_or_request_the_job_has_neither(redis, settings):
    settings = settings.model_copy(update={"retry_max": 0})
    queue = Queue(settings.queue, connection=redis)
    enqueue_render(queue, "e" * 32, settings)
    job = Job.fetch(job_id_for("e" * 32), connection=redis)
    assert job.retries_left is None and job.meta == {}
    assert job.args == ("e" * 32,)


def test_a_posted_document_is_rendered_by_a_real_worker_from_that_job(client, run_worker, redis, settings):
    response = client.post("/api/v1/documents", json=example("pk-jpt"), headers={"X-Request-ID": "intake-req-7"})
    assert response.status_code == 202, response.get_json()
    doc_id = response.get_json()["id"]
    assert Job.fetch(job_id_for(doc_id), connection=redis).meta == {"request_id": "intake-req-7"}
    run_worker()
    record = client.get(f"/api/v1/documents/{doc_id}").get_json()
    assert record["status"] == "finished", record
    import io

    text = "\n".join(p.text for p in Docx(io.BytesIO(client.get(f"/api/v1/documents/{doc_id}/file").data)).paragraphs)
    assert "PERJANJIAN KINERJA" in text.upper()
