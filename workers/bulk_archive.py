"""A batch's ZIP written while the batch runs: each chunk's entries are appended as soon as the chunk
and every chunk before it have ended, so when the last item ends only the last chunk's entries, the
manifests and the central directory are left to write.

The archive is byte for byte what one pass at the end wrote (workers/batch_jobs.build_archive before
this module): entries in item order, stored (not compressed again), mode 0644, dated by the file's
mtime, names made unique in item order; then manifest.json, manifest.csv, manifest.xlsx. Only the
way there differs:

- Whoever holds the batch's lock file (``flock``: the kernel drops it when its holder dies, so a
  killed horse never leaves it held) appends the ended chunks in order to ``archive.zip.tmp``: each
  entry's local header, then the document's bytes copied by the kernel (``copy_file_range``), with
  the CRC-32 the chunk computed while it had the document in memory.
- What the end needs of each appended chunk (the central directory's fields of its entries, its
  manifest rows already as JSON, CSV and sheet XML, its failed items) goes as one line to
  ``archive.parts``; then ``archive.state`` (replaced atomically) says how far both files are
  committed. A horse killed mid-append leaves bytes past that point: the next holder cuts them off.
- Names already given are kept in Redis with the chunk that gave them (a name counts as taken
  only when an earlier chunk gave it, so a chunk appended again after a crash names its entries
  as before). The state carries a token also kept in Redis: a batch restored after Redis was lost
  starts its archive again from the first chunk.
- A chunk horse that finds the lock held does not wait (the holder, or the archive job at the end,
  appends its chunk); the archive job waits for the lock, appends what is left and finishes.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import time
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from config.settings import Settings
from storage.batches import BatchRecord, BatchStore, archive_path
from storage.files import document_path
from workers.archive_files import (
    FILE_MODE,
    ShareableZip,
    manifest_csv,
    manifest_csv_rows,
    manifest_json,
    manifest_json_piece,
    manifest_xlsx,
    manifest_xlsx_rows,
    signatory,
)
from workers.produce import verify_url

__all__ = ["LOCK_WAIT_SECONDS", "ArchiveState", "append_ended_chunks", "finish_archive", "public_entry"]

LOCK_WAIT_SECONDS = 600.0
"""How long the archive job waits for a chunk horse still appending (seconds; then RQ retries it)."""

_ENTRY_ATTR = (0o100000 | FILE_MODE) << 16


def public_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A stored error or warning as the manifest shows it: without the message parameters."""
    return {k: v for k, v in entry.items() if k != "params"}


@dataclass
class ArchiveState:
    """How far the archive is committed: chunks appended, bytes of the ZIP and of the parts file,
    manifest rows written (the sheet numbers its rows)."""

    token: str
    chunks: int = 0
    end: int = 0
    parts: int = 0
    rows: int = 0


class _Files:
    def __init__(self, settings: Settings, batch_id: str) -> None:
        self.target = archive_path(settings.data_dir, batch_id)
        self.folder = self.target.parent
        self.zip = self.target.with_suffix(".zip.tmp")
        self.parts = self.folder / "archive.parts"
        self.state = self.folder / "archive.state"
        self.lock = self.folder / "archive.lock"

    def cleanup(self) -> None:
        for path in (self.parts, self.state, self.lock):
            path.unlink(missing_ok=True)


@contextmanager
def _locked(files: _Files, wait: float) -> Iterator[bool]:
    """Hold the batch's archive lock; False (nothing held) when another holds it after ``wait`` s."""
    files.folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(files.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        yield True
    finally:
        os.close(fd)  # releases the lock


def _token(store: BatchStore, batch_id: str) -> str:
    key = store.key(batch_id, "archive")
    with store.connection.pipeline(transaction=False) as pipe:
        pipe.set(key, uuid.uuid4().hex, nx=True, ex=store.ttl_seconds)
        pipe.get(key)
        _, token = pipe.execute()
    return (token or b"").decode()


def _resume(files: _Files, token: str) -> ArchiveState:
    """The committed state, with whatever a killed appender wrote past it cut off; a fresh start when
    there is none, it belongs to another token, or the files are shorter than it says."""
    try:
        state = ArchiveState(**json.loads(files.state.read_text()))
    except (OSError, ValueError, TypeError):
        state = None
    if (state is None or state.token != token or not files.zip.exists() or not files.parts.exists()
            or files.zip.stat().st_size < state.end or files.parts.stat().st_size < state.parts):
        state = ArchiveState(token=token)
    for path, size in ((files.zip, state.end), (files.parts, state.parts)):
        with open(path, "ab") as handle:
            handle.truncate(size)
    return state


def _commit(files: _Files, state: ArchiveState) -> None:
    temporary = files.state.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(state)))
    os.replace(temporary, files.state)


def _ended_chunks(store: BatchStore, batch: BatchRecord, start: int) -> int:
    """How many chunks from ``start`` on have every item recorded (consecutively)."""
    total, size, chunks = int(batch.total), int(batch.chunk_size), int(batch.chunks)
    if start >= chunks:
        return 0
    numbers = list(range(start, chunks))
    done = store.connection.hmget(store.key(batch.id, "chunkdone"), numbers)
    ended = 0
    for number, count in zip(numbers, done, strict=True):
        if int(count or 0) < min(size, total - number * size):
            break
        ended += 1
    return ended


_NO_KERNEL_COPY = {errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP}
"""copy_file_range refusing: the documents on another file system than the archive, or no support."""


def _copy(source: Path, target_fd: int, offset: int, size: int) -> None:
    """``size`` bytes of ``source`` to ``offset`` of the target, copied by the kernel (no trip through
    Python's buffers), else read and written."""
    with open(source, "rb") as handle:
        fd, copied = handle.fileno(), 0
        while copied < size:
            try:
                step = os.copy_file_range(fd, target_fd, size - copied, copied, offset + copied)
            except OSError as exc:
                if exc.errno not in _NO_KERNEL_COPY:
                    raise
                step = os.pwrite(target_fd, os.pread(fd, size - copied, copied), offset + copied)
            if step == 0:
                raise OSError(f"{source} ended after {copied} of {size} bytes")
            copied += step


def _crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            crc = zlib.crc32(block, crc)
    return crc


class _Names:
    """Names given so far, in Redis with the chunk that gave each: taken for chunk N when a chunk
    before N gave it (or an earlier entry of N itself)."""

    def __init__(self, store: BatchStore, batch_id: str, token: str, chunk: int) -> None:
        self.connection = store.connection
        self.key = store.key(batch_id, f"archive-names:{token}")
        self.ttl = store.ttl_seconds
        self.chunk = chunk
        self.known: dict[str, int | None] = {}
        self.given: dict[str, int] = {}

    def prefetch(self, names: list[str]) -> None:
        if names:
            found = self.connection.hmget(self.key, names)
            self.known.update((n, None if v is None else int(v)) for n, v in zip(names, found, strict=True))

    def _taken(self, name: str) -> bool:
        if name in self.given:
            return True
        if name not in self.known:
            self.prefetch([name])
        by = self.known[name]
        return by is not None and by < self.chunk

    def unique(self, name: str) -> str:
        candidate = name
        if self._taken(name):
            stem, dot, extension = name.rpartition(".")
            counter = 2
            while self._taken(candidate := f"{stem}-{counter}{dot}{extension}"):
                counter += 1
        self.given[candidate] = self.chunk
        return candidate

    def save(self) -> None:
        if self.given:
            with self.connection.pipeline(transaction=False) as pipe:
                pipe.hset(self.key, mapping=self.given)
                pipe.expire(self.key, self.ttl)
                pipe.execute()


def _append_chunk(store: BatchStore, settings: Settings, batch: BatchRecord, number: int, state: ArchiveState,
                  files: _Files, zip_fd: int, parts: Any, items: list[dict[str, Any]] | None) -> None:
    """Chunk ``number``'s entries after the committed end of the ZIP, its line in the parts file."""
    batch_id, size = batch.id, int(batch.chunk_size)
    first = number * size
    indexes = list(range(first, min(first + size, int(batch.total))))
    raw = store.connection.hmget(store.key(batch_id, "results"), indexes)
    if any(r is None for r in raw):
        raise RuntimeError(f"chunk {number} of batch {batch_id} has items without a result")
    results = [json.loads(r) for r in raw]
    if items is None:
        items = store.chunk(batch_id, number) or []
    names = _Names(store, batch_id, state.token, number)
    names.prefetch([r["file"] for r in results if r["status"] == "finished"])
    infos, entries, failed = [], [], []
    offset = state.end
    for result in results:
        position = result["index"] - first
        item = items[position] if position < len(items) else None
        name_nip = signatory(item.get("data") if isinstance(item, dict) else None)
        entry = {"ref": result["ref"], "id": result.get("doc_id", ""), "nama": name_nip[0], "nip": name_nip[1],
                 "file": "", "sha256": "", "status": result["status"], "error": result.get("error", ""),
                 "warnings": [public_entry(w) for w in result.get("warnings") or []], "verify_url": ""}
        if result["status"] == "finished":
            name = names.unique(result["file"])
            path = document_path(settings.documents_dir, result["doc_id"], name.rsplit(".", 1)[-1])
            info = zipfile.ZipInfo.from_file(path, name)
            crc = result.get("crc32")
            info.CRC = crc if crc is not None and info.file_size == result.get("size") else _crc32(path)
            info.external_attr, info.compress_type, info.flag_bits = _ENTRY_ATTR, zipfile.ZIP_STORED, 0
            info.compress_size, info.header_offset = info.file_size, offset
            header = info.FileHeader(False)
            os.pwrite(zip_fd, header, offset)
            _copy(path, zip_fd, offset + len(header), info.file_size)
            offset += len(header) + info.file_size
            infos.append([info.filename, info.CRC, info.file_size, info.header_offset, list(info.date_time)])
            entry.update(file=name, sha256=result["sha256"], verify_url=verify_url(settings.base_url, result["doc_id"]))
        else:
            entry["errors"] = [public_entry(e) for e in result.get("errors") or []]
            failed.append(result)
        entries.append(entry)
    line = json.dumps({"chunk": number, "infos": infos, "json": ",\n ".join(map(manifest_json_piece, entries)),
                       "csv": manifest_csv_rows(entries), "xlsx": manifest_xlsx_rows(entries, state.rows + 2),
                       "failed": failed}, ensure_ascii=False) + "\n"
    parts.seek(state.parts)
    parts.write(line.encode("utf-8"))
    parts.flush()
    names.save()
    state.chunks, state.end, state.parts, state.rows = number + 1, offset, parts.tell(), state.rows + len(entries)
    _commit(files, state)


def append_ended_chunks(store: BatchStore, settings: Settings, batch: BatchRecord, *, wait: float = 0.0,
                        own: dict[int, list[dict[str, Any]]] | None = None) -> ArchiveState | None:
    """Append every chunk that has ended, in order, after those already appended; None when another
    process holds the lock after ``wait`` seconds. ``own``: items the caller holds, by chunk number."""
    files = _Files(settings, batch.id)
    with _locked(files, wait) as held:
        if not held:
            return None
        state = _resume(files, _token(store, batch.id))
        with open(files.zip, "r+b") as archive, open(files.parts, "r+b") as parts:
            while ended := _ended_chunks(store, batch, state.chunks):
                for number in range(state.chunks, state.chunks + ended):
                    _append_chunk(store, settings, batch, number, state, files, archive.fileno(), parts,
                                  (own or {}).get(number))
        return state


def _committed_parts(files: _Files, state: ArchiveState) -> Iterator[dict[str, Any]]:
    with open(files.parts, "rb") as handle:
        for line in handle.read(state.parts).splitlines():
            yield json.loads(line)


def finish_archive(store: BatchStore, settings: Settings, batch: BatchRecord,
                   add_extra: Any = None) -> tuple[Path, list[dict[str, Any]], int]:
    """Append what is left, then the manifests and the central directory; the ZIP fsynced and
    renamed into place. ``add_extra(archive, claim)``, when given, writes more entries (print
    bundles) after the documents and returns their manifest entries. Returns the archive's path,
    the failed items' results and the number of documents in it."""
    files = _Files(settings, batch.id)
    with _locked(files, LOCK_WAIT_SECONDS) as held:
        if not held:
            raise TimeoutError(f"the archive lock of batch {batch.id} stayed held for {LOCK_WAIT_SECONDS:.0f} s")
        state = _resume(files, _token(store, batch.id))
        with open(files.zip, "r+b") as handle, open(files.parts, "r+b") as parts:
            while ended := _ended_chunks(store, batch, state.chunks):
                for number in range(state.chunks, state.chunks + ended):
                    _append_chunk(store, settings, batch, number, state, files, handle.fileno(), parts, None)
            if state.chunks < int(batch.chunks):
                raise RuntimeError(f"batch {batch.id}: chunk {state.chunks} has not ended")
            infos: list[zipfile.ZipInfo] = []
            pieces: list[str] = []
            csv_rows: list[str] = []
            xlsx_rows: list[str] = []
            failed: list[dict[str, Any]] = []
            for part in _committed_parts(files, state):
                for name, crc, size, offset, date_time in part["infos"]:
                    info = zipfile.ZipInfo(name, tuple(date_time))
                    info.external_attr, info.compress_type = _ENTRY_ATTR, zipfile.ZIP_STORED
                    info.CRC, info.file_size, info.compress_size, info.header_offset = crc, size, size, offset
                    info.FileHeader(False)  # settles the versions the central directory repeats
                    infos.append(info)
                if part["json"]:
                    pieces.append(part["json"])
                csv_rows.append(part["csv"])
                xlsx_rows.append(part["xlsx"])
                failed += part["failed"]
            documents = len(infos)
            handle.seek(state.end)
            with ShareableZip(handle, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
                archive.filelist = infos
                archive.NameToInfo = {info.filename: info for info in infos}
                rows = state.rows
                if add_extra is not None:
                    taken = set(archive.NameToInfo)

                    def claim(name: str) -> str:
                        candidate, counter = name, 2
                        stem, dot, extension = name.rpartition(".")
                        while candidate in taken:
                            candidate = f"{stem}-{counter}{dot}{extension}"
                            counter += 1
                        taken.add(candidate)
                        return candidate

                    extra = add_extra(archive, claim)
                    pieces += [manifest_json_piece(e) for e in extra]
                    csv_rows.append(manifest_csv_rows(extra))
                    xlsx_rows.append(manifest_xlsx_rows(extra, rows + 2))
                archive.writestr("manifest.json", manifest_json(pieces), compress_type=zipfile.ZIP_DEFLATED)
                archive.writestr("manifest.csv", manifest_csv(rows="".join(csv_rows)),
                                 compress_type=zipfile.ZIP_DEFLATED)
                archive.writestr("manifest.xlsx", manifest_xlsx(rows="".join(xlsx_rows)))
            handle.truncate(handle.tell())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(files.zip, files.target)
        files.cleanup()
    return files.target, failed, documents
