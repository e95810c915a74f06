"""Retention: records older than DOCGEN_RETENTION_YEARS are deleted with their files; files may go
earlier (DOCGEN_FILE_RETENTION_DAYS), the record keeping their hashes ("berkas dihapus, sidik
tetap"): the verification page keeps answering for as long as the record is kept, and a
download answers 410 Gone. A batch's items (its chunks) are deleted with its records.
Run by `docgen db purge` (daily, from cron or a scheduler)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select, update

from storage.database import Batch, BatchChunk, Database, Document, DocumentFile
from storage.files import document_path
from storage.records import DOWNLOADABLE, utcnow

__all__ = ["Purged", "purge"]

BATCH = 1000
"""Documents handled per transaction."""


@dataclass
class Purged:
    records: int = 0
    files: int = 0


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _unlink(documents_dir: Path, doc_id: str, extensions: list[str]) -> int:
    removed = 0
    for extension in {*extensions, "signed.pdf"}:
        path = document_path(documents_dir, doc_id, extension)
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


def _extensions(database: Database, doc_ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {doc_id: [] for doc_id in doc_ids}
    with database.read() as connection:
        for doc_id, extension in connection.execute(select(DocumentFile.document_id, DocumentFile.extension).where(
                DocumentFile.document_id.in_(doc_ids), DocumentFile.kind == "original")):
            found[doc_id].append(extension)
    return found


def _count(database: Database, record_cutoff: dt.datetime, file_cutoff: dt.datetime | None) -> Purged:
    """What a purge would delete (its files: those its records name, signed copies not counted)."""
    documents, files = Document.__table__, DocumentFile.__table__
    old = documents.c.created_at < _stamp(record_cutoff)
    files_gone = old
    if file_cutoff is not None:
        files_gone = old | ((documents.c.finished_at < _stamp(file_cutoff)) & documents.c.files_purged_at.is_(None)
                            & documents.c.status.in_(DOWNLOADABLE))
    with database.read() as connection:
        records = connection.execute(select(func.count()).select_from(documents).where(old)).scalar() or 0
        named = connection.execute(select(func.count()).select_from(files.join(documents)).where(
            files_gone, files.c.kind == "original")).scalar() or 0
    return Purged(records=records, files=named)


def purge(database: Database, documents_dir: Path, retention_years: int, file_retention_days: int = 0,
          now: dt.datetime | None = None, dry_run: bool = False) -> Purged:
    """Delete what retention no longer keeps; ``dry_run`` only counts it."""
    now = now or dt.datetime.now(dt.UTC)
    outcome = Purged()
    try:
        record_cutoff = now.replace(year=now.year - retention_years)
    except ValueError:  # 29 February
        record_cutoff = now.replace(year=now.year - retention_years, day=28)
    while True:
        with database.read() as connection:
            ids = list(connection.execute(select(Document.id).where(Document.created_at < _stamp(record_cutoff))
                                          .limit(BATCH)).scalars())
        if not ids:
            break
        if dry_run:
            return _count(database, record_cutoff, file_retention_days and now - dt.timedelta(days=file_retention_days))
        outcome.records += len(ids)
        for doc_id, extensions in _extensions(database, ids).items():
            outcome.files += _unlink(documents_dir, doc_id, extensions)
        with database.write() as connection:
            connection.execute(delete(DocumentFile.__table__).where(DocumentFile.document_id.in_(ids)))
            connection.execute(delete(Document.__table__).where(Document.id.in_(ids)))
    if not dry_run:
        # A batch's items (its chunks: the cascade and exports read them) go with its documents.
        old_batches = select(Batch.id).where(Batch.created_at < _stamp(record_cutoff))
        with database.write() as connection:
            connection.execute(delete(BatchChunk.__table__).where(BatchChunk.batch_id.in_(old_batches)))
    if not file_retention_days:
        return outcome
    file_cutoff = _stamp(now - dt.timedelta(days=file_retention_days))
    while True:
        with database.read() as connection:
            ids = list(connection.execute(select(Document.id).where(
                Document.finished_at < file_cutoff, Document.files_purged_at.is_(None),
                Document.created_at >= _stamp(record_cutoff),
                Document.status.in_(DOWNLOADABLE)).limit(BATCH)).scalars())
        if not ids:
            break
        for doc_id, extensions in _extensions(database, ids).items():
            outcome.files += _unlink(documents_dir, doc_id, extensions)
        with database.write() as connection:
            connection.execute(update(Document.__table__).where(Document.id.in_(ids)).values(files_purged_at=utcnow()))
    return outcome
