"""The agency logo left of the PK letterhead and the Garuda centred on top of a regional head's
PK: in the DOCX of both render paths (the prepared one and plain docxtpl, part for part), in the
PDF where an official expects them, refused with a 422 naming the field when they are not
acceptable pictures, and absent (layout unchanged) when the request sends none."""

from __future__ import annotations

import copy
import io

import pdfplumber
import pytest
from PIL import Image

from config.settings import REPO_ROOT
from sakip.envelope import parse_document_request
from storage.templates import TemplateRegistry
from tests.conftest import example
from tests.docx_reading import full_text, open_docx
from tests.pictures import as_base64, garuda_png, logo_jpeg, logo_png, noise_png
from tests.test_prepared_renderer import assert_same_document
from workers.images import resolve_pictures
from workers.prepared import PreparedTemplate
from workers.render import render_docx

pytestmark = pytest.mark.usefixtures("shared_converter")
"""PDFs from the session's warm LibreOffice (conftest.shared_converter)."""

REGISTRY = TemplateRegistry(REPO_ROOT / "doctypes")
MM = 72 / 25.4


def _with_pictures(name: str, logo: bytes | None = None, garuda: bytes | None = None) -> dict:
    body = copy.deepcopy(example(name))
    if logo is not None:
        body["data"]["instansi"]["logo"] = {"data": as_base64(logo)}
    if garuda is not None:
        body["data"]["garuda"] = {"data": as_base64(garuda)}
    return body


def _context(body: dict, settings) -> dict:
    valid = parse_document_request(body)
    return resolve_pictures(valid.doctype.context(valid.data), settings)


def _pictures(docx: bytes) -> list[tuple[bytes, float]]:
    """(bytes, width in mm) of every inline picture of the body."""
    document = open_docx(docx)
    found = []
    for shape in document.inline_shapes:
        rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        found.append((document.part.related_parts[rid].blob, shape.width.mm))
    return found


@pytest.mark.parametrize(("name", "logo", "garuda"), [
    ("pk-jpt", logo_png(), None),
    ("pk-administrator", logo_jpeg(), None),
    ("pk-kepala-daerah", logo_png(), garuda_png()),
    ("pk-kepala-daerah", None, garuda_png()),
])
def test_both_render_paths_place_the_pictures_alike(settings, name, logo, garuda):
    template = REGISTRY.get("pk")
    assert template.version == 2
    context = _context(_with_pictures(name, logo, garuda), settings)
    ours = PreparedTemplate(template.content).render(context)
    assert_same_document(ours, render_docx(template.content, copy.deepcopy(context)))
    pictures = _pictures(ours)
    expected = [p for p in (garuda, logo) if p is not None]
    assert [blob for blob, _ in pictures] == expected
    if logo is not None:  # a tall logo fills the box's height: 28 mm tall, 300/360 of that wide
        width = dict(pictures)[logo]
        assert abs(width - 28 * 300 / 360) < 0.2, width
    if garuda is not None:
        assert abs(dict(pictures)[garuda] - 26) < 0.2
    assert "PEMERINTAH PROVINSI SUMATERA UTARA" in full_text(open_docx(ours))


@pytest.mark.parametrize("name", ["pk-jpt", "pk-administrator", "pk-kepala-daerah"])
def test_no_logo_no_picture_and_the_letterhead_as_before(settings, name):
    template = REGISTRY.get("pk")
    body = example(name)
    context = _context(body, settings)
    docx = PreparedTemplate(template.content).render(context)
    assert _pictures(docx) == []
    paragraphs = [p.text for p in open_docx(docx).paragraphs if p.text.strip()]
    assert paragraphs[0] == "PEMERINTAH PROVINSI SUMATERA UTARA"  # centred paragraphs, no table around them


def test_version_1_still_renders(settings):
    v1 = REGISTRY.get("pk", 1)
    context = _context(example("pk-jpt"), settings)
    assert "PERJANJIAN KINERJA TAHUN 2026" in full_text(open_docx(PreparedTemplate(v1.content).render(context)))


def _words(page) -> list[dict]:
    return page.extract_words(keep_blank_chars=False)


def _pdf(make_document, body: dict) -> pdfplumber.PDF:
    body = {**body, "format": "pdf"}
    _, pdf = make_document(body)
    return pdfplumber.open(io.BytesIO(pdf))


def test_the_pdf_shows_the_logo_left_of_the_letterhead(make_document):
    with _pdf(make_document, _with_pictures("pk-jpt", logo_png())) as pdf:
        page = pdf.pages[0]
        words = _words(page)
        pemerintah = next(w for w in words if w["text"] == "PEMERINTAH")
        dinas = next(w for w in words if w["text"] == "DINAS")
        top_images = [i for i in page.images if i["top"] < pemerintah["top"] + 60]
        assert len(top_images) == 1, page.images
        logo = top_images[0]
        assert logo["x1"] < min(pemerintah["x0"], dinas["x0"])  # left of the letterhead text
        assert logo["top"] < pemerintah["bottom"] and logo["bottom"] > dinas["top"]  # beside it, not above
        assert abs((logo["bottom"] - logo["top"]) - 28 * MM) < 2 * MM
        assert logo["x0"] >= 20 * MM  # inside the page, near the left margin
        assert pdf.pages[0].extract_text().count("PERJANJIAN KINERJA") == 1


def test_the_pdf_of_a_regional_head_has_the_garuda_centred_on_top(make_document):
    with _pdf(make_document, _with_pictures("pk-kepala-daerah", garuda=garuda_png())) as pdf:
        page = pdf.pages[0]
        pemerintah = next(w for w in _words(page) if w["text"] == "PEMERINTAH")
        garuda = [i for i in page.images if i["bottom"] <= pemerintah["top"] + 1]
        assert len(garuda) == 1, page.images
        middle = (garuda[0]["x0"] + garuda[0]["x1"]) / 2
        text_middle = (25 + (215 - 20)) / 2 * MM  # between the F4 page's left and right margins
        assert abs(middle - text_middle) < 3, (middle, text_middle)
        assert garuda[0]["top"] < 40 * MM  # at the top of the page


def _wide_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3000, 60), "white").save(out, "PNG")
    return out.getvalue()


BAD = {
    "a text file renamed .png": ({"data": as_base64(b"bukan gambar\n" * 100)}, "utuh"),
    "3 MB": ({"data": as_base64(noise_png(1100, 1000))}, "paling besar"),
    "3000 px": ({"data": as_base64(_wide_png())}, "piksel"),
    "a truncated PNG": ({"data": as_base64(logo_png(600, 600)[:4000])}, "utuh"),
    "a URL": ({"data": "https://example.org/logo.png"}, "URL"),
    "both data and asset": ({"data": as_base64(logo_png()), "asset": "abc"}, "tepat satu"),
    "an unknown field": ({"url": "https://example.org/logo.png"}, "tidak dikenal"),
}


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("field", ["instansi.logo", "garuda"])
def test_a_bad_picture_is_a_422_naming_the_field(client, case, field):
    ref, phrase = BAD[case]
    body = copy.deepcopy(example("pk-kepala-daerah"))
    if field == "garuda":
        body["data"]["garuda"] = ref
    else:
        body["data"]["instansi"]["logo"] = ref
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert len(errors) == 1 and errors[0]["loc"].startswith(f"data.{field}"), errors
    assert phrase in errors[0]["msg"], errors


def test_the_garuda_only_on_a_regional_heads_pk(client):
    body = _with_pictures("pk-jpt", garuda=garuda_png())
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 422
    assert [(e["loc"], "kepala daerah" in e["msg"]) for e in response.get_json()["errors"]] == [("data.garuda", True)]

