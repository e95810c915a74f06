"""Reconcile the queue with the database: what was accepted and has not ended is queued again.

Redis is the queue and short-lived state only; the database is the system of record. When Redis
was lost (flushed, or a new empty one), single documents still queued or started have no job,
and running batches have neither their chunks nor their jobs: both are put back from the
database. A marker key tells a Redis that was reconciled (or has been in use since) from a new
empty one, so each worker checks at start and only the first after a loss does the work.
Light: imports RQ and the stores, not the renderer.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field

from redis import Redis
from rq import Queue
from rq.job import Job

from config.settings import Settings
from storage.batches import BatchStore
from storage.database import database_for
from storage.records import DocumentStatus, RecordStore
from workers.submit import enqueue_chunks, enqueue_render, job_id_for

__all__ = ["MARKER", "Reconciled", "reconcile", "reconcile_if_redis_was_lost", "requeue_stranded"]

log = logging.getLogger(__name__)

MARKER = "docgen:reconciled"
"""Set (without expiry) once Redis holds the queue the database expects; absent in a new Redis."""
LOCK = "docgen:reconcile:lock"
"""Held while one process reconciles, so workers starting together don't all do it."""
SWEEP_LOCK = "docgen:reconcile:sweep"
"""Held for SWEEP_EVERY seconds by the worker that last looked for stranded documents."""
SWEEP_EVERY = 30
"""Seconds between two looks for documents whose job can never run."""


@dataclass
class Reconciled:
    """What a reconcile queued again."""

    documents: list[str] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)


def reconcile(connection: Redis, settings: Settings) -> Reconciled:
    """Queue again every single document accepted and not ended whose job Redis doesn't have,
    and every running batch Redis doesn't know; then mark Redis as reconciled."""
    database = database_for(settings.database_url)
    records = RecordStore(connection, settings.record_ttl_days * 86400, database)
    batches = BatchStore(connection, settings.record_ttl_days * 86400, database)
    done = Reconciled()
    queue = Queue(settings.queue, connection=connection)
    for document in records.in_flight():
        if Job.exists(job_id_for(document.id), connection=connection):
            continue
        if document.status == DocumentStatus.STARTED.value:
            records.mark_retrying(document.id, "the queue was lost while it was being made; queued again")
        enqueue_render(queue, document.id, settings)
        done.documents.append(document.id)
    bulk = Queue(settings.bulk_queue, connection=connection)
    for batch in batches.running():
        if connection.exists(batches.key(batch.id)):
            continue
        with connection.pipeline(transaction=True) as pipe:
            pipe.multi()
            chunks = batches.restore(batch.id, pipe)
            enqueue_chunks(bulk, batch.id, chunks, settings, pipeline=pipe)
            pipe.execute()
        done.batches.append(batch.id)
    connection.set(MARKER, "1")
    if done.documents or done.batches:
        log.warning("reconciled from the database: %s documents and %s batches queued again",
                    len(done.documents), len(done.batches))
    return done


def _parked(connection: Redis, queue: Queue, doc_ids: list[str]) -> list[str]:
    """Of ``doc_ids``, those whose render job can never run: missing, ended (failed, stopped,
    cancelled, or finished while the record says otherwise), or queued/scheduled in no list that a
    worker reads (a crash between two writes, a full disk)."""
    with connection.pipeline(transaction=False) as pipe:
        for doc_id in doc_ids:
            pipe.hget(f"rq:job:{job_id_for(doc_id)}", "status")
        statuses = pipe.execute()
    waiting = {entry.decode() for entry in connection.lrange(queue.key, 0, -1)}
    waiting |= {entry.decode() for entry in connection.lrange(queue.intermediate_queue.key, 0, -1)}
    scheduled = {entry.decode() for entry in connection.zrange(queue.scheduled_job_registry.key, 0, -1)}
    parked = []
    for doc_id, raw in zip(doc_ids, statuses, strict=True):
        status = raw.decode() if raw else None
        job_id = job_id_for(doc_id)
        if (status in (None, "failed", "stopped", "canceled", "finished")
                or (status == "queued" and job_id not in waiting)
                or (status == "scheduled" and job_id not in scheduled)):
            parked.append(doc_id)
    return parked


def requeue_stranded(connection: Redis, settings: Settings) -> list[str]:
    """Queue again every single document accepted more than DOCGEN_RECONCILE_AFTER seconds ago, not
    ended, whose job can never run (see _parked), so accepted == finished + failed-with-reason
    always. At most once per SWEEP_EVERY seconds across workers."""
    if not connection.set(SWEEP_LOCK, os.getpid(), nx=True, ex=max(1, min(SWEEP_EVERY, settings.reconcile_after))):
        return []
    database = database_for(settings.database_url)
    records = RecordStore(connection, settings.record_ttl_days * 86400, database)
    cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=settings.reconcile_after)).isoformat(timespec="seconds")
    candidates = [d.id for d in records.in_flight() if d.created_at.replace("Z", "+00:00") < cutoff]
    queue = Queue(settings.queue, connection=connection)
    parked = _parked(connection, queue, candidates) if candidates else []
    for doc_id in parked:
        records.mark_retrying(doc_id, "its job was lost (a crash or a full disk); queued again")
        enqueue_render(queue, doc_id, settings)
    if parked:
        log.warning("queued again %s documents whose job could never run: %s", len(parked), ", ".join(parked))
    return parked


def reconcile_if_redis_was_lost(connection: Redis, settings: Settings) -> Reconciled | None:
    """At a worker's start: reconcile when Redis has no marker (new, or flushed), once across
    workers starting together. None when there was nothing to do."""
    if connection.exists(MARKER):
        return None
    if not connection.set(LOCK, os.getpid(), nx=True, ex=300):
        return None  # another process is reconciling now
    try:
        return reconcile(connection, settings)
    finally:
        connection.delete(LOCK)
