"""Readable, ASCII-safe file names for documents: PK-2026-Dinas-...-Rahmat-Hidayat-Lubis.docx."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["document_filename", "name_without_titles", "slug"]


def name_without_titles(name: str) -> str:
    """ "Dr. Ir. Rahmat Hidayat Lubis, M.Si." -> "Rahmat Hidayat Lubis".

    Degrees follow the first comma; prefix titles (Dr., Ir., H., Drs.) end with a dot.
    """
    bare = name.split(",", 1)[0]
    words = [w for w in bare.split() if not w.endswith(".")]
    return " ".join(words) or bare


def slug(text: str) -> str:
    """Words joined by hyphens, accents folded, apostrophes dropped: "Ma'ruf" -> "Maruf"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['\u2019`]", "", ascii_text)
    return "-".join(re.findall(r"[A-Za-z0-9]+", ascii_text))


def document_filename(parts: list[str], extension: str, limit: int = 150) -> str:
    """Slugged parts joined by hyphens, cut to ``limit`` characters, plus the extension."""
    stem = "-".join(s for s in (slug(p) for p in parts) if s)[:limit].rstrip("-")
    return f"{stem or 'dokumen'}.{extension}"
