"""The template registry: each document type's numbered Word template versions and which is active.

The shipped templates (``doctypes/<type>/manifest.json``) are version 1 of each type.
With a store folder (``DOCGEN_DATA_DIR/templates``) the registry is the administrators' history:
on first use a type's shipped versions are copied in, uploads add versions 2, 3, ..., and
activating one switches every process at its next read of the manifest, no restart needed.
Files are never overwritten; the manifest is replaced atomically under a per-type file lock,
so several web and worker processes may read and write it at once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from storage.files import write_atomic

__all__ = ["SHIPPED_BY", "TemplateRegistry", "TemplateVersion", "UnknownTemplate"]

SHIPPED_BY = "shipped"
"""The uploader named for the templates that come with the service."""


class UnknownTemplate(LookupError):
    """No such document type or template version."""


@dataclass(frozen=True)
class TemplateVersion:
    """One version of a type's template and what identifies it in document records."""

    type: str
    name: str
    version: int
    path: Path
    paper: str | None
    uploaded_at: str = ""
    uploaded_by: str = ""
    note: str = ""

    @cached_property
    def content(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class TemplateRegistry:
    """Templates of every type: shipped under ``shipped``, versioned under ``store`` when given."""

    def __init__(self, shipped: Path, store: Path | None = None) -> None:
        self.shipped = shipped
        self.store = store
        self._cache: dict[tuple[str, int], TemplateVersion] = {}
        self._manifests: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}
        """Each type's manifest as last read (read-only to callers), with the file's inode, time and size."""

    @classmethod
    def for_settings(cls, settings: Any) -> TemplateRegistry:
        """The registry the service and its workers share: shipped templates plus the store."""
        return cls(settings.templates_dir, settings.template_store_dir)

    # -- reading ---------------------------------------------------------------------------

    def _shipped_manifest(self, doc_type: str) -> dict[str, Any]:
        path = self.shipped / doc_type / "manifest.json"
        if not doc_type.isidentifier() or not path.is_file():
            raise UnknownTemplate(f"no templates for document type '{doc_type}'")
        return json.loads(path.read_text(encoding="utf-8"))

    def _manifest(self, doc_type: str) -> tuple[dict[str, Any], Path]:
        """The type's manifest and the folder its version files are relative to."""
        if self.store is None:
            return self._shipped_manifest(doc_type), self.shipped / doc_type
        folder = self.store / doc_type
        path = folder / "manifest.json"
        # Workers read this per job: the shipped manifest only matters until the store has the type.
        if not doc_type.isidentifier() or not path.is_file():
            self._copy_shipped(doc_type, self._shipped_manifest(doc_type))
        # Read again only when the file changed (every write replaces it: a new inode), not per POST.
        stat = path.stat()
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = self._manifests.get(doc_type)
        if cached is None or cached[0] != seen:
            cached = self._manifests[doc_type] = (seen, json.loads(path.read_text(encoding="utf-8")))
        return cached[1], folder

    def types(self) -> list[str]:
        """Every document type that has templates."""
        return sorted(p.parent.name for p in self.shipped.glob("*/manifest.json"))

    def versions(self, doc_type: str) -> list[int]:
        return sorted(v["version"] for v in self._manifest(doc_type)[0]["versions"])

    def history(self, doc_type: str) -> dict[str, Any]:
        """The type, its name and every version with its sha256, upload time, uploader, note and
        whether it is the active one."""
        manifest, _ = self._manifest(doc_type)
        versions = [{"version": v["version"], "sha256": v.get("sha256") or self.get(doc_type, v["version"]).sha256,
                     "uploaded_at": v.get("uploaded_at"), "uploaded_by": v.get("uploaded_by", SHIPPED_BY),
                     "note": v.get("note", ""), "paper": v.get("paper"),
                     "active": v["version"] == manifest["active_version"]}
                    for v in sorted(manifest["versions"], key=lambda v: v["version"])]
        return {"type": doc_type, "name": manifest["name"], "active_version": manifest["active_version"],
                "versions": versions, "activations": manifest.get("activations", [])}

    def sample(self, doc_type: str) -> dict[str, Any]:
        """The type's sample data, as clients would send it in ``data``."""
        manifest = self._shipped_manifest(doc_type)
        return json.loads((self.shipped / doc_type / manifest["sample"]).read_text(encoding="utf-8"))

    def get(self, doc_type: str, version: int | None = None) -> TemplateVersion:
        """The given version, or the active one when ``version`` is None."""
        if version is not None and (doc_type, version) in self._cache:
            return self._cache[(doc_type, version)]  # a version never changes: no manifest read per batch item
        manifest, folder = self._manifest(doc_type)
        wanted = manifest["active_version"] if version is None else version
        if (doc_type, wanted) in self._cache:
            return self._cache[(doc_type, wanted)]
        for entry in manifest["versions"]:
            if entry["version"] == wanted:
                found = TemplateVersion(
                    type=doc_type, name=manifest["name"], version=wanted, path=folder / entry["file"],
                    paper=entry.get("paper"), uploaded_at=entry.get("uploaded_at", ""),
                    uploaded_by=entry.get("uploaded_by", SHIPPED_BY), note=entry.get("note", ""))
                self._cache[(doc_type, wanted)] = found
                return found
        available = ", ".join(str(v) for v in self.versions(doc_type))
        raise UnknownTemplate(f"template version {wanted} does not exist for '{doc_type}'; available: {available}")

    # -- writing (store only) --------------------------------------------------------------

    @contextmanager
    def _locked(self, doc_type: str) -> Iterator[Path]:
        if self.store is None:
            raise RuntimeError("this registry has no store: it reads the shipped templates only")
        folder = self.store / doc_type
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield folder
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @staticmethod
    def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
        write_atomic(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())

    def _copy_shipped(self, doc_type: str, shipped: dict[str, Any]) -> None:
        with self._locked(doc_type) as folder:
            if (folder / "manifest.json").is_file():  # another process got here first
                return
            versions = []
            for entry in shipped["versions"]:
                content = (self.shipped / doc_type / entry["file"]).read_bytes()
                file = f"{doc_type}-v{entry['version']}.docx"
                write_atomic(folder / file, content)
                versions.append({**entry, "file": file, "sha256": hashlib.sha256(content).hexdigest(),
                                 "uploaded_at": _now(), "uploaded_by": SHIPPED_BY})
            self._write_manifest(folder, {"type": doc_type, "name": shipped["name"],
                                          "active_version": shipped["active_version"], "versions": versions})

    def add_version(self, doc_type: str, content: bytes, *, uploaded_by: str, note: str,
                    paper: str | None = None) -> TemplateVersion:
        """Store ``content`` as the type's next version (not active until activated)."""
        self._manifest(doc_type)
        with self._locked(doc_type) as folder:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            number = max(v["version"] for v in manifest["versions"]) + 1
            file = f"{doc_type}-v{number}.docx"
            write_atomic(folder / file, content)
            manifest["versions"].append({
                "version": number, "file": file, "paper": paper, "sha256": hashlib.sha256(content).hexdigest(),
                "uploaded_at": _now(), "uploaded_by": uploaded_by, "note": note})
            self._write_manifest(folder, manifest)
        return self.get(doc_type, number)

    def activate(self, doc_type: str, version: int, *, activated_by: str) -> TemplateVersion:
        """Make ``version`` the one new documents use (an older one: the rollback), and log who did."""
        template = self.get(doc_type, version)
        with self._locked(doc_type) as folder:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            manifest["active_version"] = version
            manifest.setdefault("activations", []).append({"version": version, "at": _now(), "by": activated_by})
            self._write_manifest(folder, manifest)
        return template
