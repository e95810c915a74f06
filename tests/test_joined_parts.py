"""The joined DOCX of a PDF batch (workers/joined.py) read its documents' parts once: what it holds
is exactly what the documents hold, also when groups of other templates were joined before in the
same process (the template's parts are kept inflated between groups), and it goes to LibreOffice
stored, not compressed."""

from __future__ import annotations

import io
import re
import zipfile

from config.settings import REPO_ROOT
from storage.templates import TemplateRegistry
from tests.conftest import example
from workers.joined import DocxParts, join_docx, joinable
from workers.produce import produce_files


def _pk(settings, name: str, doc_id: str) -> bytes:
    body = {**example(name), "format": "docx"}
    (produced,) = produce_files(body, TemplateRegistry(REPO_ROOT / "doctypes"), doc_id=doc_id, settings=settings)
    return produced.content


def _with_styles(docx: bytes, old: bytes, new: bytes) -> bytes:
    """The document as if its template's styles said ``new`` where they say ``old``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "word/styles.xml":
                assert old in data
                data = data.replace(old, new)
            target.writestr(entry, data)
    return out.getvalue()


def _entries(docx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_each_group_carries_its_own_templates_styles_and_its_documents_bodies(settings):
    plain = [_pk(settings, "pk-jpt", "a" * 32), _pk(settings, "pk-administrator", "b" * 32)]
    other = [_with_styles(d, b'w:ascii="Arial"', b'w:ascii="Arimo"') for d in plain]
    for group in (plain, other, plain):  # the second template's styles never stand for the first's
        parts = [DocxParts(d) for d in group]
        assert all(joinable(p) is None for p in parts)
        joined = join_docx(parts)
        entries = _entries(joined)
        assert entries["word/styles.xml"] == _entries(group[0])["word/styles.xml"]
        for doc_id, docx in zip(("a" * 32, "b" * 32), group, strict=True):
            body = _entries(docx)["word/document.xml"].decode()
            first_text = re.search(r"<w:t(?: [^>]*)?>([^<]+)</w:t>", body.partition("<w:body>")[2]).group(1)
            assert first_text in entries["word/document.xml"].decode()
            footers = [name for name in entries if re.fullmatch(r"word/footer-j\d+-footer\d*\.xml", name)]
            assert any(f"ID dokumen {doc_id}".encode() in entries[name] for name in footers)
        with zipfile.ZipFile(io.BytesIO(joined)) as archive:
            assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}
    # joined from the DOCX bytes or from parts already read: the same document
    assert _entries(join_docx(plain)) == _entries(join_docx([DocxParts(d) for d in plain]))
