"""Fills a Word template with a context through docxtpl, in a sandboxed, autoescaping Jinja."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

__all__ = ["TemplateRenderError", "render_docx", "sandbox_environment"]


class TemplateRenderError(Exception):
    """The template itself is broken (bad tag, unknown filter); retrying will not help."""


def sandbox_environment() -> SandboxedEnvironment:
    """A Jinja environment in which templates can't reach Python internals; values are XML-escaped."""
    return SandboxedEnvironment(autoescape=True)


def render_docx(template: Path | bytes, context: dict[str, Any]) -> bytes:
    """The .docx bytes of ``template`` filled with ``context``; one DocxTemplate per call."""
    source = io.BytesIO(template) if isinstance(template, bytes) else template
    doc = DocxTemplate(source)
    try:
        doc.render(context, jinja_env=sandbox_environment(), autoescape=True)
    except TemplateError as exc:
        where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise TemplateRenderError(f"template error{where}: {exc}") from exc
    out = io.BytesIO()
    doc.save(out)
    return _with_fixed_timestamps(out.getvalue())


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _with_fixed_timestamps(docx: bytes) -> bytes:
    """The same archive with every entry dated 1980-01-01, so the same data gives the same
    bytes and the same sha256 when a job is re-run."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, source.read(entry))
    return out.getvalue()
