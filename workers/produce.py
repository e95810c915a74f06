"""Request body in, finished files out: validate, pick the template, render, fit the paper, convert.

Shared by the RQ job and the offline `docgen render`, so both make the same document. A
document with an id also carries its identity: the id, a QR code pointing at its public
verification page (on the signature page and in the footer) and the invisible TTE anchors.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import segno

from config.settings import Settings, get_settings
from sakip.envelope import parse_document_request
from sakip.media import Picture
from storage.templates import TemplateRegistry, TemplateVersion
from workers.convert import warm_converter
from workers.render import ZIP_EPOCH, render_prepared

__all__ = ["PAPER_SIZES_MM", "ProducedDocument", "anchor_context", "document_summary", "identity_context",
           "produce_document", "produce_files", "verify_url"]

PAPER_SIZES_MM: dict[str, tuple[int, int]] = {"F4": (215, 330), "A4": (210, 297)}
"""Portrait width and height of each paper a template version may name in its manifest."""

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


def verify_url(base_url: str, doc_id: str) -> str:
    """The public page that tells whether document ``doc_id`` is genuine."""
    return f"{base_url.rstrip('/')}/verify/{doc_id}"


def _qr_png(text: str) -> bytes:
    out = io.BytesIO()
    # Error correction M survives a stamp or a fold; a 4-module quiet zone, as the standard asks.
    segno.make(text, error="m", micro=False).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def identity_context(doc_id: str, settings: Settings) -> dict[str, Any]:
    """The template variables that identify a document: id, verification URL and its QR codes."""
    url = verify_url(settings.base_url, doc_id)
    png = _qr_png(url)
    return {
        "dokumen_id": doc_id,
        "verifikasi_url": url,
        "qr_verifikasi": Picture(png=png, width_mm=QR_SIGNATURE_MM),
        "qr_kaki": Picture(png=png, width_mm=QR_FOOTER_MM),
    }


def anchor_context(settings: Settings) -> dict[str, str]:
    """The invisible texts in the signature cells that a TTE client stamps at."""
    return {"anchor_pihak_pertama": settings.anchor_pihak_pertama,
            "anchor_pihak_kedua": settings.anchor_pihak_kedua}


def _party(pejabat: Any) -> dict[str, str] | None:
    if pejabat is None:
        return None
    return {"nama": getattr(pejabat, "nama", ""), "jabatan": getattr(pejabat, "jabatan", "")}


def document_summary(doc_type: str, data: Any) -> dict[str, Any]:
    """What the public verification page may show: year, agency and signatories (name and
    position only: no NIP, no rank)."""
    instansi = getattr(data, "instansi", None)
    parties = {role: _party(getattr(data, role, None)) for role in ("pihak_pertama", "pihak_kedua")}
    return {
        "tahun": getattr(data, "tahun", None),
        "instansi": getattr(instansi, "nama", None),
        "pemerintah": getattr(instansi, "pemerintah", None),
        "jenis": getattr(data, "jenis", None) if doc_type == "pk" else None,
        "pihak": {role: party for role, party in parties.items() if party is not None},
    }


def _twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def _fit_paper(document_xml: str, paper: str) -> str:
    """Every section on the manifest's paper, keeping each section's orientation."""
    width_mm, height_mm = PAPER_SIZES_MM[paper]
    portrait = (_twips(width_mm), _twips(height_mm))

    def resize(match: re.Match[str]) -> str:
        tag = match.group(0)
        w = re.search(r'w:w="(\d+)"', tag)
        h = re.search(r'w:h="(\d+)"', tag)
        landscape = bool(w and h and int(w.group(1)) > int(h.group(1)))
        new_w, new_h = (portrait[1], portrait[0]) if landscape else portrait
        tag = re.sub(r'w:w="\d+"', f'w:w="{new_w}"', tag)
        return re.sub(r'w:h="\d+"', f'w:h="{new_h}"', tag)

    return re.sub(r"<w:pgSz\b[^>]*/>", resize, document_xml)


_DOCGEN_RID = re.compile(r'r:embed="(rIdDocgen\d+)"')


def _finish_package(docx: bytes, paper: str) -> bytes:
    """The rendered package, on the template's paper; pictures placed in headers and footers
    get their relationship in that part too (the prepared renderer links pictures from the
    body's relationships only). Untouched packages come back as they are."""
    with zipfile.ZipFile(io.BytesIO(docx)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    changed: dict[str, bytes] = {}
    document = parts["word/document.xml"].decode("utf-8")
    fitted = _fit_paper(document, paper) if paper in PAPER_SIZES_MM else document
    if fitted != document:
        changed["word/document.xml"] = fitted.encode("utf-8")
    body_rels = parts.get("word/_rels/document.xml.rels", b"").decode("utf-8")
    for name, data in parts.items():
        if not re.fullmatch(r"word/(header|footer)\d*\.xml", name):
            continue
        wanted = sorted(set(_DOCGEN_RID.findall(data.decode("utf-8", errors="replace"))))
        if not wanted:
            continue
        rels_name = f"word/_rels/{name.rsplit('/', 1)[1]}.rels"
        rels = parts.get(rels_name, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                    b'relationships"></Relationships>').decode("utf-8")
        extra = ""
        for rid in wanted:
            found = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*/>', body_rels)
            if found and f'Id="{rid}"' not in rels:
                extra += found.group(0)
        if extra:
            changed[rels_name] = rels.replace("</Relationships>", extra + "</Relationships>").encode("utf-8")
    if not changed:
        return docx
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in {**parts, **changed}.items():
            target.writestr(zipfile.ZipInfo(name, date_time=ZIP_EPOCH), data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def produce_files(body: dict[str, Any], registry: TemplateRegistry, *, doc_id: str | None = None,
                  template_version: int | None = None, formats: list[str] | None = None,
                  settings: Settings | None = None, soffice: str | None = None,
                  convert_timeout: int | None = None, profile_dir: Path | None = None) -> list[ProducedDocument]:
    """One file per requested format (the request's, unless ``formats`` says otherwise), rendered
    once. Raises InvalidPayload, UnknownTemplate, TemplateRenderError, ConverterUnavailable or
    ConversionError."""
    settings = settings or get_settings()
    valid = parse_document_request(body)
    request = valid.request
    template = registry.get(request.type, template_version or request.template_version)
    context = {**valid.doctype.context(valid.data), **anchor_context(settings)}
    if doc_id is not None:
        context = {**context, **identity_context(doc_id, settings)}
    docx = _finish_package(render_prepared(template.content, template.sha256, context), template.paper)
    summary = document_summary(request.type, valid.data)
    produced = []
    for extension in formats or request.formats:
        content = docx
        if extension == "pdf":
            state_dir = profile_dir.parent if profile_dir is not None else None
            content = warm_converter(settings, soffice=soffice, timeout=convert_timeout,
                                     state_dir=state_dir).convert(docx)
        produced.append(ProducedDocument(content=content, extension=extension, template=template,
                                         filename=valid.doctype.filename(valid.data, extension), summary=summary))
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
