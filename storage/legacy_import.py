"""Import of the document and batch records earlier versions kept in Redis (hashes ``docgen:doc:ID``
and ``docgen:batch:ID``) into the database, for `docgen db upgrade`. Idempotent: a record the
database has already is left as it is (the database's copy is the newer). Files stay where they
are (documents/ab/ID.ext): the imported record names them by the same id, and the import counts
records whose files are gone. Old shapes are read by the records' one migration function
(storage.record_types).

A batch still running is imported with its chunks: on the same Redis its queued chunk jobs go
on; on a new Redis the reconcile (workers.reconcile) queues its chunks again, and the items
already finished are taken from their imported document records instead of being made twice.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from redis import Redis
from sqlalchemy import select

from sakip import exactjson
from sakip.envelope import parse_document_request
from sakip.errors import InvalidPayload
from storage.batches import KEY_PREFIX as BATCH_PREFIX
from storage.batches import BatchStatus, BatchStore
from storage.database import Batch, Database, Document
from storage.files import document_path
from storage.record_types import BatchRecord, DocumentRecord
from storage.records import KEY_PREFIX, RecordStore, utcnow

__all__ = ["Imported", "ImportedBatches", "import_redis_batches", "import_redis_records"]

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


@dataclass
class ImportedBatches:
    imported: int = 0
    already: int = 0
    running: int = 0
    """Of those imported, batches accepted and not ended: they go on after the upgrade."""
    missing_chunks: int = 0
    """Running batches some of whose items Redis no longer held (those items can't be made)."""


def _legacy_batches(connection: Redis) -> list[BatchRecord]:
    found = []
    for key in connection.scan_iter(match=f"{BATCH_PREFIX}*", count=1000):
        batch_id = key.decode().removeprefix(BATCH_PREFIX)
        if ":" in batch_id or connection.type(key) != b"hash":  # a batch's results, chunks, counters
            continue
        raw = connection.hgetall(key)
        if raw and raw.get(b"total") is not None:
            found.append(BatchRecord.from_redis({**raw, b"id": batch_id.encode()}))
    return found


_OLD_DECIMAL = re.compile(r"-?\d+\.\d+")
"""How the version before wrote a figure of a batch item (Decimal as str: "3.2"), which it read
back as that number; read the Indonesian way now, "3.2" would be refused as ambiguous."""


def _exact_figures(data: Any, doc_type: str, fmt: str) -> None:
    """Turn back into numbers the figures the version before stored as text: exactly those the
    request's model reads as numbers and now refuses as ambiguous (a text field is never touched)."""
    for _ in range(3):  # every bad field is listed at once; a second pass finds those it hid
        try:
            parse_document_request({"type": doc_type, "format": fmt, "data": data})
            return
        except InvalidPayload as exc:
            changed = False
            for problem in exc.problems:
                path = problem.loc.split(".")
                if problem.code != "angka_ambigu" or path[0] != "data":
                    continue
                container: Any = data
                try:
                    for step in path[1:-1]:
                        container = container[int(step) if isinstance(container, list) else step]
                    key: Any = int(path[-1]) if isinstance(container, list) else path[-1]
                    value = container[key]
                except (KeyError, IndexError, ValueError, TypeError):
                    continue
                if isinstance(value, str) and _OLD_DECIMAL.fullmatch(value):
                    container[key] = Decimal(value)
                    changed = True
            if not changed:
                return


def _migrated_chunk(text: str, record: BatchRecord) -> str:
    """A chunk of the version before, its figures as this version writes them (JSON numbers)."""
    items = json.loads(text, parse_float=Decimal)
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("data"), dict):
            _exact_figures(item["data"], record.type, record.format)
    return exactjson.dumps(items)


def import_redis_batches(connection: Redis, database: Database) -> ImportedBatches:
    """Copy every batch found in Redis that the database doesn't have: a running one with its
    chunks (to go on), a finished one with its counts and failed items."""
    store = BatchStore(connection, 0, database)
    outcome = ImportedBatches()
    for record in _legacy_batches(connection):
        with database.read() as db:
            if db.execute(select(Batch.id).where(Batch.id == record.id)).first() is not None:
                outcome.already += 1
                continue
        record.created_at = record.created_at or utcnow()
        chunks: list[str] = []
        if record.status == BatchStatus.RUNNING.value:
            raw = [connection.get(store.key(record.id, f"chunk:{n}")) for n in range(record.chunks)]
            for number, old in enumerate(raw):
                if old is None:
                    continue
                chunks.append(new := _migrated_chunk(old.decode(), record))
                if old.decode() != new:  # its queued job reads it from Redis
                    connection.set(store.key(record.id, f"chunk:{number}"), new, keepttl=True)
            outcome.running += 1
            if len(chunks) < record.chunks:
                outcome.missing_chunks += 1
        store.put_imported(record, chunks, store.failed(record.id))
        outcome.imported += 1
    return outcome
