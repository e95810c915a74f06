"""The system of record's tables: issued documents, their files, and batches.

A document row keeps what a verification, a status read or an audit years later needs: who
asked, what was made from which template, every file's hash, signatures, revocation, and
timestamps. Fields a newer writer adds without a column of its own land in ``extra`` (JSON),
so no field passed to the record store is lost. ``status`` is a plain string: new statuses
need no migration.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["ENDED_CONDITION", "IN_FLIGHT_CONDITION", "Asset", "Base", "Batch", "BatchChunk", "Document", "DocumentFile",
           "UtcTimestamp",
           "parse_timestamp"]


def parse_timestamp(value: str) -> dt.datetime:
    """An ISO 8601 timestamp ("2026-01-05T08:00:00Z") as an aware UTC datetime."""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


class UtcTimestamp(TypeDecorator[str]):
    """A real timestamp column (retention and listings compare them) that the record store
    reads and writes as the ISO strings records have always carried."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> dt.datetime | None:
        if value in (None, ""):
            return None
        parsed = value if isinstance(value, dt.datetime) else parse_timestamp(str(value))
        # SQLite keeps no time zone: store naive UTC there, aware elsewhere.
        return parsed.replace(tzinfo=None) if dialect.name == "sqlite" else parsed

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


IN_FLIGHT_CONDITION = text("status IN ('queued', 'started')")
"""Accepted and not ended, written as the partial index has it (a query must repeat it literally)."""
ENDED_CONDITION = text("status NOT IN ('queued', 'started')")
"""Ended (finished, failed, signed, revoked...), as the status listings' partial indexes have it (0005)."""
_HAS_YEAR = text("year IS NOT NULL")
_HAS_BATCH = text("batch IS NOT NULL")
_HAS_KEY = text("idempotency IS NOT NULL")
_AMENDS = text("amends IS NOT NULL")
_HAS_REF = text("ref IS NOT NULL")


class Base(DeclarativeBase):
    pass


class Document(Base):
    """One requested document, from acceptance to the end of its retention."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client: Mapped[str] = mapped_column(String(100), default="")
    type: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(50), default="")
    """The requested formats, comma separated ("docx,pdf")."""
    formats: Mapped[str | None] = mapped_column(String(50))
    """The formats made, comma separated, the main one first."""
    status: Mapped[str] = mapped_column(String(30))
    year: Mapped[int | None] = mapped_column(Integer)
    agency: Mapped[str | None] = mapped_column(Text)
    parties: Mapped[str | None] = mapped_column(Text)
    """JSON: the parties named on the document, by role."""
    summary: Mapped[str | None] = mapped_column(Text)
    """JSON: the public summary the verification page shows."""
    template_name: Mapped[str | None] = mapped_column(String(200))
    template_version: Mapped[int | None] = mapped_column(Integer)
    template_sha256: Mapped[str | None] = mapped_column(String(64))
    request: Mapped[str | None] = mapped_column(Text)
    """The request body as received (single documents; batch items live in their chunk)."""
    callback_url: Mapped[str | None] = mapped_column(Text)
    callback_status: Mapped[str | None] = mapped_column(Text)
    callback_at: Mapped[str | None] = mapped_column(UtcTimestamp)
    batch: Mapped[str | None] = mapped_column(String(64))
    ref: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200))
    pid: Mapped[int | None] = mapped_column(Integer)
    warnings: Mapped[str | None] = mapped_column(Text)
    """JSON: the document's warnings, a list of {code, loc, msg}."""
    signatures: Mapped[str | None] = mapped_column(Text)
    """JSON: the signatures found on the signed copy and how each validated."""
    signed_at: Mapped[str | None] = mapped_column(UtcTimestamp)
    revoked_at: Mapped[str | None] = mapped_column(UtcTimestamp)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    files_purged_at: Mapped[str | None] = mapped_column(UtcTimestamp)
    """When the files were deleted; the record and its hashes stay ("berkas dihapus, sidik tetap")."""
    extra: Mapped[str | None] = mapped_column(Text)
    """JSON object: every field passed in that has no column of its own."""
    idempotency: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the client's Idempotency-Key, so a retry finds its document after Redis was lost."""
    request_sha256: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the request the key was first used with (another body with the key is a 409)."""
    created_at: Mapped[str] = mapped_column(UtcTimestamp)
    started_at: Mapped[str | None] = mapped_column(UtcTimestamp)
    finished_at: Mapped[str | None] = mapped_column(UtcTimestamp)
    amends: Mapped[str | None] = mapped_column(String(64))
    """The id of the earlier PK of ours that this PK Perubahan amends (``pk_awal.document_id``)."""

    # listings page newest first by (created_at, id), of one client or of all
    __table_args__ = (Index("ix_documents_created", "created_at", "id"),
                      Index("ix_documents_idempotency", "client", "idempotency", sqlite_where=_HAS_KEY,
                            postgresql_where=_HAS_KEY),
                      Index("ix_documents_client_created", "client", "created_at", "id"),
                      # partial: the reconcile's work in flight, and a listing of queued or started documents
                      Index("ix_documents_in_flight", "status", "created_at", "id", sqlite_where=IN_FLIGHT_CONDITION,
                            postgresql_where=IN_FLIGHT_CONDITION),
                      Index("ix_documents_batch", "batch", sqlite_where=_HAS_BATCH, postgresql_where=_HAS_BATCH),
                      Index("ix_documents_amends", "amends", sqlite_where=_AMENDS, postgresql_where=_AMENDS),
                      # a listing narrowed by status, year or ref (migration 0004, bench/listing_bench.py); the
                      # status and year ones hold ended records and records with a year only (0005): a queued
                      # record writes neither (the intake's INSERT, issue 15)
                      Index("ix_documents_client_status_created", "client", "status", "created_at", "id",
                            sqlite_where=ENDED_CONDITION, postgresql_where=ENDED_CONDITION),
                      Index("ix_documents_status_created", "status", "created_at", "id",
                            sqlite_where=ENDED_CONDITION, postgresql_where=ENDED_CONDITION),
                      Index("ix_documents_client_year_created", "client", "year", "created_at", "id",
                            sqlite_where=_HAS_YEAR, postgresql_where=_HAS_YEAR),
                      Index("ix_documents_year_created", "year", "created_at", "id",
                            sqlite_where=_HAS_YEAR, postgresql_where=_HAS_YEAR),
                      Index("ix_documents_ref", "ref", sqlite_where=_HAS_REF, postgresql_where=_HAS_REF))


class DocumentFile(Base):
    """One file of a document: each format made, and the signed copy that came back."""

    __tablename__ = "document_files"

    document_id: Mapped[str] = mapped_column(String(64), ForeignKey("documents.id", ondelete="CASCADE"),
                                             primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    """"original" or "signed"."""
    extension: Mapped[str] = mapped_column(String(20), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    """Order of the formats: 0 is the main file."""
    name: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)


class Batch(Base):
    """A batch as accepted: enough to queue its work again if Redis is lost."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client: Mapped[str] = mapped_column(String(100), default="", index=True)
    type: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(50))
    total: Mapped[int] = mapped_column(Integer)
    chunk_size: Mapped[int] = mapped_column(Integer)
    chunks: Mapped[int] = mapped_column(Integer)
    template_name: Mapped[str | None] = mapped_column(String(200))
    template_version: Mapped[int | None] = mapped_column(Integer)
    template_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(30), index=True)
    extra: Mapped[str | None] = mapped_column(Text)
    idempotency: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the client's Idempotency-Key, so a retry finds its batch after Redis was lost."""
    request_sha256: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the request the key was first used with."""
    created_at: Mapped[str] = mapped_column(UtcTimestamp, index=True)
    finished_at: Mapped[str | None] = mapped_column(UtcTimestamp)

    __table_args__ = (Index("ix_batches_idempotency", "client", "idempotency", sqlite_where=_HAS_KEY,
                            postgresql_where=_HAS_KEY),)


class BatchChunk(Base):
    """The items of one chunk of a batch, as JSON, kept as long as the batch."""

    __tablename__ = "batch_chunks"

    batch_id: Mapped[str] = mapped_column(String(64), ForeignKey("batches.id", ondelete="CASCADE"),
                                          primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    items: Mapped[str] = mapped_column(Text)


class Asset(Base):
    """A picture an administrator uploaded once (an agency's logo, the Garuda), named by id in
    requests (``{"asset": id}``); the bytes live in the data folder (storage/assets.py)."""

    __tablename__ = "assets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    """What the administrator called it ("Logo Kabupaten Deli Serdang")."""
    media_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[str] = mapped_column(UtcTimestamp, index=True)
