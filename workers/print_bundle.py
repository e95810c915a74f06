"""Print-ready bundles of a PDF batch: one merged PDF per agency, in signing order, a bookmark
per official.

At year start the PKs of one agency are signed in one sitting: the bundle is what goes to the
printer. Items are grouped by their ``group`` field, else by ``data.instansi.nama``; inside a
group they keep the batch's order (the order the caller lists them in is the signing order).
Each document's pages are copied as they are (same bytes of content, same page size); the
bookmark names the official who signs it. pikepdf (qpdf) does the copying.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from sakip.filenames import document_filename
from storage.files import document_path

__all__ = ["BUNDLE_FOLDER", "Bundle", "add_bundles", "bundle_title", "group_name", "group_results", "write_bundle"]

BUNDLE_FOLDER = "per-instansi"
"""Folder of the archive that holds the merged PDFs."""


@dataclass
class Bundle:
    """One group's documents, in signing order: (bookmark title, PDF file) each."""

    name: str
    documents: list[tuple[str, Path]] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return document_filename(["PK", self.name], "pdf")


def group_name(item: dict[str, Any]) -> str:
    """The bundle an item belongs to: its ``group``, else its agency's name."""
    if item.get("group"):
        return str(item["group"])
    data = item.get("data") if isinstance(item.get("data"), dict) else {}
    instansi = data.get("instansi") if isinstance(data.get("instansi"), dict) else {}
    return str(instansi.get("nama") or "Tanpa instansi")


def bundle_title(item: dict[str, Any], ref: str) -> str:
    """The bookmark of one document: the official who signs it first (a PK's first party, an
    LKjIP's head of agency), name and position, and the caller's ref."""
    data = item.get("data") if isinstance(item.get("data"), dict) else {}
    official = data.get("pihak_pertama") or data.get("kepala") or {}
    parts = [str(official.get(k)) for k in ("nama", "jabatan") if isinstance(official, dict) and official.get(k)]
    return f"{' - '.join(parts)} ({ref})" if parts else ref


def group_results(pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]], documents_dir: Path) -> list[Bundle]:
    """Bundles of the finished items, from (item, result) in batch order; bundles in the order
    their first document comes."""
    bundles: dict[str, Bundle] = {}
    for item, result in pairs:
        if result.get("status") != "finished" or not result.get("file", "").endswith(".pdf"):
            continue
        path = document_path(documents_dir, result["doc_id"], "pdf")
        name = group_name(item)
        bundle = bundles.setdefault(name, Bundle(name))
        bundle.documents.append((bundle_title(item, result["ref"]), path))
        bundle.refs.append(result["ref"])
    return list(bundles.values())


def write_bundle(bundle: Bundle, target: Path) -> None:
    """The group's PDFs as one file at ``target``, a top-level bookmark at each document's first page."""
    merged = pikepdf.Pdf.new()
    sources = []
    try:
        starts = []
        for _, path in bundle.documents:
            # From memory, not an open file per document: a bundle may hold thousands.
            source = pikepdf.Pdf.open(io.BytesIO(path.read_bytes()))
            sources.append(source)
            starts.append(len(merged.pages))
            merged.pages.extend(source.pages)
        with merged.open_outline() as outline:
            for (title, _), start in zip(bundle.documents, starts, strict=True):
                outline.root.append(pikepdf.OutlineItem(title, start))
        merged.docinfo["/Title"] = f"Perjanjian Kinerja - {bundle.name}"
        merged.Root.PageMode = pikepdf.Name.UseOutlines  # readers open with the bookmarks shown
        merged.save(target)
    finally:
        for source in sources:
            source.close()
        merged.close()


def add_bundles(archive: zipfile.ZipFile, pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]],
                documents_dir: Path, work_dir: Path, unique_name: Callable[[str], str]) -> list[dict[str, Any]]:
    """Every bundle of (item, result) into ``archive`` under per-instansi/ (built one at a time in
    ``work_dir``); their manifest entries, status "merged", with the group and the refs in order."""
    entries = []
    for number, bundle in enumerate(group_results(pairs, documents_dir)):
        name = unique_name(f"{BUNDLE_FOLDER}/{bundle.filename}")
        temporary = work_dir / f".bundle-{number}.pdf"
        try:
            write_bundle(bundle, temporary)
            digest = hashlib.sha256()
            with open(temporary, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            archive.write(temporary, name)
        finally:
            temporary.unlink(missing_ok=True)
        entries.append({"ref": "", "id": "", "file": name, "sha256": digest.hexdigest(), "status": "merged",
                        "error": "", "group": bundle.name, "refs": bundle.refs})
    return entries
