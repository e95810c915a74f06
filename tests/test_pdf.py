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
