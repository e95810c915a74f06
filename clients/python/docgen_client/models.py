"""The shapes the service answers with, as TypedDicts (the JSON stays plain dicts)."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

__all__ = ["Batch", "BatchError", "Document", "FileInfo", "Page"]


class FileInfo(TypedDict):
    name: str
    size: int
    sha256: str
    content_type: NotRequired[str]
    link: NotRequired[str]


class Document(TypedDict):
    """GET /api/v1/documents/{id}."""

    id: str
    status: str
    """queued, started, finished, failed, partially_signed, signed or revoked."""
    type: NotRequired[str]
    format: NotRequired[str | list[str]]
    error: NotRequired[str | None]
    file: NotRequired[FileInfo | None]
    files: NotRequired[dict[str, FileInfo] | None]
    warnings: NotRequired[list[dict[str, Any]]]
    revoked: NotRequired[dict[str, str] | None]
    links: dict[str, str]


class Batch(TypedDict):
    """GET /api/v1/batches/{id}."""

    id: str
    status: str
    """running or finished."""
    total: int
    queued: NotRequired[int]
    started: NotRequired[int]
    finished: NotRequired[int]
    failed: NotRequired[int]
    progress: NotRequired[float]
    documents_per_second: NotRequired[float | None]
    archive_ready: NotRequired[bool]
    links: dict[str, str]


class BatchError(TypedDict):
    """One failed item of GET /api/v1/batches/{id}/errors."""

    ref: str
    index: int
    error: str
    errors: list[dict[str, Any]]


class Page(TypedDict):
    items: list[Any]
    next: str | None
