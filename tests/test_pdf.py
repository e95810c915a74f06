"""PDF output through real LibreOffice (the worker's warm converter): pages, paper, names, QR code."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from config.settings import REPO_ROOT
from storage.templates import TemplateRegistry
from tests.conftest import example
from workers.convert import converter_state_dir
from workers.converter import stop_converters
from workers.produce import produce_files

pytestmark = pytest.mark.usefixtures("shared_converter")
"""PDFs from the session's warm LibreOffice (conftest.shared_converter)."""

F4_POINTS = (215 / 25.4 * 72, 330 / 25.4 * 72)
A4_POINTS = (210 / 25.4 * 72, 297 / 25.4 * 72)


@pytest.fixture(autouse=True)
def _stop_converters(tmp_path: Path) -> Iterator[None]:
    """Each test's LibreOffice ends with the test, not with the session."""
    yield
    stop_converters(converter_state_dir(tmp_path / "var"))


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def page_image(content: bytes, tmp_path: Path, page: int = 1, dpi: int = 300) -> Image.Image:
    path = tmp_path / "page.pdf"
    path.write_bytes(content)
    # uncompressed (PPM): the same pixels as a PNG, without the compression time
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), str(path),
                    str(tmp_path / "page")], check=True)
    return Image.open(next(tmp_path.glob("page-*.ppm")))


def qr_codes(image: Image.Image, tmp_path: Path) -> list[str]:
    """Every QR code zbarimg decodes from ``image``."""
    path = tmp_path / "qr.ppm"
    image.save(path)
    result = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True)
    return [line for line in result.stdout.splitlines() if line]


def assert_page_size(content: bytes, expected: tuple[float, float]) -> None:
    for page in PdfReader(io.BytesIO(content)).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - expected[0]) < 2 and abs(height - expected[1]) < 2, (width, height)


@pytest.mark.slow
def test_pdf_example_is_an_f4_pdf_with_the_names_exact_and_a_verifiable_qr(make_document, tmp_path):
    record, content = make_document(example("pk-administrator"))
    assert record["format"] == "pdf"
    assert record["file"]["content_type"] == "application/pdf"
    assert record["file"]["name"] == "PK-Perubahan-2026-Dinas-Kebudayaan-Pariwisata-Siti-Marifah-Harahap.pdf"
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2
    assert_page_size(content, F4_POINTS)
    text = pdf_text(content, tmp_path)
    for expected in ["PERJANJIAN KINERJA PERUBAHAN TAHUN 2026", "Siti Ma'rifah Harahap, S.Sos., M.AP.",
                     "Drs. Benny Sihombing, M.M.", "NIP. 19820412 200604 2 011", "Medan, 1 Oktober 2026",
                     "DINAS KEBUDAYAAN & PARIWISATA", "Rp 2.460.750.000,50", "RENCANA AKSI",
                     f"ID dokumen: {record['id']}", f"ID dokumen {record['id']}"]:
        assert expected in text, expected
    # the TTE anchors, once per signature cell on each signature page
    assert text.count("#ttd_pihak_pertama#") == 2 and text.count("#ttd_pihak_kedua#") == 2
    # the signature block is whole on each page it appears on
    first, second = (page.extract_text() for page in reader.pages)
    for page_text in (first, second):
        assert "PIHAK KEDUA," in page_text and "NIP. 19681120 199403 1 005" in page_text
    url = f"http://docgen.test/verify/{record['id']}"
    page = page_image(content, tmp_path)
    width, height = page.size
    signature_area = page.crop((0, height // 2, width, int(height * 0.9)))
    footer = page.crop((0, int(height * 0.9), width // 2, height))
    assert qr_codes(signature_area, tmp_path) == [url]
    assert qr_codes(footer, tmp_path) == [url]


@pytest.mark.slow
def test_both_formats_each_with_its_own_file_and_link(client, run_worker):
    body = example("pk-jpt")
    body["format"] = ["docx", "pdf"]
    posted = client.post("/api/v1/documents", json=body)
    assert posted.status_code == 202
    doc_id = posted.get_json()["id"]
    assert posted.get_json()["links"]["file_pdf"].endswith(f"/{doc_id}/file?format=pdf")
    run_worker()
    record = client.get(f"/api/v1/documents/{doc_id}").get_json()
    assert record["status"] == "finished", record
    assert record["format"] == ["docx", "pdf"]
    assert set(record["files"]) == {"docx", "pdf"}
    assert record["file"]["name"].endswith(".docx")  # the first format stays the main file
    for extension, magic in (("docx", b"PK\x03\x04"), ("pdf", b"%PDF-")):
        described = record["files"][extension]
        download = client.get(described["link"].removeprefix("http://docgen.test"))
        assert download.status_code == 200 and download.data.startswith(magic)
        assert download.mimetype == described["content_type"]
        assert f"filename={described['name']}" in download.headers["Content-Disposition"]
        assert described["size"] == len(download.data)
    default = client.get(f"/api/v1/documents/{doc_id}/file")
    assert default.data.startswith(b"PK\x03\x04")
    wrong = client.get(f"/api/v1/documents/{doc_id}/file?format=odt")
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["loc"] == "query.format"


@pytest.mark.parametrize("bad", [[], ["pdf", "pdf"], ["docx", "odt"], "PDF"])
def test_bad_format_lists_are_refused_naming_the_field(client, bad):
    body = example("pk-jpt")
    body["format"] = bad
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 422
    assert [e["loc"] for e in response.get_json()["errors"]] == ["format"]


@pytest.mark.slow
def test_a4_template_gives_an_a4_pdf(tmp_path, settings):
    """Paper is the template version's setting (manifest "paper"); the PDF follows it."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO_ROOT / "doctypes" / "pk", templates / "pk")
    manifest = json.loads((templates / "pk" / "manifest.json").read_text())
    for version in manifest["versions"]:
        version["paper"] = "A4"
    (templates / "pk" / "manifest.json").write_text(json.dumps(manifest))
    body = example("pk-jpt")
    body["format"] = "pdf"
    (produced,) = produce_files(body, TemplateRegistry(templates), doc_id="a4" * 16, settings=settings)
    assert_page_size(produced.content, A4_POINTS)
    (f4,) = produce_files(body, TemplateRegistry(REPO_ROOT / "doctypes"), doc_id="f4" * 16, settings=settings)
    assert_page_size(f4.content, F4_POINTS)


@pytest.mark.slow
def test_signature_block_never_splits_across_pages(tmp_path, settings):
    """Attachments of growing length push the block to the next page whole, never in halves."""
    registry = TemplateRegistry(REPO_ROOT / "doctypes")
    for count in (7, 8, 9, 10, 28):  # around the page end of the attachment's last page
        body = example("pk-administrator")
        body["data"]["sasaran"][0]["indikator"] = [
            {"uraian": f"Indikator nomor {i} yang cukup panjang untuk dua baris teks tabel", "satuan": "%",
             "target": i} for i in range(count)]
        (produced,) = produce_files(body, registry, doc_id="ab" * 16, settings=settings)
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(produced.content)).pages]
        with_block = [i for i, text in enumerate(pages) if "PIHAK KEDUA," in text]
        with_nip = [i for i, text in enumerate(pages) if "NIP. 19681120 199403 1 005" in text]
        with_anchor = [i for i, text in enumerate(pages) if "#ttd_pihak_kedua#" in text]
        assert len(with_block) == 2 and with_block == with_nip == with_anchor, (count, with_block, with_nip)
