"""What makes a template preview unmistakably not a document: a "PRATINJAU" watermark on every
page (in the DOCX a Word watermark in every header, in the PDF a text stamp on every page) and an
identity that leads nowhere (no document id, no verify URL: the QR codes say "PRATINJAU")."""

from __future__ import annotations

import io
import math
from typing import Any

import pikepdf
from docx import Document
from lxml import etree

from sakip.media import Picture
from workers.produce import QR_FOOTER_MM, QR_SIGNATURE_MM
from workers.qr import qr_png

__all__ = ["WATERMARK", "mark_docx", "mark_pdf", "preview_identity"]

WATERMARK = "PRATINJAU"
"""The word across every page of a preview."""

NOTE = "PRATINJAU - bukan dokumen resmi, tidak dapat diverifikasi"
"""What stands where a document's id, verify link and QR code would be."""

_VML = ('<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
        '<w:r><w:rPr><w:noProof/></w:rPr><w:pict>'
        '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
        'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
        '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
        '<v:shape id="PowerPlusWaterMarkObject{n}" o:spid="_x0000_s{spid}" type="#_x0000_t136" '
        'style="position:absolute;margin-left:0;margin-top:0;width:470pt;height:117pt;rotation:315;'
        'z-index:-251654144;mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
        'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
        'fillcolor="silver" stroked="f"><v:fill opacity=".5"/>'
        '<v:textpath style="font-family:&quot;Liberation Sans&quot;;font-size:1pt" string="{text}"/>'
        '</v:shape></w:pict></w:r></w:p>')


def preview_identity() -> dict[str, Any]:
    """The identity variables of a preview: the template's id, link and QR places are filled
    (so the layout shows) with a note that leads to no document."""
    png = qr_png(NOTE)
    return {"dokumen_id": WATERMARK, "verifikasi_url": NOTE,
            "qr_verifikasi": Picture(png=png, width_mm=QR_SIGNATURE_MM),
            "qr_kaki": Picture(png=png, width_mm=QR_FOOTER_MM)}


def mark_docx(content: bytes) -> bytes:
    """``content`` with a Word watermark "PRATINJAU" in every header (first-page and even-page
    headers too), so every page carries it."""
    document = Document(io.BytesIO(content))
    headers = []
    for section in document.sections:
        section.header.is_linked_to_previous = False
        headers.append(section.header)
        if section.different_first_page_header_footer:
            section.first_page_header.is_linked_to_previous = False
            headers.append(section.first_page_header)
        if document.settings.odd_and_even_pages_header_footer:
            section.even_page_header.is_linked_to_previous = False
            headers.append(section.even_page_header)
    seen: set[int] = set()
    for n, header in enumerate(headers, start=1):
        if id(header.part) in seen:
            continue
        seen.add(id(header.part))
        header._element.append(etree.fromstring(_VML.format(n=n, spid=2048 + n, text=WATERMARK)))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_WIDTH = 5.722
"""Width of "PRATINJAU" in Helvetica-Bold per point of font size (the font's own metrics)."""


def mark_pdf(content: bytes) -> bytes:
    """``content`` with "PRATINJAU" stamped diagonally across every page, as real text (a reader
    or a search finds it) in light grey over the page."""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name("/Helvetica-Bold")))
        shade = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=0.28, CA=0.28))
        for page in pdf.pages:
            left, bottom, right, top = (float(v) for v in page.mediabox)
            width, height = right - left, top - bottom
            angle = math.atan2(height, width)
            size = min(110.0, 0.8 * math.hypot(width, height) / _WIDTH)
            cos, sin = math.cos(angle), math.sin(angle)
            x = left + width / 2 - cos * _WIDTH * size / 2 + sin * size * 0.35
            y = bottom + height / 2 - sin * _WIDTH * size / 2 - cos * size * 0.35
            font_name = page.add_resource(font, pikepdf.Name.Font, prefix="FPratinjau")
            shade_name = page.add_resource(shade, pikepdf.Name.ExtGState, prefix="GSPratinjau")
            # the page's own drawing closed in q/Q, so a state it leaves set does not skew the stamp
            page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
            stamp = (f"Q q {shade_name} gs 0.45 g BT {font_name} {size:.2f} Tf "
                     f"{cos:.5f} {sin:.5f} {-sin:.5f} {cos:.5f} {x:.2f} {y:.2f} Tm ({WATERMARK}) Tj ET Q")
            page.contents_add(pikepdf.Stream(pdf, stamp.encode("ascii")), prepend=False)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()
