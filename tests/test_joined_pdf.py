"""Many documents in one LibreOffice load (workers/joined.py): each split PDF says exactly what
the same document converted alone says: text of every page, page count, page size, its QR code,
and its own page numbers and footer."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from config.settings import REPO_ROOT, get_settings
from signing.prepare import prepare_for_signing
from signing.validation import check_signed_copy
from storage.templates import TemplateRegistry
from tests.conftest import example
from tests.signing_ca import TestCA
from workers.convert import converter_state_dir, warm_converter
from workers.converter import stop_converters
from workers.joined import NotJoinable, join_docx, joinable, split_pdf
from workers.produce import produce_files

PAGE_NUMBER = ('<w:p><w:pPr><w:jc w:val="right"/></w:pPr><w:r><w:t xml:space="preserve">Halaman </w:t></w:r>'
               '<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>')


@pytest.fixture(autouse=True)
def _stop_converters(settings) -> Iterator[None]:
    yield
    stop_converters(converter_state_dir(settings.data_dir))


def _with_page_numbers(docx: bytes) -> bytes:
    """The document with "Halaman N" (a PAGE field) at the end of its footer."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if re.fullmatch(r"word/footer\d*\.xml", entry.filename):
                data = data.replace(b"</w:ftr>", PAGE_NUMBER.encode() + b"</w:ftr>")
            target.writestr(entry, data)
    return out.getvalue()


def _documents(settings) -> list[tuple[str, bytes]]:
    registry = TemplateRegistry(REPO_ROOT / "doctypes")
    long = example("pk-jpt")
    long["data"]["sasaran"] = [
        {"uraian": f"Sasaran strategis nomor {n} yang cukup panjang uraiannya",
         "indikator": [{"uraian": f"Indikator {n}.{i}", "satuan": "%", "target": 50 + i} for i in range(1, 5)]}
        for n in range(1, 16)]
    bodies = [example("pk-jpt"), example("pk-administrator"), example("pk-kepala-daerah"), long,
              example("pk-administrator")]
    documents = []
    for number, body in enumerate(bodies):
        body["format"] = "docx"
        (produced,) = produce_files(body, registry, doc_id=f"{number:02d}" * 16, settings=settings)
        documents.append((f"{number:02d}" * 16, _with_page_numbers(produced.content)))
    return documents


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _qr_codes(pdf: bytes, page: int, tmp_path: Path) -> list[str]:
    path = tmp_path / "qr.pdf"
    path.write_bytes(pdf)
    for old in tmp_path.glob("qr-page-*.pgm"):
        old.unlink()
    # uncompressed grey (PGM): zbarimg decodes it as it would a PNG, without the PNG's compression time
    subprocess.run(["pdftoppm", "-gray", "-r", "300", "-f", str(page), "-l", str(page), str(path),
                    str(tmp_path / "qr-page")], check=True)
    image = next(tmp_path.glob("qr-page-*.pgm"))
    found = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True).stdout
    return sorted(line for line in found.splitlines() if line)


@pytest.mark.slow
def test_each_split_pdf_says_what_the_document_converted_alone_says(settings, tmp_path):
    documents = _documents(settings)
    assert all(joinable(docx) is None for _, docx in documents)
    converter = warm_converter(settings)
    alone = [prepare_for_signing(converter.convert(docx)) for _, docx in documents]
    joined = converter.convert(join_docx([docx for _, docx in documents]), destinations=True)
    split = split_pdf(joined, len(documents), signable=True)
    assert len(split) == len(documents)
    assert converter.last_timing["load"] > 0 and converter.last_timing["export"] > 0  # what the bench prints
    page_counts = []
    for (doc_id, _), single, part in zip(documents, alone, split, strict=True):
        single_reader, part_reader = PdfReader(io.BytesIO(single)), PdfReader(io.BytesIO(part))
        assert len(part_reader.pages) == len(single_reader.pages)
        page_counts.append(len(part_reader.pages))
        assert [(p.mediabox.width, p.mediabox.height) for p in part_reader.pages] == \
            [(p.mediabox.width, p.mediabox.height) for p in single_reader.pages]
        single_text, part_text = _pages(single, tmp_path), _pages(part, tmp_path)
        assert part_text == single_text
        for number, page in enumerate(part_text, start=1):  # its own footer and numbering on every page
            assert f"ID dokumen {doc_id}" in page and f"Halaman {number}" in page
        url = f"http://docgen.test/verify/{doc_id}"
        for page in sorted({1, len(part_reader.pages)}):  # the footer's QR; on the last also the signature's
            codes = _qr_codes(part, page, tmp_path)
            assert codes == _qr_codes(single, page, tmp_path) and set(codes) == {url}
        assert "/AcroForm" in part_reader.trailer["/Root"]  # ready for signing like a single PDF
        assert prepare_for_signing(part) == part  # nothing left for the single path's step to add
    assert max(page_counts) >= 3 and min(page_counts) <= 2  # a long one and short ones, in between
    # A split PDF is signed like a single one: the signature only adds to what was issued.
    signer = TestCA().issue("Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "Pemerintah Provinsi Sumatera Utara")
    signed = check_signed_copy(signer.sign(split[1], "ttd_pihak_pertama"), split[1], None)
    assert signed.new_signatures == 1 and signed.signatures[0].integrity
    converter.stop()


def test_documents_that_cannot_be_joined_exactly_say_why():
    assert joinable(_docx_with_body("<w:p/><w:p><w:pPr><w:sectPr/></w:pPr></w:p><w:p/>")) == \
        "it has more than one section"
    assert joinable(_docx_with_body('<w:p><w:fldSimple w:instr=" NUMPAGES "/></w:p>')) == \
        "it counts the pages of the whole document (NUMPAGES)"


def test_documents_of_another_template_are_not_joined(settings):
    (_, first), (_, second), *_ = _documents(settings)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(second)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "word/styles.xml":  # one style's font changed: the same size, another CRC
                data = data.replace(b'w:ascii="Arial"', b'w:ascii="Arimo"', 1)
            target.writestr(entry, data)
    with pytest.raises(NotJoinable, match=r"word/styles\.xml differs"):
        join_docx([first, out.getvalue()])
    assert join_docx([first, second])  # the same template: joined


def _docx_with_body(body: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/'
                         f'wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>')
    return out.getvalue()


@pytest.mark.slow
def test_a_pdf_batch_converts_its_items_in_one_load_and_each_says_what_it_says_alone(
        client, settings, run_bulk_worker, tmp_path):
    items = [{"ref": name, "data": example(name)["data"]} for name in ("pk-jpt", "pk-administrator",
                                                                      "pk-kepala-daerah")]
    broken = example("pk-jpt")["data"]
    broken["pihak_pertama"]["nip"] = "123"
    items.insert(1, {"ref": "bad", "data": broken})
    response = client.post("/api/v1/batches", json={"type": "pk", "format": "pdf", "items": items})
    assert response.status_code == 202
    run_bulk_worker()
    batch_id = response.get_json()["id"]
    status = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (status["finished"], status["failed"]) == (3, 1)
    converter = warm_converter(settings)
    assert converter.state().conversions == 1  # three documents, one LibreOffice load
    with zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/batches/{batch_id}/archive").data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        files = {entry["ref"]: (entry["id"], archive.read(entry["file"])) for entry in manifest if entry["file"]}
    assert sorted(files) == ["pk-administrator", "pk-jpt", "pk-kepala-daerah"]
    registry = TemplateRegistry(REPO_ROOT / "doctypes")
    for name, (doc_id, pdf) in files.items():
        body = {**example(name), "format": "pdf"}
        (alone,) = produce_files(body, registry, doc_id=doc_id, settings=settings)
        assert _pages(pdf, tmp_path) == _pages(alone.content, tmp_path)
        assert f"ID dokumen {doc_id}" in _pages(pdf, tmp_path)[-1]
        assert "/AcroForm" in PdfReader(io.BytesIO(pdf)).trailer["/Root"]


@pytest.mark.slow
def test_a_bulk_worker_converts_groups_side_by_side_in_its_converters(client, settings, run_bulk_worker,
                                                                     monkeypatch, tmp_path):
    monkeypatch.setenv("DOCGEN_PDF_JOIN_GROUP", "2")
    monkeypatch.setenv("DOCGEN_PDF_BATCH_CONVERTERS", "2")
    get_settings.cache_clear()
    names = ("pk-jpt", "pk-administrator", "pk-kepala-daerah", "pk-administrator")
    items = [{"ref": f"{name}-{number}", "data": example(name)["data"]} for number, name in enumerate(names)]
    response = client.post("/api/v1/batches", json={"type": "pk", "format": "pdf", "items": items})
    assert response.status_code == 202
    run_bulk_worker()
    batch_id = response.get_json()["id"]
    assert client.get(f"/api/v1/batches/{batch_id}").get_json()["finished"] == 4
    # two groups of two, one in each LibreOffice of the worker
    assert [warm_converter(settings, slot=slot).state().conversions for slot in (0, 1)] == [1, 1]
    with zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/batches/{batch_id}/archive").data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        files = {entry["ref"]: (entry["id"], archive.read(entry["file"])) for entry in manifest if entry["file"]}
    registry = TemplateRegistry(REPO_ROOT / "doctypes")
    for ref, (doc_id, pdf) in files.items():
        body = {**example(ref.rsplit("-", 1)[0]), "format": "pdf"}
        (alone,) = produce_files(body, registry, doc_id=doc_id, settings=settings)
        assert _pages(pdf, tmp_path) == _pages(alone.content, tmp_path)
        assert f"ID dokumen {doc_id}" in _pages(pdf, tmp_path)[-1]
