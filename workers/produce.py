"""Request body in, finished file out: validate, pick the template, render, convert.

Shared by the RQ job and the offline `docgen render`, so both make the same document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sakip.envelope import parse_document_request
from storage.templates import TemplateRegistry, TemplateVersion
from workers.convert import convert_to_pdf
from workers.render import render_prepared

__all__ = ["ProducedDocument", "produce_document"]

@dataclass(frozen=True)
class ProducedDocument:
    """A finished file and what it was made from."""

    content: bytes
    extension: str
    filename: str
    template: TemplateVersion


def produce_document(body: dict[str, Any], registry: TemplateRegistry, *, template_version: int | None = None,
                     output_format: str | None = None, soffice: str = "soffice", convert_timeout: int = 120,
                     profile_dir: Path | None = None) -> ProducedDocument:
    """The document for ``body``. Raises InvalidPayload, UnknownTemplate, TemplateRenderError,
    ConverterUnavailable or ConversionError."""
    valid = parse_document_request(body)
    request = valid.request
    template = registry.get(request.type, template_version or request.template_version)
    docx = render_prepared(template.content, template.sha256, valid.doctype.context(valid.data))
    extension = output_format or request.format
    content = docx
    if extension == "pdf":
        content = convert_to_pdf(docx, soffice=soffice, timeout=convert_timeout,
                                 profile_dir=profile_dir or Path("var/libreoffice/profile-cli"))
    return ProducedDocument(content=content, extension=extension,
                            filename=valid.doctype.filename(valid.data, extension), template=template)
