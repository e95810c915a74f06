"""The document record: kept in the database (the system of record, storage/database), read as a
typed DocumentRecord (storage.record_types) and updated by field, so callers need not know where
it lives.

Fields with a column of their own go there; each format's file (``files``, StoredFile values)
and the signed copy (``signed``) become rows of ``document_files``; any other field is kept in
the ``extra`` JSON column and comes back in the record's ``extra`` as it went in. Redis holds no
document record.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis import Redis
from redis.client import Pipeline
from sqlalchemy import Connection, Dialect, and_, bindparam, delete, func, insert, select, update

from storage.database import Database, Document, DocumentFile, database_for
from storage.database.models import ENDED_CONDITION, IN_FLIGHT_CONDITION
from storage.database.paging import newest_first
from storage.driver_sql import DriverStatement, driver_cursor, fetch_mapping, row_converters
from storage.record_types import DocumentRecord, StoredFile

__all__ = ["DOWNLOADABLE", "IN_FLIGHT", "DocumentRecord", "DocumentStatus", "RecordStore", "StoredFile",
           "stored_file", "utcnow"]

log = logging.getLogger(__name__)

KEY_PREFIX = "docgen:doc:"
"""Prefix of the Redis hash that held a document's record before the database (read by the import)."""


class DocumentStatus(StrEnum):
    """Where a document is in its life."""

    QUEUED = "queued"
    STARTED = "started"
    FINISHED = "finished"
    FAILED = "failed"
    PARTIALLY_SIGNED = "partially_signed"
    """Finished; a signed copy came back, but not every party that signs it has signed yet."""
    SIGNED = "signed"
    """Finished, and a signed copy of its PDF came back with a valid signature of every party."""
    REVOKED = "revoked"
    """Issued, then withdrawn by its client with a reason; its files and hashes are kept."""


DOWNLOADABLE = frozenset({DocumentStatus.FINISHED.value, DocumentStatus.PARTIALLY_SIGNED.value,
                          DocumentStatus.SIGNED.value})
"""Statuses in which a document's files exist."""

IN_FLIGHT = frozenset({DocumentStatus.QUEUED.value, DocumentStatus.STARTED.value})
"""Accepted and not ended: work that must be on the queue."""


def stored_file(extension: str, name: str, content: bytes) -> StoredFile:
    """The record's description of one file: its format, name, size and sha256."""
    return StoredFile(extension, name, len(content), hashlib.sha256(content).hexdigest())


def utcnow() -> str:
    """Now, as an ISO 8601 UTC timestamp with seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


DOCUMENTS = Document.__table__
FILES = DocumentFile.__table__
_COLUMNS = frozenset(c.name for c in DOCUMENTS.columns) - {"extra"}
_INTEGERS = frozenset({"attempts", "pid", "template_version", "year"})
_DERIVED = frozenset({"year", "agency", "parties"})
"""Columns filled from the summary, for listings and searches; not part of the record's fields."""
_INSERT = insert(DOCUMENTS)
_LISTED = [c for c in DOCUMENTS.columns if c.name != "request"]
"""A listing's columns: all but the request body, which can be large and no listing shows."""


def _column_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _INTEGERS:
        return int(value) if str(value) != "" else None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value if isinstance(value, str) else str(value)


@dataclass
class _Split:
    """One write's fields, sorted by where they are kept."""

    columns: dict[str, Any]
    files: list[dict[str, Any]]
    extra: dict[str, str]
    signed: dict[str, Any] | None


def _file_row(doc_id: str, kind: str, position: int, file: StoredFile) -> dict[str, Any]:
    return {"document_id": doc_id, "kind": kind, "extension": file.extension, "position": position,
            "name": file.name, "size": int(file.size), "sha256": file.sha256}


def _split(doc_id: str, fields: dict[str, Any]) -> _Split:
    """Fields as a DocumentRecord names them (``formats`` a list, ``files`` and ``signed``
    StoredFiles), sorted into columns, file rows and extra."""
    columns: dict[str, Any] = {}
    extra: dict[str, str] = {}
    for name, value in fields.items():
        if name in ("files", "signed"):
            continue
        if name == "formats":
            # "format" is the column every version of the schema has (NOT NULL); "formats" the same list
            listed = value if isinstance(value, str) else ",".join(value)
            columns["format"] = columns["formats"] = listed
        elif name in _COLUMNS and name not in _DERIVED:
            columns[name] = _column_value(name, value)
        else:
            extra[name] = "" if value is None else str(_column_value(name, value))
    if "summary" in columns:
        columns.update(_summary_columns(columns["summary"]))
    files = [_file_row(doc_id, "original", n, f) for n, f in enumerate(fields.get("files") or [])]
    signed = fields.get("signed")
    return _Split(columns, files, extra, _file_row(doc_id, "signed", 0, signed) if signed else None)


def _summary_columns(summary: str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(summary or "{}")
    except ValueError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    year = parsed.get("tahun")
    parties = parsed.get("pihak")
    return {"year": int(year) if isinstance(year, int) or (isinstance(year, str) and year.isdigit()) else None,
            "agency": parsed.get("instansi") if isinstance(parsed.get("instansi"), str) else None,
            "parties": json.dumps(parties, ensure_ascii=False) if parties else None}


_NOT_SIGNED = and_(DOCUMENTS.c.status != DocumentStatus.SIGNED.value,
                   DOCUMENTS.c.status != DocumentStatus.PARTIALLY_SIGNED.value)
"""A document whose file a signed copy was made from is never made again (mark_started_unless_signed)."""


# Built once: a statement built per call cost more than SQLite running it (bench/README.md, issue 17).
_START = update(DOCUMENTS).where(DOCUMENTS.c.id == bindparam("_id")).values(
    attempts=DOCUMENTS.c.attempts + 1, status=DocumentStatus.STARTED.value, started_at=bindparam("_at"), error="",
    worker=bindparam("_worker"), pid=bindparam("_pid"))
_START_UNLESS_SIGNED = _START.where(_NOT_SIGNED).returning(DOCUMENTS)
_UPDATE_BY_ID = update(DOCUMENTS).where(DOCUMENTS.c.id == bindparam("_id"))
"""Sets the columns named by the parameters."""
_DELETE_ORIGINALS = delete(FILES).where(FILES.c.document_id == bindparam("_id"), FILES.c.kind == "original")
_INSERT_FILES = insert(FILES)


def _started(doc_id: str, worker: str, pid: int) -> dict[str, Any]:
    return {"_id": doc_id, "_at": utcnow(), "_worker": worker, "_pid": pid}


@functools.cache
def _insert_for(dialect: Dialect, names: tuple[str, ...]) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
    """The intake's INSERT of a record with the columns ``names``, compiled once per dialect and set
    of columns and run as the driver's own SQL (SQLAlchemy's statement path costs more than the
    insert itself here): the SQL, the order of its positional parameters (None: named ones), and
    the converters of the columns whose values need one (timestamps)."""
    compiled = _INSERT.values({name: None for name in names}).compile(dialect=dialect)
    processors = {name: p for name, p in (compiled._bind_processors or {}).items() if name in names}
    return compiled.string, tuple(compiled.positiontup or ()) if compiled.positional else None, processors


@functools.cache
def _driver_start(dialect: Dialect) -> tuple[DriverStatement, dict[str, Any]]:
    """mark_started_unless_signed's statement as SQLite's own SQL, and the converters of its row."""
    return DriverStatement(_START_UNLESS_SIGNED, dialect), row_converters(DOCUMENTS, dialect)


@functools.cache
def _driver_finish(dialect: Dialect, names: tuple[str, ...]) -> tuple[DriverStatement, DriverStatement,
                                                                       DriverStatement]:
    """mark_finished's three statements (the record's columns ``names``) as SQLite's own SQL."""
    return (DriverStatement(_UPDATE_BY_ID.values({name: bindparam(name) for name in names}), dialect),
            DriverStatement(_DELETE_ORIGINALS, dialect), DriverStatement(_INSERT_FILES.values(
                {c.name: bindparam(c.name) for c in FILES.columns if c.name in _FILE_ROW}), dialect))


_FILE_ROW = ("document_id", "kind", "extension", "position", "name", "size", "sha256")
"""The columns of a file row (_file_row)."""


def _record(row: Any, files: Iterable[Any]) -> DocumentRecord:
    return DocumentRecord.from_row(row._mapping, list(files))


class RecordStore:
    """Reads and updates document records in the database.

    ``connection`` (Redis) is kept for the callers that pass it along; records are not kept there.
    Without ``database``, the one of the process's settings (DOCGEN_DATABASE_URL) is used.
    """

    def __init__(self, connection: Redis | None = None, ttl_seconds: int = 0, database: Database | None = None) -> None:
        self.connection = connection
        self.ttl_seconds = ttl_seconds
        if database is None:
            from config.settings import get_settings

            database = database_for(get_settings().database_url)
        self.database = database

    @staticmethod
    def key(doc_id: str) -> str:
        """The Redis key that held the record before the database (the import reads it)."""
        return KEY_PREFIX + doc_id

    # -- writing -----------------------------------------------------------------------------

    def _write(self, doc_id: str, fields: dict[str, Any], pipeline: Pipeline | None = None) -> None:
        """Set ``fields`` on the record; a write carrying ``id`` makes the record when it is new.
        ``pipeline`` (Redis) is accepted for the old callers and not used: the database write is
        its own transaction, committed before the caller's Redis transaction runs."""
        with self.database.write() as connection:
            self._apply(connection, doc_id, fields)

    def _apply(self, connection: Connection, doc_id: str, fields: dict[str, Any]) -> None:
        split = _split(doc_id, fields)
        columns = {k: v for k, v in split.columns.items() if k != "id"}
        if split.extra:
            current = connection.execute(select(DOCUMENTS.c.extra).where(DOCUMENTS.c.id == doc_id)
                                         .with_for_update()).scalar_one_or_none()
            columns["extra"] = json.dumps({**json.loads(current or "{}"), **split.extra}, ensure_ascii=False)
        updated = connection.execute(update(DOCUMENTS).where(DOCUMENTS.c.id == doc_id).values(**columns)).rowcount \
            if columns else int(self._exists(connection, doc_id))
        if not updated:
            if "id" not in fields:
                log.warning("document %s has no record: %s not written", doc_id, sorted(fields))
                return
            connection.execute(insert(DOCUMENTS).values(id=doc_id, **columns))
        self._write_files(connection, [doc_id] if split.files else [], split.files)
        if split.signed:
            connection.execute(delete(FILES).where(FILES.c.document_id == doc_id, FILES.c.kind == "signed"))
            connection.execute(insert(FILES), [split.signed])

    @staticmethod
    def _write_files(connection: Connection, doc_ids: list[str], files: list[dict[str, Any]]) -> None:
        if doc_ids:
            connection.execute(delete(FILES).where(FILES.c.document_id.in_(doc_ids), FILES.c.kind == "original"))
        if files:
            connection.execute(insert(FILES), files)

    def create(self, doc_id: str, fields: dict[str, Any], pipeline: Pipeline | None = None) -> None:
        """A new record in state queued; ``fields`` holds type, formats, template and the raw request.
        One INSERT (the intake's hot path); ``pipeline`` as for ``_write``."""
        split = _split(doc_id, {**fields, "id": doc_id, "status": DocumentStatus.QUEUED.value,
                                "created_at": utcnow(), "attempts": 0})
        row = split.columns
        if split.extra:
            row["extra"] = json.dumps(split.extra, ensure_ascii=False)
        if split.files:
            with self.database.write() as connection:
                connection.execute(_INSERT, row)
                self._write_files(connection, [], split.files)
            return
        sql, positions, processors = _insert_for(self.database.engine.dialect, tuple(row))
        values = {n: processors[n](v) if n in processors else v for n, v in row.items()}
        # The pool's driver connection, without a Connection around it (its events, execution
        # options and transaction object cost ~0.035 ms of the intake's POST): one statement, atomic
        # by itself (SQLite's autocommit; committed at the block's end on PostgreSQL).
        with driver_cursor(self.database) as cursor:
            cursor.execute(sql, tuple(values[n] for n in positions) if positions is not None else values)

    def discard(self, doc_id: str) -> None:
        """Forget a record whose job could not be queued (the request was answered with an error)."""
        with self.database.write() as connection:
            connection.execute(delete(DOCUMENTS).where(DOCUMENTS.c.id == doc_id))

    def mark_started(self, doc_id: str, worker: str, pid: int) -> int:
        """Status started, one more attempt, by which worker and process; returns the attempt number
        (0 without a record). One statement (UPDATE ... RETURNING)."""
        with self.database.write_one() as connection:
            attempt = connection.execute(_START.returning(DOCUMENTS.c.attempts), _started(doc_id, worker, pid)
                                         ).scalar()
        return int(attempt or 0)

    def mark_started_unless_signed(self, doc_id: str, worker: str, pid: int) -> DocumentRecord | None:
        """``mark_started`` for a render job, which also needs the record: the record as it is now
        (started, its attempt counted; its files not read), in one statement. None, with nothing
        changed, when there is no record or the document is signed (a late duplicate run must keep
        the file the signed copy was made from): ``get`` tells which."""
        if self.database.dialect == "sqlite":
            statement, converters = _driver_start(self.database.engine.dialect)
            with driver_cursor(self.database) as cursor:
                cursor.execute(statement.sql, statement.parameters(_started(doc_id, worker, pid)))
                mapping = fetch_mapping(cursor, converters)
            return DocumentRecord.from_row(mapping, []) if mapping is not None else None
        with self.database.write_one() as connection:
            row = connection.execute(_START_UNLESS_SIGNED, _started(doc_id, worker, pid)).first()
        return _record(row, []) if row is not None else None

    def mark_finished(self, doc_id: str, fields: dict[str, Any]) -> None:
        """Status finished with the file's name, size and hash and the template used: one transaction
        of three prepared statements (the record, its file rows replaced)."""
        fields = {**fields, "status": DocumentStatus.FINISHED.value, "finished_at": utcnow(), "error": ""}
        split = _split(doc_id, fields)
        if split.extra or split.signed or "id" in split.columns:
            self._write(doc_id, fields)
            return
        if self.database.dialect == "sqlite":
            self._finish_on_sqlite(doc_id, split, fields)
            return
        with self.database.write() as connection:
            if not connection.execute(_UPDATE_BY_ID, {"_id": doc_id, **split.columns}).rowcount:
                log.warning("document %s has no record: %s not written", doc_id, sorted(fields))
                return
            connection.execute(_DELETE_ORIGINALS, {"_id": doc_id})
            if split.files:
                connection.execute(_INSERT_FILES, split.files)

    def _finish_on_sqlite(self, doc_id: str, split: _Split, fields: dict[str, Any]) -> None:
        """mark_finished's transaction as SQLite's own SQL (storage.driver_sql)."""
        update_record, delete_files, insert_file = _driver_finish(self.database.engine.dialect, tuple(split.columns))
        with driver_cursor(self.database, "IMMEDIATE") as cursor:
            cursor.execute(update_record.sql, update_record.parameters({"_id": doc_id, **split.columns}))
            if not cursor.rowcount:
                log.warning("document %s has no record: %s not written", doc_id, sorted(fields))
                return
            cursor.execute(delete_files.sql, delete_files.parameters({"_id": doc_id}))
            if split.files:
                cursor.executemany(insert_file.sql, [insert_file.parameters(row) for row in split.files])

    def put_finished(self, doc_id: str, fields: dict[str, Any], pipeline: Pipeline | None = None) -> None:
        """A record made finished in one write (a batch item: it had no queued life of its own)."""
        self.put_finished_many({doc_id: fields})

    def put_finished_many(self, documents: dict[str, dict[str, Any]]) -> None:
        """Many finished records in one transaction, inserted in bulk (a batch's flush); a record
        that exists already (a chunk run again after a crash) is replaced."""
        if not documents:
            return
        now = utcnow()
        rows: list[dict[str, Any]] = []
        files: list[dict[str, Any]] = []
        extras: list[tuple[str, dict[str, str]]] = []
        for doc_id, fields in documents.items():
            split = _split(doc_id, {**fields, "id": doc_id, "status": DocumentStatus.FINISHED.value,
                                    "created_at": now, "started_at": now, "finished_at": now, "attempts": 1,
                                    "error": ""})
            rows.append(split.columns)
            files += split.files
            if split.extra:
                extras.append((doc_id, split.extra))
        names = sorted({name for row in rows for name in row} | {"extra"})
        extra_of = dict(extras)
        rows = [{name: row.get(name) for name in names} | {
            "extra": json.dumps(extra_of[row["id"]], ensure_ascii=False) if row["id"] in extra_of else None}
            for row in rows]
        with self.database.write() as connection:
            connection.execute(self._upsert(names), rows)
            self._write_files(connection, list(documents), files)

    def _upsert(self, names: list[str]) -> Any:
        if self.database.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        statement = dialect_insert(DOCUMENTS)
        return statement.on_conflict_do_update(
            index_elements=[DOCUMENTS.c.id],
            set_={name: statement.excluded[name] for name in names if name != "id"})

    def note_callback(self, doc_id: str, outcome: str) -> None:
        """How the last callback delivery went ("delivered (200)", "answered 503; retrying")."""
        self._write(doc_id, {"callback_status": outcome, "callback_at": utcnow()})

    def mark_failed(self, doc_id: str, reason: str) -> None:
        """Status failed with a reason a client can read."""
        self._write(doc_id, {"status": DocumentStatus.FAILED.value, "finished_at": utcnow(), "error": reason})

    def mark_retrying(self, doc_id: str, reason: str) -> None:
        """Back to queued after a transient failure; the reason is kept until the next attempt."""
        self._write(doc_id, {"status": DocumentStatus.QUEUED.value, "error": reason})

    def mark_signed(self, doc_id: str, name: str, content: bytes, *,
                    status: DocumentStatus = DocumentStatus.SIGNED, signatures: str | None = None,
                    signed_copies: str | None = None) -> None:
        """The latest signed copy's name, size, hash and arrival time, and ``status`` (signed, or
        partially_signed while a party has still to sign). ``signatures`` is a JSON text: every
        signature in the copy with its signer, time, integrity and trust; ``signed_copies`` a JSON
        text listing every copy received so far (number, size, sha256, time)."""
        fields: dict[str, Any] = {"status": status.value, "signed_at": utcnow(),
                                  "signed": stored_file("pdf", name, content)}
        if signatures is not None:
            fields["signatures"] = signatures
        if signed_copies is not None:
            fields["signed_copies"] = signed_copies
        self._write(doc_id, fields)

    # -- reading -----------------------------------------------------------------------------

    @staticmethod
    def _exists(connection: Connection, doc_id: str) -> bool:
        return connection.execute(select(DOCUMENTS.c.id).where(DOCUMENTS.c.id == doc_id)).first() is not None

    def get(self, doc_id: str) -> DocumentRecord | None:
        """The record, or None when it does not exist."""
        with self.database.read() as connection:
            row = connection.execute(select(DOCUMENTS).where(DOCUMENTS.c.id == doc_id)).first()
            if row is None:
                return None
            files = connection.execute(select(FILES).where(FILES.c.document_id == doc_id)).all()
        return _record(row, files)

    def get_many(self, doc_ids: list[str]) -> dict[str, DocumentRecord]:
        """The records of ``doc_ids`` that exist, by id."""
        if not doc_ids:
            return {}
        with self.database.read() as connection:
            rows = connection.execute(select(DOCUMENTS).where(DOCUMENTS.c.id.in_(doc_ids))).all()
            files = connection.execute(select(FILES).where(FILES.c.document_id.in_(doc_ids))).all()
        by_doc: dict[str, list[Any]] = {}
        for file in files:
            by_doc.setdefault(file.document_id, []).append(file)
        return {row.id: _record(row, by_doc.get(row.id, [])) for row in rows}

    def by_idempotency(self, client: str, key_sha256: str) -> DocumentRecord | None:
        """The client's document first made with the Idempotency-Key whose SHA-256 is ``key_sha256``."""
        with self.database.read() as connection:
            row = connection.execute(select(DOCUMENTS.c.id).where(
                DOCUMENTS.c.client == client, DOCUMENTS.c.idempotency == key_sha256)).first()
        return self.get(row.id) if row is not None else None

    def exists(self, doc_id: str) -> bool:
        with self.database.read() as connection:
            return self._exists(connection, doc_id)

    def in_flight(self) -> list[DocumentRecord]:
        """Single documents accepted and not ended (batch items are the batch's work), oldest first."""
        with self.database.read() as connection:
            rows = connection.execute(select(DOCUMENTS.c.id, DOCUMENTS.c.status, DOCUMENTS.c.created_at)
                                      .where(IN_FLIGHT_CONDITION, DOCUMENTS.c.batch.is_(None))
                                      .order_by(DOCUMENTS.c.created_at)).all()
        return [DocumentRecord(id=r.id, status=r.status, created_at=r.created_at) for r in rows]

    def revoke(self, doc_id: str, reason: str, by: str) -> bool:
        """Withdraw an issued document: status revoked, when, why and by whom; files stay. False
        when the document is not in a state that can be revoked (not issued, or revoked already)."""
        with self.database.write() as connection:
            return bool(connection.execute(update(DOCUMENTS).where(
                DOCUMENTS.c.id == doc_id, DOCUMENTS.c.status.in_(sorted(DOWNLOADABLE))).values(
                status=DocumentStatus.REVOKED.value, revoked_at=utcnow(), revoked_reason=reason,
                revoked_by=by)).rowcount)

    def list(self, *, client: str | None = None, status: str | None = None, doc_type: str | None = None,
             year: int | None = None, batch: str | None = None, before: tuple[str, str] | None = None,
             limit: int = 50, ref: str | None = None, created_after: str | None = None,
             created_before: str | None = None) -> list[DocumentRecord]:
        """Records newest first, filtered; ``client`` None lists every client's. ``before`` is the
        (created_at, id) of the last record of the previous page (keyset paging: a page costs the
        same however deep it is). ``created_after``/``created_before`` bound the creation time
        (ISO 8601, exclusive)."""
        query = newest_first(select(*_LISTED), DOCUMENTS,
                             {"client": client, "status": status, "type": doc_type, "year": year, "batch": batch,
                              "ref": ref},
                             created_after=created_after, created_before=created_before, before=before, limit=limit)
        if status is not None:
            # the status listings' indexes are partial (migration 0005): a planner uses one only when
            # the query repeats its condition literally
            query = query.where(IN_FLIGHT_CONDITION if status in IN_FLIGHT else ENDED_CONDITION)
        with self.database.read() as connection:
            rows = connection.execute(query).all()
            ids = [row.id for row in rows]
            files = connection.execute(select(FILES).where(FILES.c.document_id.in_(ids))).all() if ids else []
        by_doc: dict[str, list[Any]] = {}
        for file in files:
            by_doc.setdefault(file.document_id, []).append(file)
        return [_record(row, by_doc.get(row.id, [])) for row in rows]

    def count(self) -> int:
        with self.database.read() as connection:
            return int(connection.execute(select(func.count()).select_from(DOCUMENTS)).scalar() or 0)
