"""Document files on disk: where each one lives, written atomically, hashed."""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import tempfile
from pathlib import Path

__all__ = ["CONTENT_TYPES", "document_path", "sha256_hex", "sync_filesystem", "write_atomic"]

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
"""Media type of each output format, by file extension."""


def document_path(documents_dir: Path, doc_id: str, extension: str) -> Path:
    """documents/ab/abcdef....docx: sharded so no folder grows to hundreds of thousands of files."""
    return documents_dir / doc_id[:2] / f"{doc_id}.{extension}"


def write_atomic(path: Path, content: bytes, durable: bool = True) -> None:
    """Readers see the old file or the whole new one, never a half-written one. With
    ``durable=False`` the caller makes it durable later, many files at once (``sync_filesystem``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def sync_filesystem(folder: Path) -> None:
    """Everything written to the file system holding ``folder`` is on disk when this returns:
    file contents and the renames that put them in place, for many files with one call.
    syncfs(2) waits for that file system only (os.sync waits for every disk of the machine,
    other tenants' writes included); os.sync where syncfs is missing."""
    syncfs = getattr(_libc, "syncfs", None)
    if syncfs is None:
        os.sync()
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if syncfs(fd) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"syncfs {folder}: {os.strerror(error)}")
    finally:
        os.close(fd)
