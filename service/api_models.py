"""The shapes of the API's answers and query parameters, as pydantic models for the OpenAPI
document (the views build plain dicts; tests check the answers against these schemas)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Accepted", "Batch", "BatchAccepted", "BatchErrors", "BatchListQuery", "BatchPage", "BatchWarnings",
           "Document", "DocumentListQuery", "DocumentPage", "FileQuery", "PreviewQuery", "QualityWarning",
           "TemplateHistory", "TemplateList", "TemplateUploaded", "TemplateVersion", "WorkbookQuery"]

_DOC_ID = "3f0c6a1e9b2d4c5f8a7b6c5d4e3f2a1b"
_BATCH_ID = "9a1b2c3d4e5f60718293a4b5c6d7e8f9"
_BASE = "http://127.0.0.1:8000/api/v1"


class QualityWarning(BaseModel):
    """A quality warning or a field error: its code, the field's path, a sentence (and, for a
    workbook row, the cell and column header)."""

    code: str | None = None
    loc: str | None = None
    msg: str
    cell: str | None = None
    header: str | None = None


class Accepted(BaseModel):
    """The answer to an accepted POST: the new resource's id, status and links."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": _DOC_ID, "status": "queued", "warnings": [],
        "links": {"self": f"{_BASE}/documents/{_DOC_ID}", "file": f"{_BASE}/documents/{_DOC_ID}/file"}}]})

    id: str
    status: str
    links: dict[str, str]
    warnings: list[QualityWarning] | None = Field(default=None, description="Quality warnings (non-fatal).")


class BatchAccepted(BaseModel):
    """The answer to an accepted batch."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": _BATCH_ID, "status": "running", "total": 120, "links": {"self": f"{_BASE}/batches/{_BATCH_ID}"}}]})

    id: str
    status: str
    total: int
    links: dict[str, str]


class TemplateRef(BaseModel):
    name: str | None
    version: int | None
    sha256: str | None


class StoredFile(BaseModel):
    name: str
    size: int
    sha256: str
    content_type: str
    link: str | None = None


class Revocation(BaseModel):
    at: str
    reason: str
    by: str


class Document(BaseModel):
    """A document as GET /api/v1/documents/{id} shows it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": _DOC_ID, "type": "pk", "format": "docx", "status": "finished", "error": None,
        "template": {"name": "pk", "version": 1, "sha256": "5d41402abc4b2a76b9719d911017c592" * 2},
        "file": {"name": "PK-2026-Dinas-Komunikasi-dan-Informatika-Rahmat-Hidayat-Lubis.docx", "size": 48213,
                 "sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
                 "content_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        "files": None, "signed": None, "attempts": 1, "created_at": "2026-01-05T08:00:00Z",
        "started_at": "2026-01-05T08:00:01Z", "finished_at": "2026-01-05T08:00:02Z", "warnings": [],
        "callback_status": None, "revoked": None,
        "links": {"self": f"{_BASE}/documents/{_DOC_ID}", "file": f"{_BASE}/documents/{_DOC_ID}/file"}}]})

    id: str
    type: str
    format: str | list[str]
    status: Literal["queued", "started", "finished", "failed", "partially_signed", "signed", "revoked"]
    error: str | None
    template: TemplateRef
    file: dict[str, Any] | None = Field(description="The first format's file: name, size, sha256, content_type.")
    files: dict[str, StoredFile] | None = Field(description="Every format's file, by extension.")
    signed: dict[str, Any] | None = Field(description="The signed copy and its signatures, once one came back.")
    attempts: int
    created_at: str
    started_at: str | None
    finished_at: str | None
    warnings: list[QualityWarning]
    callback_status: str | None
    revoked: Revocation | None = Field(description="When, why and by whom the document was revoked.")
    links: dict[str, str]
    amends: str | None = Field(default=None, description="A PK Perubahan: the id of the earlier PK of this "
                               "service it amends (pk_awal.document_id); single-document reads only.")
    amended_by: list[dict[str, Any]] | None = Field(
        default=None, description="A PK: the PK Perubahan that amend it (id, status, created_at, finished_at, "
        "verify_url); single-document reads only.")


class DocumentPage(BaseModel):
    """One page of documents, newest first; ``next`` links the following page (null on the last)."""

    items: list[Document]
    next: str | None


class BatchTemplate(BaseModel):
    name: str
    version: int
    sha256: str


class Batch(BaseModel):
    """A batch's counts and progress, as GET /api/v1/batches/{id} shows it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": _BATCH_ID, "type": "pk", "format": "pdf", "status": "running", "total": 120, "queued": 40,
        "started": 20, "finished": 58, "failed": 2, "warned": 3, "progress": 50.0,
        "template": {"name": "pk", "version": 1, "sha256": "5d41402abc4b2a76b9719d911017c592" * 2},
        "created_at": "2026-01-05T08:00:00Z", "started_at": "2026-01-05T08:00:01Z", "items_ended_at": None,
        "finished_at": None, "documents_per_second": 12.5, "archive_ready": False,
        "links": {"self": f"{_BASE}/batches/{_BATCH_ID}", "errors": f"{_BASE}/batches/{_BATCH_ID}/errors",
                  "warnings": f"{_BASE}/batches/{_BATCH_ID}/warnings",
                  "archive": f"{_BASE}/batches/{_BATCH_ID}/archive"}}]})

    id: str
    type: str
    format: str
    status: Literal["running", "finished"]
    total: int
    queued: int
    started: int
    finished: int
    failed: int
    warned: int
    progress: float = Field(description="Percent of the items that have ended.")
    template: BatchTemplate
    created_at: str
    started_at: str | None
    items_ended_at: str | None
    finished_at: str | None
    documents_per_second: float | None
    archive_ready: bool
    links: dict[str, str]


class BatchPage(BaseModel):
    """One page of batches, newest first."""

    items: list[Batch]
    next: str | None


class FailedItem(BaseModel):
    ref: str
    index: int
    error: str
    errors: list[QualityWarning]


class BatchErrors(BaseModel):
    """The failed items of a batch and why."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": _BATCH_ID, "failed": [{
        "ref": "A-2", "index": 1, "error": "data.pihak_pertama.nip: NIP harus 18 digit",
        "errors": [{"code": "nip_panjang", "loc": "data.pihak_pertama.nip", "msg": "NIP harus 18 digit"}]}]}]})

    id: str
    failed: list[FailedItem]


class WarnedItem(BaseModel):
    ref: str
    index: int
    id: str
    warnings: list[QualityWarning]


class BatchWarnings(BaseModel):
    """The finished items of a batch that have quality warnings."""

    id: str
    items: list[WarnedItem]


class TemplateHistory(BaseModel):
    """A document type's template versions and activations."""

    model_config = ConfigDict(extra="allow")

    type: str
    versions: list[dict[str, Any]]


class TemplateVersion(BaseModel):
    """One template version."""

    model_config = ConfigDict(extra="allow")

    version: int
    sha256: str
    links: dict[str, str]


class TemplateList(BaseModel):
    templates: list[TemplateHistory]


class TemplateUploaded(BaseModel):
    """A template version accepted by every check (not active yet)."""

    type: str
    version: int
    sha256: str
    active: bool
    checks: Any
    links: dict[str, str]


class DocumentListQuery(BaseModel):
    status: str | None = Field(default=None, description="queued, started, finished, failed, signed, revoked...")
    type: str | None = Field(default=None, description="Document type: pk or lkjip.")
    year: int | None = Field(default=None, ge=1900, le=9999, description="The document's year (tahun).")
    tahun: int | None = Field(default=None, ge=1900, le=9999, description="Same as year.")
    batch: str | None = Field(default=None, description="Only the items of this batch.")
    ref: str | None = Field(default=None, description="The batch item's ref.")
    created_after: str | None = Field(default=None, description="ISO 8601 time, exclusive.")
    created_before: str | None = Field(default=None, description="ISO 8601 time, exclusive.")
    limit: int | None = Field(default=None, ge=1, le=200, description="Records per page (default 50).")
    before: str | None = Field(default=None, description="Cursor from the previous page's next link.")


class BatchListQuery(BaseModel):
    status: Literal["running", "finished"] | None = None
    type: str | None = Field(default=None, description="Document type: pk or lkjip.")
    created_after: str | None = Field(default=None, description="ISO 8601 time, exclusive.")
    created_before: str | None = Field(default=None, description="ISO 8601 time, exclusive.")
    limit: int | None = Field(default=None, ge=1, le=200, description="Batches per page (default 50).")
    before: str | None = Field(default=None, description="Cursor from the previous page's next link.")


class FileQuery(BaseModel):
    format: str | None = Field(default=None, description="One of the requested formats (default: the first).")
    version: Literal["original", "signed"] | None = Field(default=None, description="The signed copy: signed.")


class WorkbookQuery(BaseModel):
    type: str | None = Field(default=None, description="pk (default) or lkjip.")


class PreviewQuery(BaseModel):
    format: Literal["docx", "pdf"] | None = Field(default=None, description="docx (default) or pdf.")
