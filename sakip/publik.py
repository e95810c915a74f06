"""What a public page may print about an issued document, Indonesian style: the NIP masked to
what identifies nobody on its own, and moments in the reader's local time ("28 November 2026
22.30 WIB")."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sakip.formatting import BULAN

__all__ = ["ZONE_ABBREVIATIONS", "format_waktu", "mask_nip"]

ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
                      "Asia/Jayapura": "WIT"}
"""Indonesia's zone names as printed; other zones print their own abbreviation."""


def mask_nip(nip: str | None) -> str | None:
    """"197003151995031002" -> "19700315 ****** * 002": birth date and serial stay, so a reader
    can match the person on the paper; the appointment date and gender digit are hidden."""
    if not nip:
        return None
    digits = "".join(c for c in nip if c.isdigit())
    if len(digits) != 18:
        return None
    return f"{digits[:8]} ****** * {digits[-3:]}"


def format_waktu(moment: str | dt.datetime | None, zone: str = "Asia/Jakarta") -> str | None:
    """An ISO 8601 time (UTC "...Z" or with offset) as "28 November 2026 22.30 WIB"."""
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(ZoneInfo(zone))
    abbreviation = ZONE_ABBREVIATIONS.get(zone) or local.tzname() or zone
    return f"{local.day} {BULAN[local.month - 1]} {local.year} {local:%H.%M} {abbreviation}"
