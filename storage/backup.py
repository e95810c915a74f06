"""`docgen backup` and `docgen restore`: the database's rows and the data folder's lasting files in one
tar, with a manifest of every member's sha256.

The rows are written as JSON lines, one file per table, read in one snapshot; JSON keeps them
portable (a SQLite backup restores into PostgreSQL and back). The files are the documents, the
template versions and the batch archives; Redis (queue, short-lived state) is not part of it.
A restore goes into an empty data folder and an empty database, and checks every member
against the manifest before anything is written.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from storage.database import Batch, BatchChunk, Database, Document, DocumentFile
from storage.database.migrate import current_revision
from storage.records import utcnow

__all__ = ["BackupError", "Restored", "backup", "restore"]

TABLES = (Document.__table__, DocumentFile.__table__, Batch.__table__, BatchChunk.__table__)
"""In the order a restore inserts them (parents first)."""
FOLDERS = ("documents", "templates", "batches")
"""The data folder's lasting content."""
ROWS_PER_INSERT = 1000


class BackupError(Exception):
    """A backup that can't be restored here, with the reason."""


@dataclass
class Restored:
    rows: dict[str, int]
    files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = 0
    archive.addfile(info, io.BytesIO(content))


def backup(database: Database, data_dir: Path, target: Path) -> dict[str, Any]:
    """Write the backup to ``target`` (a .tar); returns its manifest."""
    manifest: dict[str, Any] = {"format": 1, "created_at": utcnow(), "schema": current_revision(database),
                                "rows": {}, "members": {}}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w") as archive:
        with database.engine.connect() as connection:
            if database.dialect == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")  # one snapshot for all tables
            with connection.begin():
                for table in TABLES:
                    lines = [json.dumps(dict(row._mapping), ensure_ascii=False, default=str)
                             for row in connection.execute(select(table))]
                    content = ("\n".join(lines) + ("\n" if lines else "")).encode()
                    name = f"database/{table.name}.jsonl"
                    _add_bytes(archive, name, content)
                    manifest["rows"][table.name] = len(lines)
                    manifest["members"][name] = hashlib.sha256(content).hexdigest()
        for folder in FOLDERS:
            root = data_dir / folder
            for path in sorted(root.rglob("*")) if root.is_dir() else []:
                if path.is_file() and not path.name.startswith((".tmp-", ".lock")) and not path.name.endswith(".tmp"):
                    name = f"files/{path.relative_to(data_dir).as_posix()}"
                    manifest["members"][name] = _sha256(path)
                    archive.add(path, name)
        _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
    partial.replace(target)
    return manifest


def _empty(database: Database, data_dir: Path) -> None:
    with database.read() as connection:
        for table in TABLES:
            if connection.execute(select(func.count()).select_from(table)).scalar():
                raise BackupError(f"the database is not empty (table {table.name} has rows): restore into an "
                                  "empty database")
    for folder in FOLDERS:
        if (data_dir / folder).is_dir() and any(p.is_file() for p in (data_dir / folder).rglob("*")):
            raise BackupError(f"{data_dir / folder} is not empty: restore into an empty data folder")


def restore(database: Database, data_dir: Path, source: Path) -> Restored:
    """Restore ``source`` into an empty database and data folder."""
    _empty(database, data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as tmp:
        staging = Path(tmp)
        with tarfile.open(source, "r") as archive:
            archive.extractall(staging, filter="data")
        manifest_path = staging / "manifest.json"
        if not manifest_path.is_file():
            raise BackupError("not a docgen backup: it has no manifest.json")
        manifest = json.loads(manifest_path.read_text())
        members = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()} - {"manifest.json"}
        if missing := sorted(set(manifest["members"]) - members):
            raise BackupError(f"the backup lacks {missing[0]} (and {len(missing) - 1} more)")
        if extra := sorted(members - set(manifest["members"])):
            raise BackupError(f"the backup holds {extra[0]}, which its manifest does not list")
        for name, digest in manifest["members"].items():
            if _sha256(staging / name) != digest:
                raise BackupError(f"{name} does not match its sha256 in the manifest: the backup is damaged")
        if manifest.get("schema") != current_revision(database):
            raise BackupError(f"the backup's schema {manifest.get('schema')} differs from this database's "
                              f"{current_revision(database)}: restore with the version that made it")
        rows: dict[str, int] = {}
        with database.write() as connection:
            for table in TABLES:
                lines = (staging / "database" / f"{table.name}.jsonl").read_text().splitlines()
                records = [json.loads(line) for line in lines if line]
                for start in range(0, len(records), ROWS_PER_INSERT):
                    connection.execute(insert(table), records[start:start + ROWS_PER_INSERT])
                rows[table.name] = len(records)
        files = 0
        for folder in FOLDERS:
            if (staging / "files" / folder).is_dir():
                shutil.copytree(staging / "files" / folder, data_dir / folder, dirs_exist_ok=True)
                files += sum(1 for p in (staging / "files" / folder).rglob("*") if p.is_file())
    return Restored(rows=rows, files=files)
