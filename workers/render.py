"""Fills a Word template with a context, in a sandboxed, autoescaping Jinja.

Two paths, same documents: `render_prepared` (the one workers use: the template version
prepared once, see workers/prepared.py) and `render_docx` (plain docxtpl, per document;
the reference the prepared path is tested against, and the fallback for templates it
doesn't support).
"""

from __future__ import annotations

import io
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from sakip.media import BarChart, Diagram, OrgChart, Picture

__all__ = ["TemplateRenderError", "draw_charts", "render_docx", "render_prepared", "sandbox_environment"]

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
PREPARED_CACHE_SIZE = 32
"""Template versions a worker process keeps prepared."""

_prepared: OrderedDict[str, Any] = OrderedDict()


class TemplateRenderError(Exception):
    """The template itself is broken (bad tag, unknown filter); retrying will not help."""


def sandbox_environment() -> SandboxedEnvironment:
    """A Jinja environment in which templates can't reach Python internals; values are XML-escaped."""
    return SandboxedEnvironment(autoescape=True)


def draw_charts(value: Any) -> Any:
    """The context with every BarChart, OrgChart and Diagram drawn as a Picture (PNG)."""
    if isinstance(value, BarChart):
        from workers.charts import draw_bar_chart  # matplotlib loads only where charts are drawn

        return Picture(png=draw_bar_chart(value), width_mm=value.width_mm)
    if isinstance(value, OrgChart):
        from workers.orgchart import draw_org_chart  # graphviz runs only where a chart is drawn

        return draw_org_chart(value)
    if isinstance(value, Diagram):
        from workers.diagrams import draw_diagram  # graphviz only where diagrams are drawn

        return draw_diagram(value)
    if isinstance(value, dict):
        return {k: draw_charts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [draw_charts(v) for v in value]
    return value


def _inline_images(value: Any, doc: DocxTemplate) -> Any:
    if isinstance(value, Picture):
        return InlineImage(doc, io.BytesIO(value.png), width=Mm(value.width_mm))
    if isinstance(value, dict):
        return {k: _inline_images(v, doc) for k, v in value.items()}
    if isinstance(value, list):
        return [_inline_images(v, doc) for v in value]
    return value


def render_docx(template: Path | bytes, context: dict[str, Any], paper: str | None = None) -> bytes:
    """Plain docxtpl: the .docx bytes of ``template`` filled with ``context``, on ``paper``."""
    source = io.BytesIO(template) if isinstance(template, bytes) else template
    doc = DocxTemplate(source)
    try:
        doc.render(_inline_images(draw_charts(context), doc), jinja_env=sandbox_environment(), autoescape=True)
    except TemplateError as exc:
        where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise TemplateRenderError(f"template error{where}: {exc}") from exc
    out = io.BytesIO()
    doc.save(out)
    return _normalised_package(out.getvalue(), paper)


def _normalised_package(docx: bytes, paper: str | None) -> bytes:
    """The same archive on ``paper`` (autofit tables sized to their content), every entry dated
    1980-01-01, so the same data gives the same bytes and the same sha256 when a job is re-run."""
    from workers.columns import fit_columns
    from workers.paper import fit_paper

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "word/document.xml":
                if paper:
                    data = fit_paper(data.decode("utf-8"), paper).encode("utf-8")
                data = fit_columns(data)
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, data)
    return out.getvalue()


def prepared(content: bytes, sha256: str, paper: str | None = None) -> Any:
    """The prepared form of a template version on its paper, made on first use and kept (LRU)."""
    from workers.prepared import PreparedTemplate, UnsupportedTemplate

    key = f"{sha256}:{paper}"
    if key in _prepared:
        _prepared.move_to_end(key)
        return _prepared[key]
    try:
        result: Any = PreparedTemplate(content, paper=paper)
    except UnsupportedTemplate:
        result = None  # remembered too: this version always renders through plain docxtpl
    _prepared[key] = result
    while len(_prepared) > PREPARED_CACHE_SIZE:
        _prepared.popitem(last=False)
    return result


def render_prepared(content: bytes, sha256: str, context: dict[str, Any], paper: str | None = None) -> bytes:
    """The .docx of ``context`` through the prepared template; plain docxtpl when unsupported."""
    template = prepared(content, sha256, paper)
    if template is None:
        return render_docx(content, context, paper=paper)
    return template.render(context, draw=True)
