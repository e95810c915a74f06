"""Request body in, finished files out: validate, pick the template, render, fit the paper, convert.

Shared by the RQ job and the offline `docgen render`, so both make the same document. A
document with an id also carries its identity: the id, a QR code pointing at its public
verification page (on the signature page and in the footer) and the invisible TTE anchors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rq import get_current_job

from config.settings import Settings, get_settings
from sakip.doctypes import DOCUMENT_TYPES
from sakip.envelope import parse_document_request
from sakip.errors import InvalidPayload
from sakip.media import Picture
from sakip.quality import QualityWarning, quality_warnings, warnings_as_problems
from signing.prepare import prepare_for_signing
from storage.metrics import timed
from storage.templates import TemplateRegistry, TemplateVersion
from workers.convert import warm_converter
from workers.images import resolve_pictures
from workers.qr import qr_png
from workers.render import render_prepared

__all__ = ["ProducedDocument", "anchor_context", "document_summary", "identity_context",
           "produce_document", "produce_files", "verify_url"]

QR_SIGNATURE_MM = 24
"""Width of the QR code on the signature page: scannable from print at arm's length."""
QR_FOOTER_MM = 14
"""Width of the footer's QR code: small, still decodable from a 300 dpi scan."""


@dataclass(frozen=True)
class ProducedDocument:
    """A finished file and what it was made from."""

    content: bytes
    extension: str
    filename: str
    template: TemplateVersion
    summary: dict[str, Any] = field(default_factory=dict)
    warnings: list[QualityWarning] = field(default_factory=list)


def verify_url(base_url: str, doc_id: str) -> str:
    """The public page that tells whether document ``doc_id`` is genuine."""
    return f"{base_url.rstrip('/')}/verify/{doc_id}"


def identity_context(doc_id: str, settings: Settings) -> dict[str, Any]:
    """The template variables that identify a document: id, verification URL and its QR codes."""
    url = verify_url(settings.base_url, doc_id)
    png = qr_png(url)
    return {
        "dokumen_id": doc_id,
        "verifikasi_url": url,
        "qr_verifikasi": Picture(png=png, width_mm=QR_SIGNATURE_MM),
        "qr_kaki": Picture(png=png, width_mm=QR_FOOTER_MM),
    }


def anchor_context(settings: Settings) -> dict[str, str]:
    """The invisible texts in the signature cells that a TTE client stamps at."""
    # The LKjIP's only signer, the head of agency, is stamped where a PK's first party would be.
    return {"anchor_pihak_pertama": settings.anchor_pihak_pertama,
            "anchor_pihak_kedua": settings.anchor_pihak_kedua,
            "anchor_kepala": settings.anchor_pihak_pertama}


def document_summary(doc_type: str, data: Any) -> dict[str, Any]:
    """What the public verification page may show: year, agency and signatories (name, position
    and the NIP masked as "19700315 ****** * 002"; no rank)."""
    return DOCUMENT_TYPES[doc_type].summary(data)


def produce_files(body: dict[str, Any], registry: TemplateRegistry, *, doc_id: str | None = None,
                  template_version: int | None = None, formats: list[str] | None = None,
                  settings: Settings | None = None, soffice: str | None = None,
                  convert_timeout: int | None = None, profile_dir: Path | None = None,
                  identity: dict[str, Any] | None = None) -> list[ProducedDocument]:
    """One file per requested format (the request's, unless ``formats`` says otherwise), rendered
    once. ``identity`` replaces the identity variables ``doc_id`` would give (a template preview's).
    Raises InvalidPayload (also for quality warnings of a ``strict`` request), UnknownTemplate,
    TemplateRenderError, ConverterUnavailable or ConversionError."""
    settings = settings or get_settings()
    valid = parse_document_request(body)
    request = valid.request
    warnings = quality_warnings(valid.data)
    if warnings and request.strict:
        raise InvalidPayload(warnings_as_problems(warnings))
    template = registry.get(request.type, template_version or request.template_version)
    context = {**valid.doctype.context(valid.data), **anchor_context(settings)}
    if identity is not None:
        context = {**context, **identity}
    elif doc_id is not None:
        context = {**context, **identity_context(doc_id, settings)}
    context = resolve_pictures(context, settings)
    job = get_current_job()  # timings are recorded for the service's jobs, not for the CLI or a bench
    with timed(job.connection if job else None, "render_seconds"):
        docx = render_prepared(template.content, template.sha256, context, paper=template.paper)
    summary = document_summary(request.type, valid.data)
    produced = []
    for extension in formats or request.formats:
        content = docx
        if extension == "pdf":
            state_dir = profile_dir.parent if profile_dir is not None else None
            with timed(job.connection if job else None, "conversion_seconds"):
                converted = warm_converter(settings, soffice=soffice, timeout=convert_timeout, state_dir=state_dir
                                           ).convert(docx, request.pdf_profile or settings.pdf_profile)
            content = prepare_for_signing(converted)
        produced.append(ProducedDocument(content=content, extension=extension, template=template,
                                         filename=valid.doctype.filename(valid.data, extension), summary=summary,
                                         warnings=warnings))
    return produced


def produce_document(body: dict[str, Any], registry: TemplateRegistry, *, template_version: int | None = None,
                     output_format: str | None = None, soffice: str | None = None,
                     convert_timeout: int | None = None, profile_dir: Path | None = None,
                     doc_id: str | None = None, settings: Settings | None = None) -> ProducedDocument:
    """The document in ``output_format`` (default: the request's first format)."""
    formats = [output_format] if output_format else None
    produced = produce_files(body, registry, doc_id=doc_id, template_version=template_version, formats=formats,
                             settings=settings, soffice=soffice, convert_timeout=convert_timeout,
                             profile_dir=profile_dir)
    return produced[0]
