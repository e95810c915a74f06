"""The document types the service produces, each with its model, context and file name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from doctypes.lkjip.context import lkjip_context
from doctypes.lkjip.model import LKjIPData
from doctypes.pk.context import pk_context
from doctypes.pk.model import PKData
from sakip.cascade import batch_findings
from sakip.filenames import document_filename, name_without_titles

__all__ = ["DOCUMENT_TYPES", "PLANNED_TYPES", "DocumentType"]


@dataclass(frozen=True)
class DocumentType:
    """What the service needs to know to validate, render and name one kind of document."""

    name: str
    model: type[BaseModel]
    context: Callable[[Any], dict[str, Any]]
    filename_parts: Callable[[Any], list[str]]
    batch_findings: Callable[..., dict[int, list[Any]]] | None = None
    """Findings about a batch's items taken together (sakip.cascade.batch_findings for PKs), by
    item index: added to each item's quality warnings."""

    def filename(self, data: BaseModel, extension: str) -> str:
        """The readable download name of a document made from ``data``."""
        return document_filename(self.filename_parts(data), extension)


def _pk_filename_parts(pk: PKData) -> list[str]:
    kind = "PK-Perubahan" if pk.jenis == "perubahan" else "PK"
    return [kind, str(pk.tahun), pk.instansi.nama, name_without_titles(pk.pihak_pertama.nama)]


def _lkjip_filename_parts(lkjip: LKjIPData) -> list[str]:
    return ["LKjIP", str(lkjip.tahun), lkjip.instansi.nama]


DOCUMENT_TYPES: dict[str, DocumentType] = {
    "pk": DocumentType(name="pk", model=PKData, context=pk_context, filename_parts=_pk_filename_parts,
                       batch_findings=batch_findings),
    "lkjip": DocumentType(name="lkjip", model=LKjIPData, context=lkjip_context,
                          filename_parts=_lkjip_filename_parts),
}
"""Types that can be requested now, by the name clients send in ``type``."""

PLANNED_TYPES: frozenset[str] = frozenset()
"""Types in the interface contract whose templates are not available yet."""
