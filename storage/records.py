"""The document record: the service's own Redis hash, kept for days, not RQ's short-lived result."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis import Redis
from redis.client import Pipeline

__all__ = ["DOWNLOADABLE", "DocumentStatus", "RecordStore", "StoredFile", "file_record_fields", "signed_file",
           "stored_files", "utcnow"]

KEY_PREFIX = "docgen:doc:"
"""Prefix of the Redis hash holding one document's record."""


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


DOWNLOADABLE = frozenset({DocumentStatus.FINISHED.value, DocumentStatus.PARTIALLY_SIGNED.value,
                          DocumentStatus.SIGNED.value})
"""Statuses in which a document's files exist."""


@dataclass(frozen=True)
class StoredFile:
    """One file of a document, as its record describes it."""

    extension: str
    name: str
    size: int
    sha256: str


def file_record_fields(extension: str, name: str, content: bytes) -> dict[str, Any]:
    """Record fields describing the file of one format (``file_pdf_name``, ...)."""
    return {f"file_{extension}_name": name, f"file_{extension}_size": len(content),
            f"file_{extension}_sha256": hashlib.sha256(content).hexdigest()}


def stored_files(record: dict[str, str]) -> list[StoredFile]:
    """The document's files, one per format, the main one first. Records written before
    documents had several formats describe their single file under ``file_*``."""
    if not record.get("file_name"):
        return []
    formats = [f for f in record.get("formats", "").split(",") if f]
    if not formats:
        return [StoredFile(record["file_extension"], record["file_name"], int(record["file_size"]),
                           record["file_sha256"])]
    return [StoredFile(ext, record[f"file_{ext}_name"], int(record[f"file_{ext}_size"]), record[f"file_{ext}_sha256"])
            for ext in formats]


def signed_file(record: dict[str, str]) -> StoredFile | None:
    """The signed copy that came back, if any."""
    if not record.get("signed_sha256"):
        return None
    return StoredFile("pdf", record["signed_name"], int(record["signed_size"]), record["signed_sha256"])


def utcnow() -> str:
    """Now, as an ISO 8601 UTC timestamp with seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class RecordStore:
    """Reads and updates document records; every write refreshes the record's time to live."""

    def __init__(self, connection: Redis, ttl_seconds: int) -> None:
        self.connection = connection
        self.ttl_seconds = ttl_seconds

    @staticmethod
    def key(doc_id: str) -> str:
        return KEY_PREFIX + doc_id

    def _write(self, doc_id: str, fields: dict[str, Any], pipeline: Pipeline | None = None) -> None:
        target = pipeline if pipeline is not None else self.connection.pipeline()
        clean = {k: "" if v is None else str(v) for k, v in fields.items()}
        target.hset(self.key(doc_id), mapping=clean)
        target.expire(self.key(doc_id), self.ttl_seconds)
        if pipeline is None:
            target.execute()

    def create(self, doc_id: str, fields: dict[str, Any], pipeline: Pipeline | None = None) -> None:
        """A new record in state queued; ``fields`` holds type, format, template and the raw request."""
        self._write(doc_id, {**fields, "id": doc_id, "status": DocumentStatus.QUEUED.value,
                             "created_at": utcnow(), "attempts": 0}, pipeline)

    def get(self, doc_id: str) -> dict[str, str] | None:
        """The record's fields as strings, or None when it does not exist (or expired)."""
        raw = self.connection.hgetall(self.key(doc_id))
        if not raw:
            return None
        return {k.decode(): v.decode() for k, v in raw.items()}

    def exists(self, doc_id: str) -> bool:
        return bool(self.connection.exists(self.key(doc_id)))

    def mark_started(self, doc_id: str, worker: str, pid: int) -> int:
        """Status started, one more attempt, by which worker and process; returns the attempt number."""
        attempt = self.connection.hincrby(self.key(doc_id), "attempts", 1)
        self._write(doc_id, {"status": DocumentStatus.STARTED.value, "started_at": utcnow(), "error": "",
                             "worker": worker, "pid": pid})
        return int(attempt)

    def mark_finished(self, doc_id: str, fields: dict[str, Any]) -> None:
        """Status finished with the file's name, size and hash and the template used."""
        self._write(doc_id, {**fields, "status": DocumentStatus.FINISHED.value,
                             "finished_at": utcnow(), "error": ""})

    def put_finished(self, doc_id: str, fields: dict[str, Any], pipeline: Pipeline) -> None:
        """A record made finished in one write (a batch item: it had no queued life of its own)."""
        now = utcnow()
        self._write(doc_id, {**fields, "id": doc_id, "status": DocumentStatus.FINISHED.value, "created_at": now,
                             "started_at": now, "finished_at": now, "attempts": 1, "error": ""}, pipeline)

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
        fields: dict[str, Any] = {"status": status.value, "signed_at": utcnow(), "signed_name": name,
                                  "signed_size": len(content), "signed_sha256": hashlib.sha256(content).hexdigest()}
        if signatures is not None:
            fields["signatures"] = signatures
        if signed_copies is not None:
            fields["signed_copies"] = signed_copies
        self._write(doc_id, fields)
