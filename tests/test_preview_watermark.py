"""A template preview is unmistakably not a document: "PRATINJAU" across every page (DOCX: a Word
watermark in every header; PDF: text on every page), and no verify link of a live document
anywhere in it (no URL in its text or parts, its QR codes say only that it is a preview)."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
import zxingcpp
from docx import Document
from PIL import Image

from tests.conftest import bearer
from workers.preview_mark import NOTE, WATERMARK

BOSS = bearer("boss")


def _preview(client, doc_type: str, extension: str) -> bytes:
    answer = client.post(f"/api/v1/templates/{doc_type}/versions/1/preview?format={extension}", headers=BOSS)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.data


def _codes(png: bytes) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize("doc_type", ["pk", "lkjip"])
def test_a_docx_preview_carries_the_watermark_in_every_header_and_no_verify_link(keyed_client, live_worker,
                                                                                 settings, doc_type):
    content = _preview(keyed_client, doc_type, "docx")
    document = Document(io.BytesIO(content))
    for section in document.sections:
        headers = [section.header] + ([section.first_page_header] if section.different_first_page_header_footer
                                      else [])
        for header in headers:
            assert f'string="{WATERMARK}"' in header._element.xml  # Word's watermark shape, the word on it
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        xml = " ".join(package.read(n).decode("utf-8") for n in package.namelist() if n.endswith((".xml", ".rels")))
        pictures = [package.read(n) for n in package.namelist() if n.startswith("word/media/")]
    assert "/verify/" not in xml and settings.base_url not in xml and "0" * 32 not in xml
    codes = [text for png in pictures for text in _codes(png)]
    assert codes and set(codes) == {NOTE}  # the QR places are filled, with a note leading nowhere


def test_a_pdf_preview_says_pratinjau_on_every_page_and_links_nowhere(keyed_client, live_worker, settings,
                                                                      tmp_path: Path):
    pdf = tmp_path / "preview.pdf"
    pdf.write_bytes(_preview(keyed_client, "pk", "pdf"))
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 2 and all(WATERMARK in page for page in pages)
    text = "\n".join(pages)
    assert "/verify/" not in text and settings.base_url not in text and "PRATINJAU - bukan dokumen resmi" in text
    assert not re.search(rb"/URI\s*\(", pdf.read_bytes())  # no link annotation either
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    codes = [text for image in sorted(tmp_path.glob("page*.png")) for text in _codes(image.read_bytes())]
    assert codes and set(codes) == {NOTE}
