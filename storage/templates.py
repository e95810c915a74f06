"""The template registry: each document type's Word template versions, read from their manifests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

__all__ = ["TemplateRegistry", "TemplateVersion", "UnknownTemplate"]


class UnknownTemplate(LookupError):
    """No such document type or template version."""


@dataclass(frozen=True)
class TemplateVersion:
    """One version of a type's template and what identifies it in document records."""

    type: str
    name: str
    version: int
    path: Path
    paper: str

    @cached_property
    def content(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class TemplateRegistry:
    """Templates under ``root/<type>/manifest.json``; the manifest names the active version."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[tuple[str, int], TemplateVersion] = {}

    def _manifest(self, doc_type: str) -> dict[str, Any]:
        path = self.root / doc_type / "manifest.json"
        if not path.is_file():
            raise UnknownTemplate(f"no templates for document type '{doc_type}'")
        return json.loads(path.read_text(encoding="utf-8"))

    def versions(self, doc_type: str) -> list[int]:
        return sorted(v["version"] for v in self._manifest(doc_type)["versions"])

    def sample(self, doc_type: str) -> dict[str, Any]:
        """The type's sample data, as clients would send it in ``data``."""
        manifest = self._manifest(doc_type)
        return json.loads((self.root / doc_type / manifest["sample"]).read_text(encoding="utf-8"))

    def get(self, doc_type: str, version: int | None = None) -> TemplateVersion:
        """The given version, or the active one when ``version`` is None."""
        manifest = self._manifest(doc_type)
        wanted = manifest["active_version"] if version is None else version
        if (doc_type, wanted) in self._cache:
            return self._cache[(doc_type, wanted)]
        for entry in manifest["versions"]:
            if entry["version"] == wanted:
                found = TemplateVersion(type=doc_type, name=manifest["name"], version=wanted,
                                        path=self.root / doc_type / entry["file"], paper=entry.get("paper", "F4"))
                self._cache[(doc_type, wanted)] = found
                return found
        available = ", ".join(str(v) for v in self.versions(doc_type))
        raise UnknownTemplate(f"template version {wanted} does not exist for '{doc_type}'; available: {available}")
