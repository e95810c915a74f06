"""What the service knows about one kind of document (DocumentType): each type's folder
(doctypes/<type>/spec.py) fills one in, and sakip/doctypes.py registers them. Nothing elsewhere
asks which type a document is: it asks the type."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sakip.filenames import document_filename
from sakip.publik import mask_nip

__all__ = ["SIGNING_ROLES", "DocumentType", "party_summary", "summary_of"]

SIGNING_ROLES = ("pihak_pertama", "pihak_kedua", "kepala")
"""The parties a verify page may name, in order."""


def party_summary(pejabat: Any) -> dict[str, str | None] | None:
    """A party as the public verify page shows it: name, position, the NIP masked; no rank."""
    if pejabat is None:
        return None
    return {"nama": getattr(pejabat, "nama", ""), "jabatan": getattr(pejabat, "jabatan", ""),
            "nip": mask_nip(getattr(pejabat, "nip", None))}


def summary_of(data: Any) -> dict[str, Any]:
    """What the public verification page may show of most documents: year, agency and signatories
    (name, position and the NIP masked as "19700315 ****** * 002")."""
    instansi = getattr(data, "instansi", None)
    parties = {role: party_summary(getattr(data, role, None)) for role in SIGNING_ROLES}
    return {
        "tahun": getattr(data, "tahun", None),
        "instansi": getattr(instansi, "nama", None),
        "pemerintah": getattr(instansi, "pemerintah", None),
        "jenis": None,
        "pihak": {role: party for role, party in parties.items() if party is not None},
    }


def _one_signature(data: Mapping[str, Any]) -> int:
    return 1


@dataclass(frozen=True)
class DocumentType:
    """What the service needs to know to validate, render, name, summarise, sign and take in
    batches one kind of document."""

    name: str
    title: str
    """The type's name as the verify page prints it."""
    model: type[BaseModel]
    context: Callable[[Any], dict[str, Any]]
    filename_parts: Callable[[Any], list[str]]
    short: str = ""
    """Its short name for lists and buttons ("PK", "LKjIP"); the title when empty."""
    summary: Callable[[Any], dict[str, Any]] = summary_of
    """The facts the public verify page shows (sakip.document_type.summary_of for most types)."""
    signatures: Callable[[Mapping[str, Any]], int] = _one_signature
    """How many parties sign a document made from this (raw) data."""
    workbook: Any = None
    """The batch workbook (a sakip.workbook.WorkbookSpec), for types that come as one."""
    batch_findings: Callable[..., dict[int, list[Any]]] | None = None
    """Findings about a batch's items taken together (sakip.cascade.batch_findings for PKs), by
    item index: added to each item's quality warnings."""
    expand: Callable[[dict[str, Any], Callable[[str], list[dict[str, Any]] | None]], dict[str, Any]] | None = None
    """Makes a request's data whole at intake when it names records of ours instead of carrying
    them (a Pohon Kinerja's ``batch``): given the data and a function from a batch id to its items
    (None when the caller has no such batch), the data to validate and store."""
    cascade: bool = False
    """Documents of this type link into a cascade (the alignment endpoints and exports read them)."""
    quality: Callable[[Any, str], Iterable[Any]] | None = None
    """The type's quality warnings (sakip.quality.QualityWarning) about valid data, paths after a prefix."""
    amendable: bool = False
    """A document of this type may amend an earlier one of ours (a PK Perubahan's ``pk_awal``): its
    record and verify page link the two."""
    printed_by: tuple[tuple[str, str], ...] = ()
    """Optional fields a template version may leave out, each with the template variable that prints
    it: (path in the data, "anggaran[]" meaning every element; variable). A request sending one to
    a version without that variable gets a ``tidak_dicetak`` warning (service/unprinted.py)."""

    def filename(self, data: BaseModel, extension: str) -> str:
        """The readable download name of a document made from ``data``."""
        return document_filename(self.filename_parts(data), extension)
