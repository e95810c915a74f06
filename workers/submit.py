"""How a document render is put on the queue. Light: imports RQ only, so the web process can use it."""

from __future__ import annotations

from redis import Redis
from redis.client import Pipeline
from rq import Callback, Queue, Retry

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


def enqueue_render(queue: Queue, doc_id: str, settings: Settings, pipeline: Pipeline | None = None) -> None:
    """Queue the render of ``doc_id`` with our retry policy and failure bookkeeping."""
    queue.enqueue_call(
        RENDER_JOB,
        args=(doc_id,),
        job_id=job_id_for(doc_id),
        timeout=settings.job_timeout,
        result_ttl=3600,
        failure_ttl=settings.record_ttl_days * 86400,
        retry=_retry(settings),
        on_failure=Callback("workers.jobs.on_render_failure"),
        description=f"render document {doc_id}",
        meta=job_meta(),
        pipeline=pipeline,
    )


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
