"""How many signatures make a document signed: every party that signs its type."""

from __future__ import annotations

from typing import Any

from sakip.doctypes import DOCUMENT_TYPES

__all__ = ["required_signatures"]


def required_signatures(doc_type: str, data: dict[str, Any]) -> int:
    """As the type says (doctypes/<type>/spec.py): a regional head's PK and an LKjIP (the head of
    agency) are signed by one person; every other PK by both parties."""
    return DOCUMENT_TYPES[doc_type].signatures(data) if doc_type in DOCUMENT_TYPES else 1
