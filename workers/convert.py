"""DOCX -> PDF with LibreOffice, one conversion at a time, under a timeout, leaving no process behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

__all__ = ["ConversionError", "ConverterUnavailable", "convert_to_pdf"]


class ConversionError(Exception):
    """LibreOffice failed or timed out on this document; a retry may succeed."""


class ConverterUnavailable(Exception):
    """LibreOffice is not installed where this worker runs; retrying will not help."""


def convert_to_pdf(docx: bytes, *, soffice: str, timeout: int, profile_dir: Path) -> bytes:
    """The PDF of ``docx``. ``profile_dir`` is this worker's own LibreOffice profile
    (two instances sharing one profile block each other)."""
    binary = shutil.which(soffice)
    if binary is None:
        raise ConverterUnavailable(f"PDF output needs LibreOffice ('{soffice}'), which is not installed on this worker")
    profile_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="docgen-pdf-") as tmp:
        source = Path(tmp) / "document.docx"
        source.write_bytes(docx)
        command = [binary, f"-env:UserInstallation={profile_dir.resolve().as_uri()}", "--headless",
                   "--norestore", "--convert-to", "pdf", "--outdir", tmp, str(source)]
        # A session of its own lets a timeout kill soffice.bin and every helper it started.
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionError(f"PDF conversion took longer than {timeout} seconds") from None
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        pdf = Path(tmp) / "document.pdf"
        if process.returncode != 0 or not pdf.is_file():
            detail = output.decode(errors="replace").strip()[-300:]
            raise ConversionError(f"LibreOffice could not convert the document (exit {process.returncode}): {detail}")
        return pdf.read_bytes()
