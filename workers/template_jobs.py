"""Template administration work the web hands to a worker, since the web never renders: the
checks of an uploaded template (they include a sample render) and the preview of a version
(watermarked "PRATINJAU", with no live verify link: workers.preview_mark)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from config.settings import get_settings
from storage.templates import TemplateRegistry
from workers.convert import ConversionError, ConverterUnavailable
from workers.preview_mark import mark_docx, mark_pdf, preview_identity
from workers.produce import produce_files
from workers.template_checks import check_template

__all__ = ["PREVIEW_ID", "check_upload", "preview_version"]

PREVIEW_ID = "0" * 32
"""The document id of a preview's render (its identity variables are preview_identity's: no link)."""


def check_upload(doc_type: str, upload: str) -> list[dict[str, Any]]:
    """Every check's result for the uploaded file at ``upload`` (a path under the data folder)."""
    return [asdict(result) for result in check_template(Path(upload).read_bytes(), doc_type, get_settings())]


def preview_version(doc_type: str, version: int, extension: str) -> bytes | dict[str, str]:
    """The type's sample data rendered with template ``version``, as ``extension`` (docx or pdf);
    ``{"unavailable": why}`` when the PDF converter can't make it now."""
    settings = get_settings()
    registry = TemplateRegistry.for_settings(settings)
    body = {"type": doc_type, "format": extension, "data": registry.sample(doc_type)}
    try:
        (produced,) = produce_files(body, registry, doc_id=PREVIEW_ID, template_version=version,
                                    formats=[extension], settings=settings, identity=preview_identity())
    except (ConverterUnavailable, ConversionError) as exc:
        return {"unavailable": f"PDF conversion failed: {exc}"}
    return mark_pdf(produced.content) if extension == "pdf" else mark_docx(produced.content)
