"""RQ jobs of a batch: render a chunk of items, then build the archive once every item ended.

A chunk job renders many documents, spreading RQ's per-job cost; items already recorded
(by an earlier, crashed run of the same chunk) are skipped. A bad item fails alone with
its field errors. Completion is counted in Redis (storage/batches.py), not with RQ job
dependencies, whose cost grows with the square of the number of jobs.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
import zlib
from typing import Any

from redis.exceptions import RedisError
from rq import Queue, get_current_job
from rq.exceptions import DuplicateJobError
from rq.timeouts import JobTimeoutException

from config.settings import Settings, get_settings
from sakip.envelope import parse_document_request
from sakip.errors import FieldProblem, InvalidPayload
from sakip.messages import entry_message
from sakip.quality import QualityWarning
from storage.batches import BatchRecord, BatchStore, ItemResult, archive_path
from storage.files import document_path, sync_filesystem, write_atomic
from storage.metrics import count, held
from storage.records import DOWNLOADABLE, DocumentRecord, RecordStore
from storage.templates import TemplateRegistry, UnknownTemplate
from workers.batch_pdf import convert_joined
from workers.bulk_archive import append_ended_chunks, finish_archive
from workers.convert import ConversionError, ConverterUnavailable
from workers.jobs import finished_fields
from workers.print_bundle import add_bundles
from workers.produce import ProducedDocument, produce_document
from workers.render import TemplateRenderError

__all__ = ["build_archive", "fail_unrecorded", "item_doc_id", "on_chunk_failure", "render_chunk"]

log = logging.getLogger(__name__)

ITEM_ID_NAMESPACE = uuid.UUID("6f1f0c3e-5b7a-4c1e-9a51-3d3f0e6b2a10")
"""Only for items queued before ids were drawn at intake: uuid5(namespace, "batch:index")."""

FLUSH_EVERY = 25
"""Items rendered at least between two progress writes (file sync, records, Redis)."""

FLUSH_SECONDS = 1.0
"""...and at least this long. Each flush syncs the file system (syncfs: 3-50 ms here while other
processes write), so a fast DOCX chunk flushes about once, at its end, while a slow PDF chunk
still shows progress every second. Only flushed items are counted: fewer flushes never count an
item whose file is not yet on disk."""

ARCHIVE_JOB = "workers.batch_jobs.build_archive"

TRANSIENT = (OSError, ConversionError, RedisError, JobTimeoutException)
"""Failures of the machine, not of an item's data: the chunk is retried instead."""


def item_doc_id(batch_id: str, index: int, item: dict[str, Any]) -> str:
    """The item's public id: the random one drawn at intake and stored with the item (so a re-run
    gives the same id, and one batch id reveals no other item's)."""
    return item.get("doc_id") or uuid.uuid5(ITEM_ID_NAMESPACE, f"{batch_id}:{index}").hex


def _count_items(connection: Any, results: list[ItemResult]) -> None:
    for status in ("finished", "failed"):
        if ended := sum(1 for r in results if r.status == status):
            count(connection, "batch_items", ended, status=status)


def _store(connection: Any, settings: Settings) -> BatchStore:
    return BatchStore(connection, settings.record_ttl_days * 86400)


def _cell_key(loc: str, cells: dict[str, str]) -> str | None:
    """The field path whose workbook cell holds ``loc``: its own, the field it is part of (a
    list in one cell), or the first column of a record spread over several (pihak_kedua)."""
    path = loc.removeprefix("data.")
    if path in cells:
        return path
    return (next((p for p in cells if path.startswith(p + ".")), None)
            or next((p for p in cells if p.startswith(path + ".")), None))


def _entries(problems: list[FieldProblem | QualityWarning], item: dict[str, Any]) -> list[dict[str, Any]]:
    """Errors or warnings as stored: {loc, code, params, msg}, and for a workbook item the cell and
    its column header; ``msg`` is the Indonesian sentence (naming the cell)."""
    cells, headers = item.get("cells") or {}, item.get("headers") or {}
    entries = []
    for problem in problems:
        entry: dict[str, Any] = {"loc": problem.loc, "code": problem.code,
                                 "params": {k: str(v) for k, v in problem.params.items()}}
        key = _cell_key(problem.loc, cells) if cells else None
        if key:
            entry["cell"] = cells[key]
            if headers.get(key):
                entry["header"] = headers[key]
        entry["msg"] = entry_message(entry)
        entries.append(entry)
    return entries


def _failed(index: int, ref: str, doc_id: str, errors: list[dict[str, Any]]) -> ItemResult:
    summary = "; ".join(e["msg"] if e.get("cell") else f"{e['loc']}: {e['msg']}" for e in errors)
    return ItemResult(index=index, ref=ref, status="failed", doc_id=doc_id, error=summary, errors=errors)


def _render_item(item: dict[str, Any], index: int, batch: BatchRecord, registry: TemplateRegistry,
                 settings: Settings, batch_id: str, worker_name: str,
                 joined: ProducedDocument | None = None) -> tuple[ItemResult, dict[str, Any] | None]:
    """How the item ended, and for a finished one the fields of its document record (``joined``:
    its PDF, already made with its chunk-mates')."""
    ref = str(item.get("ref", index))
    doc_id = item_doc_id(batch_id, index, item)
    body = {"type": batch.type, "format": batch.format, "data": item.get("data"),
            "strict": batch.strict}
    intake = item.get("errors") or []
    if intake:
        # A problem found while reading the workbook's rows fails the item; its data is checked
        # too (when there is any), so every problem is reported at once.
        found = list(intake)
        if item.get("data"):
            try:
                parse_document_request(body)
            except InvalidPayload as exc:
                found += _entries(exc.problems, item)
        return _failed(index, ref, doc_id, found), None
    try:
        produced = joined or produce_document(
            body, registry, template_version=int(batch.template_version),
            soffice=settings.soffice, convert_timeout=settings.convert_timeout, doc_id=doc_id,
        )
    except InvalidPayload as exc:
        return _failed(index, ref, doc_id, _entries(exc.problems, item)), None
    except (UnknownTemplate, TemplateRenderError, ConverterUnavailable) as exc:
        return ItemResult(index=index, ref=ref, status="failed", doc_id=doc_id, error=str(exc)), None
    except TRANSIENT:
        raise  # the chunk is retried; after its last retry its remaining items fail with the reason
    except Exception as exc:
        # Anything else follows from this item's data (the same data fails the same way every time):
        # it fails alone, and its chunk-mates go on.
        log.exception("batch %s item %s (ref %s) failed", batch_id, index, ref)
        return ItemResult(index=index, ref=ref, status="failed", doc_id=doc_id,
                          error=f"unexpected error while rendering this item ({type(exc).__name__}); "
                                "the worker log has the details"), None
    path = document_path(settings.documents_dir, doc_id, produced.extension)
    write_atomic(path, produced.content, durable=False)  # made durable per flush, see render_chunk
    batch_wide = [QualityWarning(w["code"], w["loc"], w.get("params") or {}) for w in item.get("batch_warnings") or []]
    warnings = _entries([*produced.warnings, *batch_wide], item)
    record = {**finished_fields([produced]), "type": batch.type, "batch": batch_id,
              "ref": ref, "client": batch.client,
              "warnings": json.dumps(warnings, ensure_ascii=False)}
    return ItemResult(index=index, ref=ref, status="finished", doc_id=doc_id, file=produced.filename,
                      sha256=record["files"][0].sha256, size=len(produced.content), warnings=warnings or None,
                      crc32=zlib.crc32(produced.content)), record


def _enqueue_archive(connection: Any, settings: Settings, batch_id: str) -> None:
    try:
        Queue(settings.bulk_queue, connection=connection).enqueue_call(
            ARCHIVE_JOB, args=(batch_id,), job_id=f"batch-archive-{batch_id}", unique=True, at_front=True,
            timeout=3600, result_ttl=settings.record_ttl_days * 86400,
            failure_ttl=settings.record_ttl_days * 86400, description=f"archive of batch {batch_id}",
        )
    except DuplicateJobError:
        pass  # another chunk (or a re-run of this one) got there first


def render_chunk(batch_id: str, number: int) -> dict[str, Any]:
    """Render chunk ``number`` of batch ``batch_id``; raise on transient failures so RQ retries."""
    job = get_current_job()
    assert job is not None, "render_chunk runs inside an RQ worker"
    settings = get_settings()
    store = _store(job.connection, settings)
    batch = store.get(batch_id)
    items = store.chunk(batch_id, number)
    if batch is None or items is None:
        return {"batch": batch_id, "chunk": number, "skipped": "batch expired or already archived"}
    store.chunk_started(batch_id, number)
    first = number * int(batch.chunk_size)
    indexes = list(range(first, first + len(items)))
    done = job.connection.hmget(store.key(batch_id, "results"), indexes)
    registry = TemplateRegistry.for_settings(settings)
    records = RecordStore(job.connection, settings.record_ttl_days * 86400)
    pending: list[ItemResult] = []
    documents: dict[str, dict[str, Any]] = {}
    all_ended = False
    flushed_at = time.monotonic()

    def flush() -> bool:
        nonlocal flushed_at
        flushed_at = time.monotonic()
        # One sync for the files of the whole flush (an fsync per file cost a sixth of an
        # item's time); only then are they recorded, so a counted item's file is on disk.
        if documents:
            sync_filesystem(settings.documents_dir)
        # Records first, in one bulk insert: an item counted as finished always has its record.
        records.put_finished_many(documents)
        _count_items(job.connection, pending)
        ended = store.record_results(batch_id, number, pending)
        held_metrics.flush()  # the flush's render timings and item counts, one round trip
        pending.clear()
        documents.clear()
        return ended

    # Items finished in an earlier run whose results Redis lost (reconciled after a flush) are
    # taken from their database records instead of being rendered again.
    recorded = records.get_many([item_doc_id(batch_id, i, item)
                                 for i, item, r in zip(indexes, items, done, strict=True) if r is None])

    def finished_before(index: int, item: dict[str, Any]) -> DocumentRecord | None:
        existing = recorded.get(item_doc_id(batch_id, index, item))
        return existing if existing and existing.status in DOWNLOADABLE else None

    with held(job.connection) as held_metrics:
        joined = convert_joined([(index, item_doc_id(batch_id, index, item), item)
                                 for index, item, result in zip(indexes, items, done, strict=True)
                                 if result is None and not finished_before(index, item)],
                                batch, registry, settings)
        for index, item, result in zip(indexes, items, done, strict=True):
            if result is not None:
                continue
            if existing := finished_before(index, item):
                pending.append(ItemResult(index=index, ref=existing.ref or str(item.get("ref", index)),
                                          status="finished", doc_id=existing.id, file=existing.files[0].name,
                                          sha256=existing.files[0].sha256, size=existing.files[0].size))
                continue
            outcome, record = _render_item(item, index, batch, registry, settings, batch_id,
                                           job.worker_name or "worker", joined.pop(index, None))
            pending.append(outcome)
            if record is not None:
                documents[outcome.doc_id] = record
            if len(pending) >= FLUSH_EVERY and time.monotonic() - flushed_at >= FLUSH_SECONDS:
                all_ended = flush()
        all_ended = flush() or all_ended
    store.chunk_ended(batch_id, number)
    _append_to_archive(store, settings, batch, number, items)
    if all_ended or _all_ended(store.get(batch_id)):
        _enqueue_archive(job.connection, settings, batch_id)
    return {"batch": batch_id, "chunk": number, "items": len(items)}


def _append_to_archive(store: BatchStore, settings: Settings, batch: BatchRecord, number: int,
                       items: list[dict[str, Any]]) -> None:
    """This chunk's entries (and any ended chunk's before it) into the archive being written, when no
    other process is appending; the archive job appends whatever is left, so a failure here only
    moves the work to the end."""
    try:
        append_ended_chunks(store, settings, batch, own={number: items})
    except Exception:
        log.exception("batch %s: chunk %s not appended to the archive yet (the archive job will)", batch.id, number)


def _all_ended(batch: BatchRecord | None) -> bool:
    return batch is not None and int(batch.finished) + int(batch.failed) >= int(batch.total)


def _batch_items(store: BatchStore, batch_id: str, batch: BatchRecord) -> list[dict[str, Any]]:
    """Every item of the batch, by index (chunks are kept until the archive is ready)."""
    items: list[dict[str, Any]] = []
    for number in range(int(batch.chunks)):
        chunk = store.chunk(batch_id, number)
        if chunk is None:
            raise RuntimeError(f"chunk {number} of batch {batch_id} is gone: print bundles can't be grouped")
        items += chunk
    return items


def build_archive(batch_id: str) -> dict[str, Any]:
    """One ZIP of every finished document plus manifest.json, manifest.csv (for Excel) and
    manifest.xlsx, each row with the official's name and NIP and the verify URL; entries mode
    0644, stored as they are (a DOCX or PDF is compressed already). The chunks' entries were
    appended while the batch ran (workers/bulk_archive.py); this appends what is left, the
    manifests and the central directory, fsyncs and renames it into place. A batch with
    merge_per_agency also gets one merged PDF per agency under per-instansi/, listed in the
    manifest with status "merged"."""
    job = get_current_job()
    assert job is not None
    settings = get_settings()
    store = _store(job.connection, settings)
    batch = store.get(batch_id)
    if batch is None:
        return {"batch": batch_id, "skipped": "expired"}
    add_extra = None
    if batch.merge_per_agency:
        def add_extra(archive: Any, claim: Any) -> list[dict[str, Any]]:
            results = store.results(batch_id)
            items = _batch_items(store, batch_id, batch)
            target = archive_path(settings.data_dir, batch_id)
            return add_bundles(archive, ((items[r["index"]], r) for r in results), settings.documents_dir,
                               target.parent, claim)
    target, failed, documents = finish_archive(store, settings, batch, add_extra)
    store.mark_archived(batch_id, {"archive_size": target.stat().st_size}, failed_items=failed)
    log.info("batch %s archived: %s documents", batch_id, documents)
    return {"batch": batch_id, "archive": str(target)}


def fail_unrecorded(connection: Any, batch_id: str, number: int, reason: str) -> None:
    """Every item of the chunk without a result ends failed with ``reason``; the batch goes on."""
    settings = get_settings()
    store = _store(connection, settings)
    batch, items = store.get(batch_id), store.chunk(batch_id, number)
    if batch is None or items is None:
        return
    first = number * int(batch.chunk_size)
    indexes = list(range(first, first + len(items)))
    done = connection.hmget(store.key(batch_id, "results"), indexes)
    failed = [ItemResult(index=i, ref=str(item.get("ref", i)), status="failed", doc_id=item_doc_id(batch_id, i, item),
                         error=reason) for i, item, d in zip(indexes, items, done, strict=True) if d is None]
    _count_items(connection, failed)
    all_ended = store.record_results(batch_id, number, failed)
    store.chunk_ended(batch_id, number)
    if all_ended:
        _enqueue_archive(connection, settings, batch_id)


def on_chunk_failure(job: Any, connection: Any, exc_type: type, exc_value: BaseException, tb: Any) -> None:
    """RQ's failure callback of a chunk: after the last retry its remaining items fail alone."""
    log.warning("chunk %s of batch %s failed", job.args[1], job.args[0], exc_info=(exc_type, exc_value, tb))
    if not job.should_retry:
        fail_unrecorded(connection, job.args[0], job.args[1],
                        f"rendering failed repeatedly ({type(exc_value).__name__}); the worker log has the details")
