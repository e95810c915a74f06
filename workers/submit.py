"""How a document render is put on the queue. Light: imports RQ only, so the web process can use it."""

from __future__ import annotations

from redis.client import Pipeline
from rq import Callback, Queue, Retry

from config.settings import Settings

__all__ = ["RENDER_JOB", "enqueue_render", "job_id_for"]

RENDER_JOB = "workers.jobs.render_document"
"""The job function, by name: the web process never imports the renderer."""


def job_id_for(doc_id: str) -> str:
    """One RQ job per document: re-enqueueing the same document reuses the id."""
    return f"render-{doc_id}"


def enqueue_render(queue: Queue, doc_id: str, settings: Settings, pipeline: Pipeline | None = None) -> None:
    """Queue the render of ``doc_id`` with our retry policy and failure bookkeeping."""
    retry = Retry(max=settings.retry_max, interval=settings.retry_intervals) if settings.retry_max else None
    queue.enqueue_call(
        RENDER_JOB,
        args=(doc_id,),
        job_id=job_id_for(doc_id),
        timeout=settings.job_timeout,
        result_ttl=3600,
        failure_ttl=settings.record_ttl_days * 86400,
        retry=retry,
        on_failure=Callback("workers.jobs.on_render_failure"),
        description=f"render document {doc_id}",
        pipeline=pipeline,
    )
