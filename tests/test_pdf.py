"""PDF output through real LibreOffice: the pk-administrator example asks for it as it is."""

from __future__ import annotations

import io
import subprocess

import pytest
from pypdf import PdfReader

from tests.conftest import example

F4_POINTS = (215 / 25.4 * 72, 330 / 25.4 * 72)


@pytest.mark.slow
def test_pdf_example_is_an_f4_pdf_with_the_names_exact(make_document, tmp_path):
    record, content = make_document(example("pk-administrator"))
    assert record["format"] == "pdf"
    assert record["file"]["content_type"] == "application/pdf"
    assert record["file"]["name"] == "PK-Perubahan-2026-Dinas-Kebudayaan-Pariwisata-Siti-Marifah-Harahap.pdf"
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - F4_POINTS[0]) < 2 and abs(height - F4_POINTS[1]) < 2
    path = tmp_path / "pk.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    for expected in ["PERJANJIAN KINERJA PERUBAHAN TAHUN 2026", "Siti Ma'rifah Harahap, S.Sos., M.AP.",
                     "Drs. Benny Sihombing, M.M.", "NIP. 19820412 200604 2 011", "Medan, 1 Oktober 2026",
                     "DINAS KEBUDAYAAN & PARIWISATA", "Rp 2.460.750.000,50", "RENCANA AKSI"]:
        assert expected in text, expected
    # the signature block is whole on each page it appears on
    first, second = (page.extract_text() for page in reader.pages)
    for page_text in (first, second):
        assert "PIHAK KEDUA," in page_text and "NIP. 19681120 199403 1 005" in page_text


@pytest.mark.slow
def test_signature_block_never_splits_across_pages(tmp_path):
    """Attachments of growing length push the block to the next page whole, never in halves."""
    from config.settings import REPO_ROOT
    from sakip.envelope import parse_document_request
    from storage.templates import TemplateRegistry
    from workers.convert import convert_to_pdf
    from workers.render import render_docx

    template = TemplateRegistry(REPO_ROOT / "templates_docx").get("pk")
    for count in (9, 10, 28):  # 9 and 10 straddle the page end of the attachment's last page
        body = example("pk-administrator")
        body["data"]["sasaran"][0]["indikator"] = [
            {"uraian": f"Indikator nomor {i} yang cukup panjang untuk dua baris teks tabel", "satuan": "%",
             "target": i} for i in range(count)]
        valid = parse_document_request(body)
        pdf = convert_to_pdf(render_docx(template.content, valid.doctype.context(valid.data)), soffice="soffice",
                             timeout=120, profile_dir=tmp_path / "profile")
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
        with_block = [i for i, text in enumerate(pages) if "PIHAK KEDUA," in text]
        with_nip = [i for i, text in enumerate(pages) if "NIP. 19681120 199403 1 005" in text]
        assert len(with_block) == 2 and with_block == with_nip, (count, with_block, with_nip)
