"""The prepared renderer makes the same documents as plain docxtpl, part for part."""

from __future__ import annotations

import copy
import io
import re
import zipfile

import pytest
from docx import Document
from lxml import etree

from config.settings import REPO_ROOT
from sakip.envelope import parse_document_request
from sakip.media import Picture
from storage.templates import TemplateRegistry
from tests.conftest import example
from tests.docx_reading import full_text, open_docx
from workers.prepared import PreparedTemplate
from workers.render import TemplateRenderError, render_docx

PK = TemplateRegistry(REPO_ROOT / "doctypes").get("pk")


def _normalised(data: bytes, name: str = "") -> bytes:
    """XML in exclusive canonical form: namespace declarations placed where used, attribute
    order fixed; picture relationship ids and file names masked. In document properties an
    empty property equals an absent one (docxtpl writes every one it renders)."""
    root = etree.fromstring(data)
    if name == "docProps/core.xml":
        for element in list(root):
            if not (element.text or "").strip() and not len(element) and not element.attrib:
                root.remove(element)
    xml = etree.tostring(root, method="c14n", exclusive=True)
    xml = re.sub(rb'(r:embed|r:id)="[^"]*"', rb'\1="rel"', xml)
    return re.sub(rb'name="[^"]*(image|docgen)[^"]*"', rb'name="picture"', xml)


def _parts(docx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def assert_same_document(ours: bytes, reference: bytes) -> None:
    mine, theirs = _parts(ours), _parts(reference)
    content_parts = {n for n in theirs if not n.endswith(".rels") and n != "[Content_Types].xml"}
    assert {n for n in content_parts if not n.startswith("word/media/")} <= set(mine)
    for name in content_parts:
        if name.startswith("word/media/"):
            continue
        if name.endswith(".xml"):
            assert _normalised(mine[name], name) == _normalised(theirs[name], name), name
        else:
            assert mine[name] == theirs[name], name
    def media(parts: dict[str, bytes]) -> list[bytes]:
        return sorted(v for n, v in parts.items() if n.startswith("word/media/"))

    assert media(mine) == media(theirs)


def _context(body: dict) -> dict:
    valid = parse_document_request(body)
    return valid.doctype.context(valid.data)


@pytest.mark.parametrize("name", ["pk-jpt", "pk-administrator", "pk-kepala-daerah"])
def test_shipped_pk_template_renders_like_docxtpl(name):
    context = _context(example(name))
    assert_same_document(PreparedTemplate(PK.content).render(context), render_docx(PK.content, context))


def test_special_characters_and_line_breaks_like_docxtpl():
    body = example("pk-jpt")
    body["data"]["pihak_pertama"]["jabatan"] = "Kepala & <Dinas>\nbaris dua\tkolom"
    context = _context(body)
    ours = PreparedTemplate(PK.content).render(context)
    assert_same_document(ours, render_docx(PK.content, context))
    assert "Kepala & <Dinas>" in full_text(open_docx(ours))


def _template_with(*paragraphs: str, header: str | None = None, table_columns: bool = False) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if header:
        doc.sections[0].header.paragraphs[0].text = header
        doc.sections[0].footer.paragraphs[0].text = header + " (footer)"
    if table_columns:
        table = doc.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "{%tc for c in cols %}"
        table.cell(0, 1).text = "{{ c }}{%tc endfor %}"
        table.cell(1, 0).text = "x"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_headers_footers_and_column_loops_like_docxtpl():
    content = _template_with("Judul {{ judul }}", header="ID {{ id }}", table_columns=True)
    context = {"judul": "A & B", "id": "abc123", "cols": ["K1", "K2", "K3"]}
    ours = PreparedTemplate(content).render(context)
    assert_same_document(ours, render_docx(content, context))
    doc = open_docx(ours)
    assert doc.sections[0].header.paragraphs[0].text == "ID abc123"
    assert doc.sections[0].footer.paragraphs[0].text == "ID abc123 (footer)"


def _png(width: int, height: int) -> bytes:
    import struct
    import zlib

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_pictures_become_media_parts_like_docxtpl():
    content = _template_with("Grafik:", "{{ grafik }}", "{% for g in lagi %}{{ g }}{% endfor %}")
    picture = Picture(png=_png(40, 20), width_mm=80)
    context = {"grafik": picture, "lagi": [Picture(png=_png(10, 10), width_mm=20), picture]}
    ours = PreparedTemplate(content).render(context)
    reference = render_docx(content, copy.deepcopy(context))
    assert_same_document(ours, reference)
    doc = open_docx(ours)
    shapes = doc.inline_shapes
    assert len(shapes) == 3
    assert abs(shapes[0].width.mm - 80) < 0.1 and abs(shapes[0].height.mm - 40) < 0.1
    assert len([n for n in _parts(ours) if n.startswith("word/media/")]) == 2


def test_same_context_same_bytes_and_templates_are_sandboxed():
    prepared = PreparedTemplate(PK.content)
    context = _context(example("pk-jpt"))
    assert prepared.render(context) == prepared.render(copy.deepcopy(context))
    evil = PreparedTemplate(_template_with("{{ ''.__class__.__mro__[1].__subclasses__() }}"))
    with pytest.raises(TemplateRenderError):
        evil.render({})
