"""The registry of document types: the one place that lists them. Each type lives in its folder
(doctypes/<type>/: model, context, Word template, sample, workbook sheets, and spec.py with the
DocumentType that ties them together); adding a type is a folder and a line here."""

from __future__ import annotations

from doctypes.lkjip.spec import LKJIP
from doctypes.pk.spec import PK
from doctypes.pohon_kinerja.spec import POHON_KINERJA
from sakip.document_type import DocumentType

__all__ = ["DOCUMENT_TYPES", "PLANNED_TYPES", "DocumentType"]

DOCUMENT_TYPES: dict[str, DocumentType] = {t.name: t for t in (PK, LKJIP, POHON_KINERJA)}
"""Types that can be requested now, by the name clients send in ``type``."""

PLANNED_TYPES: frozenset[str] = frozenset()
"""Types in the interface contract whose templates are not available yet."""
