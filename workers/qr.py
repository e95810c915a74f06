"""QR codes as small black-and-white PNGs, encoded by zxing-cpp (C++) and packed with numpy.

Every document carries a QR code of its own verification URL, so the encoder runs once per
document: segno's pure-Python encoder cost ~0.7 ms of it (a batch item is a few ms), zxing-cpp
~0.1 ms. The PNG is written here in bulk (1 bit per pixel) instead of pixel by pixel.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
import zxingcpp

__all__ = ["qr_matrix", "qr_png"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def qr_matrix(text: str) -> np.ndarray:
    """The QR code's modules, True where dark, without quiet zone: error correction M (survives a
    stamp or a fold), the smallest version that holds ``text``."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return np.asarray(barcode.to_image(scale=1, add_quiet_zones=False)) == 0


def qr_png(text: str, scale: int = 4, border: int = 4) -> bytes:
    """A 1-bit greyscale PNG of ``text`` as a QR code: the standard 4-module quiet zone,
    ``scale`` pixels per module."""
    dark = qr_matrix(text)
    modules = dark.shape[0] + 2 * border
    light = np.ones((modules, modules), dtype=bool)  # the quiet zone, then the code inside it
    light[border:modules - border, border:modules - border] = ~dark
    # Each row of modules packed once, then repeated: np.pad and a repeat of the whole image cost
    # more than the rest of the PNG (a document's QR is made per document).
    rows = np.packbits(light.repeat(scale, axis=1), axis=1)  # pads each row to whole bytes with 0 bits
    lines = np.zeros((modules, rows.shape[1] + 1), dtype=np.uint8)  # filter byte 0 before each row
    lines[:, 1:] = rows
    lines = lines.repeat(scale, axis=0)
    side = modules * scale
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(lines.tobytes(), 9))
            + _chunk(b"IEND", b""))
