"""Template checks (`docgen templates validate`): what makes a template unusable, each named."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import pytest
from docx import Document

from config.settings import REPO_ROOT, Settings
from storage.templates import TemplateRegistry
from tests.docx_reading import patched_docx
from workers.template_checks import check_template

REGISTRY = TemplateRegistry(REPO_ROOT / "doctypes")


def _docx(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _failed(results, lang: str = "en") -> dict[str, str]:
    return {r.name: r.message_in(lang) for r in results if not r.ok}


@pytest.mark.parametrize("doc_type", ["pk", "lkjip"])
def test_shipped_templates_pass(doc_type):
    results = check_template(REGISTRY.get(doc_type).content, doc_type, Settings())
    assert _failed(results) == {}
    assert [r.name for r in results] == ["size", "xml", "tags", "variables", "render"]


def test_not_a_docx():
    assert _failed(check_template(b"hello", "pk", Settings())) == {"docx": "not a .docx file (not a zip archive)"}


def test_a_dtd_with_entities_is_refused():
    content = patched_docx(_docx("{{ judul }}"), "word/document.xml",
                       lambda d: d.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1))
    assert "word/document.xml: DTD/ENTITY" in _failed(check_template(content, "pk", Settings()))["xml"]


def test_an_external_resource_is_refused():
    content = patched_docx(_docx("{{ judul }}"), "word/_rels/document.xml.rels", lambda d: d.replace(
        b"</Relationships>", b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/image" Target="http://evil.example/x.png" TargetMode="External"/></Relationships>'))
    assert "http://evil.example/x.png" in _failed(check_template(content, "pk", Settings()))["xml"]


def test_a_broken_tag_is_named():
    assert "template error" in _failed(check_template(_docx("{% if judul %} never closed"), "pk", Settings()))["tags"]


def test_unknown_variables_are_each_named():
    failed = _failed(check_template(_docx("{{ judul }} {{ nama_kepala }} {{ nomor_surat }}"), "pk", Settings()))
    assert failed["variables"] == "unknown variables for type 'pk': nama_kepala, nomor_surat"
    indonesian = _failed(check_template(_docx("{{ judul }} {{ nama_kepala }}"), "pk", Settings()), "id")
    assert indonesian["variables"] == "variabel yang tidak dikenal untuk jenis 'pk': nama_kepala"


def test_reaching_for_python_internals_does_not_pass():
    failed = _failed(check_template(_docx("{{ judul.__class__.__mro__[1].__subclasses__() }}"), "pk", Settings()))
    assert "render" in failed and "unsafe" in failed["render"]


def test_the_command_line_reports_and_exits_1(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(_docx("{{ judul }} {{ typo_here }}"))
    good = REGISTRY.get("pk").path
    run = [sys.executable, "-m", "cli.main", "templates", "validate"]
    result = subprocess.run([*run, str(bad), "--type", "pk"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "FAIL variables: variabel yang tidak dikenal untuk jenis 'pk': typo_here" in result.stdout
    result = subprocess.run([*run, str(good), "--type", "pk"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "ok   render" in result.stdout


def test_every_docxtpl_tag_form_passes():
    doc = Document()
    doc.add_paragraph("{%p if perubahan %}")
    doc.add_paragraph("Perubahan")
    doc.add_paragraph("{%p endif %}")
    line = doc.add_paragraph("{{ judul }} ")
    for text in ("{%r if perubahan %}", "(PERUBAHAN)", "{%r endif %}"):
        line.add_run(text)
    rows = doc.add_table(rows=3, cols=1)
    for row, text in zip(rows.rows, ["{%tr for s in sasaran %}", "{{ s.uraian }}", "{%tr endfor %}"], strict=True):
        row.cells[0].text = text
    columns = doc.add_table(rows=1, cols=3)
    for cell, text in zip(columns.rows[0].cells, ["{%tc for s in sasaran %}", "{{ s.no }}", "{%tc endfor %}"],
                          strict=True):
        cell.text = text
    out = io.BytesIO()
    doc.save(out)
    results = check_template(out.getvalue(), "pk", Settings())
    assert _failed(results) == {}


def test_too_many_parts_or_a_zip_bomb_is_refused():
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for n in range(1001):
            archive.writestr(f"word/part{n}.xml", "<x/>")
    assert "1001 parts" in _failed(check_template(many.getvalue(), "pk", Settings()))["size"]

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("word/document.xml", "w") as part:
        for _ in range(210):
            part.write(bytes(2**20))
    assert len(bomb.getvalue()) < 1024 * 1024  # small on the wire, 210 MiB unpacked
    assert "210 MiB: too large" in _failed(check_template(bomb.getvalue(), "pk", Settings()))["size"]
