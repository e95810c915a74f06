"""The QR codes a document carries decode (with zxing-cpp's reader) to its own verification URL."""

from __future__ import annotations

import io
import zipfile

import pytest
import zxingcpp
from PIL import Image

from tests.conftest import example
from workers.qr import qr_matrix, qr_png


def decoded(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png))
    image.load()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("url", [
    "http://docgen.test/verify/0123456789abcdef0123456789abcdef",
    "https://sakip.sumutprov.go.id/docgen/verify/ffffffffffffffffffffffffffffffff",
    "http://localhost:8000/verify/x",
])
def test_the_png_decodes_to_exactly_its_url(url):
    png = qr_png(url)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decoded(png) == [url]


def test_error_correction_m_and_the_standard_quiet_zone():
    url = "http://docgen.test/verify/0123456789abcdef0123456789abcdef"
    modules = qr_matrix(url).shape[0]
    assert modules == 33  # version 4: the smallest that holds 62 bytes at level M
    image = Image.open(io.BytesIO(qr_png(url, scale=4, border=4)))
    assert image.size == ((modules + 8) * 4, (modules + 8) * 4) and image.mode == "1"
    assert image.getpixel((0, 0)) and image.getpixel((15, 15))  # the quiet zone is white
    assert not image.getpixel((16, 16))  # the finder pattern's dark corner
    barcode = zxingcpp.read_barcodes(image)[0]
    assert barcode.ec_level == "M"


def test_a_rendered_document_carries_qr_codes_of_its_own_verify_url(make_document):
    record, content = make_document(example("pk-jpt"))
    with zipfile.ZipFile(io.BytesIO(content)) as docx:
        pictures = [docx.read(name) for name in docx.namelist() if name.startswith("word/media/")]
    urls = {text for png in pictures for text in decoded(png)}
    assert urls == {f"http://docgen.test/verify/{record['id']}"}


@pytest.mark.parametrize(("url", "scale", "border"), [
    ("http://docgen.test/verify/0123456789abcdef0123456789abcdef", 4, 4),  # 33 modules: rows end mid-byte
    ("http://localhost:8000/verify/x", 4, 4),
    ("http://docgen.test/verify/0123456789abcdef0123456789abcdef", 3, 2),
    ("http://docgen.test/verify/0123456789abcdef0123456789abcdef", 1, 0),
])
def test_every_pixel_is_its_module_scaled_inside_a_white_quiet_zone(url, scale, border):
    modules = qr_matrix(url)
    image = Image.open(io.BytesIO(qr_png(url, scale=scale, border=border)))
    side = (modules.shape[0] + 2 * border) * scale
    assert image.size == (side, side)
    pixels = image.load()
    for y in range(side):
        for x in range(side):
            row, column = y // scale - border, x // scale - border
            inside = 0 <= row < modules.shape[0] and 0 <= column < modules.shape[1]
            dark = bool(modules[row, column]) if inside else False
            assert bool(pixels[x, y]) is not dark, (x, y)
