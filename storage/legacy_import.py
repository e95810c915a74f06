"""Import of the document records earlier versions kept in Redis (hashes ``docgen:doc:ID``) into the
database, for `docgen db upgrade`. Idempotent: a record the database has already is left as it
is (the database's copy is the newer). Files stay where they are (documents/ab/ID.ext): the
imported record names them by the same id, and the import counts records whose files are gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from redis import Redis
from sqlalchemy import select

from storage.database import Database, Document
from storage.files import document_path
from storage.record_types import DocumentRecord
from storage.records import KEY_PREFIX, RecordStore, utcnow

__all__ = ["Imported", "import_redis_records"]

BATCH_SIZE = 500
"""Records written per database transaction."""


@dataclass
class Imported:
    imported: int = 0
    already: int = 0
    missing_files: int = 0


def _legacy_records(connection: Redis) -> list[tuple[str, dict[str, str]]]:
    found = []
    for key in connection.scan_iter(match=f"{KEY_PREFIX}*", count=1000):
        doc_id = key.decode().removeprefix(KEY_PREFIX)
        if connection.type(key) != b"hash":
            continue
        raw = connection.hgetall(key)
        if raw:
            found.append((doc_id, {k.decode(): v.decode() for k, v in raw.items()}))
    return found


def import_redis_records(connection: Redis, database: Database, documents_dir: Path) -> Imported:
    """Copy every document record found in Redis that the database doesn't have."""
    records = RecordStore(connection, 0, database)
    outcome = Imported()
    legacy = _legacy_records(connection)
    for start in range(0, len(legacy), BATCH_SIZE):
        part = legacy[start:start + BATCH_SIZE]
        with database.write() as db:
            known = set(db.execute(select(Document.id).where(Document.id.in_([d for d, _ in part]))).scalars())
            for doc_id, fields in part:
                if doc_id in known:
                    outcome.already += 1
                    continue
                record = DocumentRecord.from_redis({**fields, "id": doc_id})  # the one migration of old shapes
                record.created_at = record.created_at or record.finished_at or utcnow()
                records._apply(db, doc_id, {k: v for k, v in record.to_fields().items() if v is not None})
                outcome.imported += 1
                if any(not document_path(documents_dir, doc_id, f.extension).is_file() for f in record.files):
                    outcome.missing_files += 1
    return outcome
