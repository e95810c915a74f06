"""QR code per document: our encoder (zxing-cpp, numpy-packed PNG) vs segno, the one before it.

    .venv/bin/python bench/qr_bench.py [--n 2000]

Prints milliseconds per QR PNG of a unique verification URL for: ours; segno with a fixed mask
and the same bulk PNG packing (what workers/qr.py did before); plain segno (mask searched, its
own PNG writer); and the ratios. Every PNG of the first few is decoded to check it says its URL.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import segno  # noqa: E402
import zxingcpp  # noqa: E402
from PIL import Image  # noqa: E402

from workers.qr import _chunk, qr_png  # noqa: E402

BASE = "https://sakip.sumutprov.go.id/verify/"


def segno_fixed_mask(text: str, scale: int = 4, border: int = 4) -> bytes:
    matrix = np.array(segno.make(text, error="m", micro=False, mask=4, boost_error=False).matrix, dtype=bool)
    light = np.repeat(np.repeat(~np.pad(matrix, border), scale, axis=0), scale, axis=1)
    lines = np.hstack([np.zeros((light.shape[0], 1), dtype=np.uint8), np.packbits(light, axis=1)])
    import struct
    import zlib
    header = struct.pack(">IIBBBBB", light.shape[0], light.shape[0], 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(lines.tobytes(), 9))
            + _chunk(b"IEND", b""))


def segno_plain(text: str) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="png", scale=4, border=4)
    return out.getvalue()


def per_item_ms(encode: Callable[[str], bytes], n: int) -> float:
    for i in range(5):
        url = f"{BASE}{i:032x}"
        image = Image.open(io.BytesIO(encode(url)))
        assert [b.text for b in zxingcpp.read_barcodes(image)] == [url], encode.__name__
    start = time.perf_counter()
    for i in range(n):
        encode(f"{BASE}{i:032x}")
    return (time.perf_counter() - start) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    ours = per_item_ms(qr_png, args.n)
    fixed = per_item_ms(segno_fixed_mask, args.n)
    plain = per_item_ms(segno_plain, max(1, args.n // 4))
    print(f"QR PNG per document ({args.n} unique URLs): ours (zxing-cpp) {ours:.3f} ms")
    print(f"segno, fixed mask, same PNG packing: {fixed:.3f} ms -> ratio {fixed / ours:.1f}x")
    print(f"segno, mask searched, its own PNG writer: {plain:.3f} ms -> ratio {plain / ours:.1f}x")


if __name__ == "__main__":
    main()
