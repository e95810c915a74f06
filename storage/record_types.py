"""The typed records: a DocumentRecord and a BatchRecord declare every field once, with their
conversions to and from the database row and to and from the flat hash of strings Redis keeps
(as RQ's Job has to_dict/restore). A document's formats are one list, ``formats``, the main
one first; its files are StoredFile values, the signed copy one more.

Every shape an earlier version wrote is read through ONE function per record,
``migrate_document`` and ``migrate_batch``: the Redis hashes of the version before the
database (``format`` comma separated, the main file under ``file_name``/``file_size``/
``file_sha256``/``file_extension``, each format's under ``file_{ext}_*``, the signed copy under
``signed_*``), rows whose ``formats`` column was left empty, and a batch's single ``format``.
Nothing else reads a legacy field. Fields no record declares are kept in ``extra`` and written
back as they came, so a newer writer's fields survive an older reader.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BatchRecord", "DocumentRecord", "StoredFile", "migrate_batch", "migrate_document"]


@dataclass(frozen=True)
class StoredFile:
    """One file of a document, as its record describes it."""

    extension: str
    name: str
    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> StoredFile:
        return cls(str(raw["extension"]), str(raw["name"]), int(raw.get("size") or 0), str(raw.get("sha256") or ""))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value if isinstance(value, str) else str(value)


def _int(value: Any) -> int | None:
    return None if value is None or str(value) == "" else int(value)


def _list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v]
    return [f for f in str(value or "").split(",") if f]


class _FlatRecord:
    """What both records do alike: every field as the record store writes it, and the flat hash
    of strings Redis keeps (lists comma separated, files as JSON, flags "1"/"", empty fields left
    out; fields no record declares written back as they came)."""

    extra: dict[str, str]

    def to_fields(self) -> dict[str, Any]:
        """Every field, as the record store writes it (``formats`` a list, ``files`` StoredFiles)."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "extra"}
        return {**self.extra, **fields}

    def to_redis(self) -> dict[str, str]:
        out: dict[str, str] = dict(self.extra)
        for name, value in self.to_fields().items():
            if name not in self.extra and value is not None:
                out[name] = _redis_text(name, value)
        return out


def _redis_text(name: str, value: Any) -> str:
    if name == "files":
        return json.dumps([f.to_dict() for f in value], ensure_ascii=False)
    if isinstance(value, StoredFile):
        return json.dumps(value.to_dict(), ensure_ascii=False)
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def _decoded(raw: Mapping[bytes | str, bytes | str]) -> dict[str, str]:
    """A Redis hash as text."""
    return {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in raw.items()}


@dataclass
class DocumentRecord(_FlatRecord):
    """One requested document, from acceptance to the end of its retention.

    JSON-valued fields (``request``, ``summary``, ``warnings``, ``signatures``,
    ``signed_copies``) are kept as the text stored: the request's decimals stay exact, and a
    reader parses only what it shows.
    """

    id: str
    type: str = ""
    status: str = "queued"
    formats: list[str] = field(default_factory=list)
    """The formats asked for and made, the main one first."""
    client: str = ""
    error: str | None = None
    template_name: str | None = None
    template_version: int | None = None
    template_sha256: str | None = None
    request: str | None = None
    summary: str | None = None
    callback_url: str | None = None
    callback_status: str | None = None
    callback_at: str | None = None
    batch: str | None = None
    ref: str | None = None
    amends: str | None = None
    """A PK Perubahan: the id of the earlier PK of ours it amends (``pk_awal.document_id``)."""
    attempts: int = 0
    worker: str | None = None
    pid: int | None = None
    warnings: str | None = None
    signatures: str | None = None
    signed_copies: str | None = None
    files: list[StoredFile] = field(default_factory=list)
    """One file per format (in the order of ``formats``) once made."""
    signed: StoredFile | None = None
    """The latest signed copy that came back."""
    signed_at: str | None = None
    revoked_at: str | None = None
    revoked_reason: str | None = None
    revoked_by: str | None = None
    files_purged_at: str | None = None
    idempotency: str | None = None
    request_sha256: str | None = None
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    """Fields no version of this record declares (kept, written back as they came)."""

    @property
    def main_file(self) -> StoredFile | None:
        return self.files[0] if self.files else None

    def file(self, extension: str) -> StoredFile | None:
        return next((f for f in self.files if f.extension == extension), None)

    # -- the database ------------------------------------------------------------------------

    @classmethod
    def from_row(cls, row: Mapping[str, Any], files: Iterable[Any]) -> DocumentRecord:
        """A ``documents`` row (its ``extra`` JSON included) and its ``document_files`` rows."""
        raw = {k: v for k, v in row.items() if k != "extra" and v is not None}
        raw = {**json.loads(row.get("extra") or "{}"), **raw}
        originals = sorted((f for f in files if f.kind == "original"), key=lambda f: f.position)
        raw["files"] = [StoredFile(f.extension, f.name, int(f.size), f.sha256) for f in originals]
        signed = next((f for f in files if f.kind == "signed"), None)
        if signed is not None:
            raw["signed"] = StoredFile("pdf", signed.name, int(signed.size), signed.sha256)
        return migrate_document(raw)

    # -- Redis -------------------------------------------------------------------------------

    @classmethod
    def from_redis(cls, raw: Mapping[bytes | str, bytes | str]) -> DocumentRecord:
        """A Redis hash: one ``to_redis`` wrote, or a record of the version before the database."""
        return migrate_document(_decoded(raw))


_DOCUMENT_FIELDS = {f.name for f in dataclasses.fields(DocumentRecord)} - {"extra"}
_DOCUMENT_INTS = {"template_version", "pid"}
_LEGACY_MAIN = ("file_name", "file_size", "file_sha256", "file_extension")
_LEGACY_SIGNED = ("signed_name", "signed_size", "signed_sha256")
_NOT_FIELDS = {"format", "year", "agency", "parties"}
"""Read into a declared field (``format``: ``formats``) or columns derived from the summary for searches."""


def _legacy_files(raw: Mapping[str, Any], formats: list[str]) -> list[StoredFile]:
    if not raw.get("file_name"):
        return []
    described = [ext for ext in formats if raw.get(f"file_{ext}_name")]
    if described:
        return [StoredFile(ext, str(raw[f"file_{ext}_name"]), int(raw.get(f"file_{ext}_size") or 0),
                           str(raw.get(f"file_{ext}_sha256") or "")) for ext in described]
    # written before documents had several formats: the single file under file_*
    extension = str(raw.get("file_extension") or (formats[0] if formats else ""))
    return [StoredFile(extension, str(raw["file_name"]), int(raw.get("file_size") or 0),
                       str(raw.get("file_sha256") or ""))]


def _is_legacy_file_field(name: str) -> bool:
    return name in _LEGACY_MAIN or name in _LEGACY_SIGNED or (
        name.startswith("file_") and name.rsplit("_", 1)[-1] in ("name", "size", "sha256"))


def migrate_document(raw: Mapping[str, Any]) -> DocumentRecord:
    """THE reader of every shape a document record was ever written in (see the module's docstring)."""
    formats = _list(raw.get("formats")) or _list(raw.get("format"))
    files = raw.get("files")
    if isinstance(files, str):
        files = [StoredFile.from_dict(f) for f in json.loads(files or "[]")]
    if files is None:
        files = _legacy_files(raw, formats)
    if not formats:
        formats = [f.extension for f in files]
    signed = raw.get("signed")
    if isinstance(signed, str):
        signed = StoredFile.from_dict(json.loads(signed)) if signed else None
    if signed is None and raw.get("signed_sha256"):
        signed = StoredFile("pdf", str(raw.get("signed_name") or ""), int(raw.get("signed_size") or 0),
                            str(raw["signed_sha256"]))
    declared: dict[str, Any] = {}
    extra: dict[str, str] = {}
    for name, value in raw.items():
        if name in ("formats", "files", "signed") or name in _NOT_FIELDS or _is_legacy_file_field(name):
            continue
        if name in _DOCUMENT_FIELDS:
            declared[name] = _int(value) if name in _DOCUMENT_INTS else (
                int(value or 0) if name == "attempts" else _text(value))
        elif value is not None:
            extra[name] = _text(value) or ""
    declared["client"] = declared.get("client") or ""
    declared["type"] = declared.get("type") or ""
    declared["status"] = declared.get("status") or "queued"
    return DocumentRecord(**declared, formats=formats, files=list(files), signed=signed, extra=extra)


@dataclass
class BatchRecord(_FlatRecord):
    """A batch: as accepted, its counts while it runs (kept in Redis), its outcome once archived."""

    id: str
    type: str = ""
    formats: list[str] = field(default_factory=list)
    """The format of every item (one for now), as one list like a document's."""
    status: str = "running"
    client: str = ""
    total: int = 0
    chunk_size: int = 0
    chunks: int = 0
    template_name: str | None = None
    template_version: int | None = None
    template_sha256: str | None = None
    strict: bool = False
    merge_per_agency: bool = False
    idempotency: str | None = None
    request_sha256: str | None = None
    finished: int = 0
    failed: int = 0
    warned: int = 0
    archive_size: int | None = None
    created_at: str | None = None
    started_at: str | None = None
    last_item_at: str | None = None
    finished_at: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def format(self) -> str:
        """The items' format as the API names it ("pdf")."""
        return ",".join(self.formats)

    @classmethod
    def from_redis(cls, raw: Mapping[bytes | str, bytes | str]) -> BatchRecord:
        return migrate_batch(_decoded(raw))

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> BatchRecord:
        """A ``batches`` row, its ``extra`` JSON (counts and outcome once archived) included."""
        raw = {k: v for k, v in row.items() if k != "extra" and v is not None}
        return migrate_batch({**json.loads(row.get("extra") or "{}"), **raw})


_BATCH_FIELDS = {f.name for f in dataclasses.fields(BatchRecord)} - {"extra"}
_BATCH_INTS = {"total", "chunk_size", "chunks", "finished", "failed", "warned"}
_BATCH_BOOLS = {"strict", "merge_per_agency"}


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def migrate_batch(raw: Mapping[str, Any]) -> BatchRecord:
    """THE reader of every shape a batch record was ever written in: the hash of the version
    before the database (``format``, flags "1"/"" or "0"/"1") and the database's row and extra."""
    declared: dict[str, Any] = {"formats": _list(raw.get("formats")) or _list(raw.get("format"))}
    extra: dict[str, str] = {}
    for name, value in raw.items():
        if name in ("format", "formats", "failed_items"):
            continue
        if name in _BATCH_INTS:
            declared[name] = int(value or 0)
        elif name in _BATCH_BOOLS:
            declared[name] = _flag(value)
        elif name in ("template_version", "archive_size"):
            declared[name] = _int(value)
        elif name in _BATCH_FIELDS:
            declared[name] = _text(value)
        elif value is not None:
            extra[name] = _text(value) or ""
    declared["client"] = declared.get("client") or ""
    declared["type"] = declared.get("type") or ""
    declared["status"] = declared.get("status") or "running"
    return BatchRecord(**declared, extra=extra)
