"""Whether this worker can make PDFs (LibreOffice and its Python bridge installed), reported in Redis
for /readyz: the web can't see the workers' machines, so each document and bulk worker says so
itself at start and again at every maintenance run; the report expires with the worker."""

from __future__ import annotations

import shutil
import subprocess

from redis import Redis

from config.settings import Settings

__all__ = ["KEY_PREFIX", "converter_problem", "report_converter"]

KEY_PREFIX = "docgen:converter-ready:"
"""``<prefix><worker name>`` = "ok" or why PDFs can't be made there."""

_checked: dict[tuple[str, str], str] = {}


def converter_problem(settings: Settings) -> str | None:
    """Why this machine can't convert to PDF, or None. Checked once per process (the bridge's
    import takes a second)."""
    wanted = (settings.soffice, settings.converter_python)
    if wanted not in _checked:
        if shutil.which(settings.soffice) is None:
            _checked[wanted] = f"LibreOffice ('{settings.soffice}') not found"
        elif (shutil.which(settings.converter_python) is None or subprocess.run(
                [settings.converter_python, "-c", "import uno"], capture_output=True, timeout=60).returncode != 0):
            _checked[wanted] = f"'{settings.converter_python}' can't import uno (python3-uno)"
        else:
            _checked[wanted] = ""
    return _checked[wanted] or None


def report_converter(connection: Redis, worker_name: str, settings: Settings, ttl: int) -> None:
    """Write this worker's converter state for ``ttl`` seconds."""
    connection.set(KEY_PREFIX + worker_name, converter_problem(settings) or "ok", ex=ttl)
