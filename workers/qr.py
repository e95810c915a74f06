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
    dark = np.pad(qr_matrix(text), border, constant_values=False)
    light = np.repeat(np.repeat(~dark, scale, axis=0), scale, axis=1)
    side = light.shape[0]
    rows = np.packbits(light, axis=1)  # pads each row to whole bytes with 0 bits, past the image's width
    lines = np.hstack([np.zeros((side, 1), dtype=np.uint8), rows])  # filter byte 0 before each row
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(lines.tobytes(), 9))
            + _chunk(b"IEND", b""))
