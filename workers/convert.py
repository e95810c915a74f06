"""DOCX -> PDF through the process's warm LibreOffice (see workers/converter.py).

Never a cold `soffice --convert-to` per document: each worker keeps one LibreOffice warm,
with a timeout per conversion, restart on a hang or crash, and a recycle after N conversions.
"""

from __future__ import annotations

from pathlib import Path

from config.settings import Settings, get_settings
from workers.converter import ConversionError, ConverterUnavailable, WarmConverter

__all__ = ["ConversionError", "ConverterUnavailable", "convert_to_pdf", "warm_converter"]


def warm_converter(settings: Settings | None = None, *, soffice: str | None = None,
                   timeout: int | None = None, state_dir: Path | None = None) -> WarmConverter:
    """This process's converter, configured from ``settings`` (default: the environment's)."""
    settings = settings or get_settings()
    return WarmConverter(
        state_dir or settings.data_dir / "libreoffice",
        soffice=soffice or settings.soffice,
        python=settings.converter_python,
        timeout=timeout or settings.convert_timeout,
        recycle_after=settings.converter_recycle_after,
        startup_timeout=settings.converter_startup_timeout,
    )


def convert_to_pdf(docx: bytes, *, soffice: str | None = None, timeout: int | None = None,
                   profile_dir: Path | None = None, settings: Settings | None = None) -> bytes:
    """The PDF of ``docx``. ``profile_dir`` (kept for older callers) only says where the
    converter keeps its state: its parent folder. Raises ConversionError or ConverterUnavailable."""
    state_dir = profile_dir.parent if profile_dir is not None else None
    return warm_converter(settings, soffice=soffice, timeout=timeout, state_dir=state_dir).convert(docx)
