"""Fills a Word template with a context through docxtpl, in a sandboxed, autoescaping Jinja."""

from __future__ import annotations

import io
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
    return out.getvalue()
