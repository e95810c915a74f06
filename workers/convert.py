"""DOCX -> PDF through the process's warm LibreOffice (see workers/converter.py).

Never a cold `soffice --convert-to` per document: each worker keeps one LibreOffice warm,
with a timeout per conversion, restart on a hang or crash, and a recycle after N conversions.

The converter's state file, lock and LibreOffice profile live on this host (or container), not
on the shared data volume: scaled worker containers can have the same pids (tini makes them
alike), and would otherwise share one lock and one profile.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
from pathlib import Path

from config.settings import Settings, get_settings
from workers.converter import ConversionError, ConverterUnavailable, WarmConverter

__all__ = ["ConversionError", "ConverterUnavailable", "convert_to_pdf", "converter_state_dir", "warm_converter"]


def converter_state_dir(data_dir: Path) -> Path:
    """Where this host's converters for the deployment at ``data_dir`` keep state, lock and profile:
    under XDG_RUNTIME_DIR (else the temporary folder), named by the host and by the data folder,
    so two deployments (or two test runs) on one host never meet, and two hosts sharing a data
    volume never share a converter."""
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    deployment = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:12]
    return base / f"docgen-{socket.gethostname()}-{deployment}" / "libreoffice"


def warm_converter(settings: Settings | None = None, *, soffice: str | None = None,
                   timeout: int | None = None, state_dir: Path | None = None, slot: int = 0) -> WarmConverter:
    """This process's converter, configured from ``settings`` (default: the environment's);
    ``slot`` 1, 2... are further converters of the same process, each its own LibreOffice."""
    settings = settings or get_settings()
    return WarmConverter(
        state_dir or converter_state_dir(settings.data_dir),
        soffice=soffice or settings.soffice,
        python=settings.converter_python,
        timeout=timeout or settings.convert_timeout,
        recycle_after=settings.converter_recycle_after,
        startup_timeout=settings.converter_startup_timeout,
        slot=slot,
        malloc=settings.converter_malloc,
    )


def convert_to_pdf(docx: bytes, *, soffice: str | None = None, timeout: int | None = None,
                   profile_dir: Path | None = None, settings: Settings | None = None) -> bytes:
    """The PDF of ``docx``. ``profile_dir`` (kept for older callers) only says where the
    converter keeps its state: its parent folder (default: ``converter_state_dir``). Raises
    ConversionError or ConverterUnavailable."""
    state_dir = profile_dir.parent if profile_dir is not None else None
    return warm_converter(settings, soffice=soffice, timeout=timeout, state_dir=state_dir).convert(docx)
