"""How many signatures make a document signed: every party that signs its type."""

from __future__ import annotations

from typing import Any

__all__ = ["required_signatures"]


def required_signatures(doc_type: str, data: dict[str, Any]) -> int:
    """A regional head's PK (tingkat kepala_daerah) and an LKjIP (the head of agency) are signed
    by one person; every other PK by both parties (pihak pertama, then pihak kedua)."""
    if doc_type == "pk" and data.get("tingkat") != "kepala_daerah":
        return 2
    return 1
