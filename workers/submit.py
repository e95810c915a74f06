"""How a document render is put on the queue. Light: imports RQ only, so the web process can use it."""

from __future__ import annotations

import functools
import zlib
from typing import Any

from redis import Redis
from redis.client import Pipeline
from rq import Callback, Queue, Retry
from rq.job import Job, JobStatus
from rq.utils import now, utcformat

from config.logs import job_meta
from config.settings import Settings

__all__ = ["CALLBACK_JOB", "CHUNK_JOB", "RENDER_JOB", "enqueue_callback", "enqueue_chunks", "enqueue_render",
           "job_id_for"]

RENDER_JOB = "workers.jobs.render_document"
"""The job function, by name: the web process never imports the renderer."""


def job_id_for(doc_id: str) -> str:
    """One RQ job per document: re-enqueueing the same document reuses the id."""
    return f"render-{doc_id}"


def _retry(settings: Settings) -> Retry | None:
    """Our retry policy for transient failures (a crashed horse, LibreOffice, a time-out)."""
    return Retry(max=settings.retry_max, interval=settings.retry_intervals) if settings.retry_max else None


_PER_JOB = frozenset({"data", "description", "created_at", "enqueued_at", "meta"})
"""The fields of a render job's hash that differ from one document to the next."""


@functools.lru_cache(maxsize=16)
def _render_fields(queue_name: str, serializer: Any, job_timeout: int, retry_max: int,
                   retry_intervals: tuple[int, ...], failure_ttl: int) -> dict[str, Any]:
    """The fields every render job's hash has alike, as RQ's own Job.to_dict writes them for a job
    enqueued on ``queue_name`` (made once per process and policy, by RQ)."""
    queue = Queue(queue_name, connection=Redis(), serializer=serializer)  # never connects: nothing is sent
    job = queue.create_job(RENDER_JOB, args=("",), job_id=job_id_for(""), timeout=job_timeout, result_ttl=3600,
                           failure_ttl=failure_ttl,
                           retry=Retry(max=retry_max, interval=list(retry_intervals)) if retry_max else None,
                           on_failure=Callback("workers.jobs.on_render_failure"), description="", meta={})
    job.origin = queue.name
    job._status = JobStatus.QUEUED  # what Queue._prepare_for_queue sets before saving
    return {name: value for name, value in job.to_dict().items() if name not in _PER_JOB}


def _compressed(data: bytes) -> bytes:
    # A zlib stream, as RQ's Job.to_dict stores job data (zlib.decompress reads it back): the
    # small window and memory level make it ~5 us instead of zlib.compress's ~30-80 us, whose
    # default state (256 kB) is allocated and cleared per call; the bytes are as short (76 here).
    compressor = zlib.compressobj(6, zlib.DEFLATED, 9, 1)
    return compressor.compress(data) + compressor.flush()


def enqueue_render(queue: Queue, doc_id: str, settings: Settings, pipeline: Pipeline | None = None) -> None:
    """Queue the render of ``doc_id`` with our retry policy and failure bookkeeping.

    What RQ's ``Queue.enqueue_call`` writes, without building a Job per document (its Job, to_dict
    and pickling cost ~0.15 ms of the intake's POST): the job's hash with the fields RQ wrote once
    for this policy plus this document's (its data, description, times, meta), then the queue's push,
    the same commands RQ sends (its separate ``HSET status`` folded into the hash's one HSET).
    tests/test_enqueue.py holds this to RQ's own enqueue, field by field, and runs the job."""
    fields = _render_fields(queue.name, queue.serializer, settings.job_timeout, settings.retry_max,
                            tuple(settings.retry_intervals), settings.record_ttl_days * 86400)
    job_id = job_id_for(doc_id)
    stamp = utcformat(now())
    mapping = {**fields, "data": _compressed(queue.serializer.dumps((RENDER_JOB, None, (doc_id,), {}))),
               "description": f"render document {doc_id}", "created_at": stamp, "enqueued_at": stamp}
    if meta := job_meta():
        mapping["meta"] = queue.serializer.dumps(meta)
    pipe = pipeline if pipeline is not None else queue.connection.pipeline()
    pipe.sadd(Queue.redis_queues_keys, queue.key)
    pipe.hset(Job.key_for(job_id), mapping=mapping)
    pipe.rpush(queue.key, job_id)
    if pipeline is None:
        pipe.execute()


CHUNK_JOB = "workers.batch_jobs.render_chunk"
"""The batch chunk job, by name."""


def enqueue_chunks(queue: Queue, batch_id: str, chunks: int, settings: Settings, pipeline: Pipeline) -> None:
    """Queue every chunk of a batch on the bulk queue, in the caller's transaction."""
    for number in range(chunks):
        queue.enqueue_call(
            CHUNK_JOB,
            args=(batch_id, number),
            job_id=f"batch-{batch_id}-{number}",
            timeout=settings.job_timeout * 10,
            result_ttl=3600,
            failure_ttl=settings.record_ttl_days * 86400,
            retry=_retry(settings),
            on_failure=Callback("workers.batch_jobs.on_chunk_failure"),
            description=f"batch {batch_id} chunk {number}",
            meta=job_meta(),
            pipeline=pipeline,
        )


CALLBACK_JOB = "workers.callbacks.deliver_callback"
"""The callback delivery job, by name."""


def enqueue_callback(connection: Redis, doc_id: str, settings: Settings) -> None:
    """Queue the delivery of the document's event on the callback queue, with backoff retries."""
    intervals = settings.callback_retry_intervals
    Queue(settings.callback_queue, connection=connection).enqueue_call(
        CALLBACK_JOB, args=(doc_id,), timeout=settings.callback_timeout * 3, result_ttl=3600,
        failure_ttl=settings.record_ttl_days * 86400, description=f"callback for document {doc_id}", meta=job_meta(),
        retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
    )
