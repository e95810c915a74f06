"""The RQ jobs and their failure bookkeeping. Jobs raise on failure so RQ records and retries them;
the document record says why, in words a client can read."""

from __future__ import annotations

import errno
import json
import logging
import os
from decimal import Decimal
from typing import Any

from rq import get_current_job
from rq.exceptions import AbandonedJobError
from rq.job import Job
from rq.timeouts import JobTimeoutException

from config.settings import Settings, get_settings
from sakip.errors import InvalidPayload
from storage.files import document_path, write_atomic
from storage.records import DocumentStatus, RecordStore, stored_file
from storage.templates import TemplateRegistry, UnknownTemplate
from workers.convert import ConversionError, ConverterUnavailable
from workers.produce import ProducedDocument, produce_files
from workers.render import TemplateRenderError
from workers.submit import enqueue_callback

__all__ = ["PermanentFailure", "finished_fields", "on_horse_killed", "on_render_failure", "render_document"]

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """A failure a retry can't fix (bad data, broken template, no converter): fail at once."""


def _json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def load_request(raw: str) -> dict[str, Any]:
    """A stored request body, with decimals kept exact (2.75 stays 2.75)."""
    return json.loads(raw, parse_float=Decimal, parse_constant=_json_constant)


def _records(connection: Any, settings: Settings) -> RecordStore:
    return RecordStore(connection, settings.record_ttl_days * 86400)


def render_document(doc_id: str) -> dict[str, Any]:
    """Render document ``doc_id`` from its stored request and write its file.

    At-least-once safe: a re-run writes the same file under the same id.
    """
    job = get_current_job()
    assert job is not None, "render_document runs inside an RQ worker"
    settings = get_settings()
    records = _records(job.connection, settings)
    # Read and marked started in one statement; only a document that can't be started is read again.
    record = records.mark_started_unless_signed(doc_id, job.worker_name or "", os.getpid())
    if record is None:
        existing = records.get(doc_id)
        if existing is None:
            raise PermanentFailure(f"document {doc_id} has no record (expired or never created)")
        if existing.status not in (DocumentStatus.SIGNED.value, DocumentStatus.PARTIALLY_SIGNED.value):
            raise RuntimeError(f"document {doc_id} changed status while starting ({existing.status}); retrying")
        # A late duplicate run: the signed copy was made from the file we have, which must stay.
        log.info("document %s is signed: not rendering it again", doc_id)
        return {"id": doc_id, "status": existing.status,
                "file_sha256": existing.main_file.sha256 if existing.main_file else None}
    log.info("rendering %s (attempt %s)", doc_id, record.attempts)
    registry = TemplateRegistry.for_settings(settings)
    try:
        produced = produce_files(
            load_request(record.request), registry, doc_id=doc_id, settings=settings,
            template_version=int(record.template_version) if record.template_version else None,
        )
    except InvalidPayload as exc:
        raise PermanentFailure(f"the document data is invalid: {exc}") from exc
    except (UnknownTemplate, TemplateRenderError, ConverterUnavailable) as exc:
        raise PermanentFailure(str(exc)) from exc
    for item in produced:
        write_atomic(document_path(settings.documents_dir, doc_id, item.extension), item.content)
    file_fields = finished_fields(produced)
    records.mark_finished(doc_id, file_fields)
    if record.callback_url:  # known from the record read above: no second read per document
        enqueue_callback(job.connection, doc_id, settings)
    return {"id": doc_id, "status": DocumentStatus.FINISHED.value, "file_sha256": file_fields["files"][0].sha256}


def finished_fields(produced: list[ProducedDocument]) -> dict[str, Any]:
    """Record fields of a finished document: each format's file, the template used, and the
    summary the public verification page shows."""
    main = produced[0]
    return {
        "formats": [p.extension for p in produced],
        "files": [stored_file(p.extension, p.filename, p.content) for p in produced],
        "template_name": main.template.name, "template_version": main.template.version,
        "template_sha256": main.template.sha256,
        "summary": json.dumps(main.summary, ensure_ascii=False, default=str),
    }


def _announce(connection: Any, records: RecordStore, doc_id: str) -> None:
    """The document ended: queue its callback when the client asked for one."""
    if (record := records.get(doc_id)) is not None and record.callback_url:
        enqueue_callback(connection, doc_id, get_settings())


def _reason(exc: BaseException | None) -> str:
    if isinstance(exc, (PermanentFailure, ConversionError)):
        return str(exc)
    if isinstance(exc, JobTimeoutException):
        return "rendering took longer than the job time limit"
    if isinstance(exc, AbandonedJobError):
        return "the worker rendering the document stopped responding"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "disk full: the service's data folder has no space left to write the document"
    name = type(exc).__name__ if exc is not None else "unknown error"
    return f"unexpected error while rendering ({name}); the worker log has the details"


def on_render_failure(job: Job, connection: Any, exc_type: type, exc_value: BaseException, tb: Any) -> None:
    """RQ's failure callback: record the reason; permanent failures are not retried."""
    doc_id = job.args[0]
    records = _records(connection, get_settings())
    reason = _reason(exc_value)
    log.warning("document %s failed: %s", doc_id, reason, exc_info=(exc_type, exc_value, tb))
    if isinstance(exc_value, PermanentFailure):
        job.retries_left = 0  # read by RQ right after this callback: no retry
        records.mark_failed(doc_id, reason)
        _announce(connection, records, doc_id)
    elif job.should_retry:
        records.mark_retrying(doc_id, f"{reason}; retrying")
    else:
        records.mark_failed(doc_id, reason)
        _announce(connection, records, doc_id)


def on_horse_killed(job: Job, retpid: int, ret_val: int, rusage: Any) -> None:
    """The work horse died (SIGKILL, out of memory): RQ's failure callback doesn't run then."""
    if job.func_name == "workers.batch_jobs.render_chunk":
        if not job.should_retry:
            from workers.batch_jobs import fail_unrecorded

            fail_unrecorded(job.connection, job.args[0], job.args[1], "the worker process rendering it died")
        return
    if job.func_name != "workers.jobs.render_document":
        return
    doc_id = job.args[0]
    records = _records(job.connection, get_settings())
    reason = "the worker process rendering the document died"
    if job.should_retry:
        records.mark_retrying(doc_id, f"{reason}; retrying")
    else:
        records.mark_failed(doc_id, reason)
        _announce(job.connection, records, doc_id)
