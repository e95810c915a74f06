"""What signing costs: PDF/A-2b vs plain PDF conversion of the same PK on the warm converter,
the empty form added to every issued PDF, and checking a signed copy on upload (our whole check,
with pyHanko's difference analysis since issuance) vs pyHanko's signature validation alone.

    .venv/bin/python bench/signing_bench.py [--n 10]

Signatures come from a CA made on the spot (tests/signing_ca.py), as in the tests.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pdf_bench import _docx  # noqa: E402
from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.sign.validation import validate_pdf_signature  # noqa: E402
from pyhanko_certvalidator import ValidationContext  # noqa: E402

from signing import check_signed_copy  # noqa: E402
from signing.prepare import prepare_for_signing  # noqa: E402
from tests.signing_ca import TestCA  # noqa: E402
from workers.converter import WarmConverter  # noqa: E402


def _median_ms(n: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _pyhanko_only(content: bytes) -> None:
    for signature in PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures:
        validate_pdf_signature(signature, ValidationContext(trust_roots=[], allow_fetching=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10)
    args = parser.parse_args()
    docx = _docx("pk-jpt")
    with tempfile.TemporaryDirectory() as state:
        converter = WarmConverter(Path(state))
        try:
            converter.convert(docx)  # starts LibreOffice; not counted
            plain = _median_ms(args.n, lambda: converter.convert(docx))
            pdfa = _median_ms(args.n, lambda: converter.convert(docx, "pdfa-2b"))
            pdf = converter.convert(docx, "pdfa-2b")
        finally:
            converter.stop()
    print(f"conversion, median of {args.n}: plain PDF {plain:.0f} ms, PDF/A-2b {pdfa:.0f} ms "
          f"(ratio {pdfa / plain:.2f})")
    prepared_ms = _median_ms(args.n, lambda: prepare_for_signing(pdf))
    issued = prepare_for_signing(pdf)
    print(f"empty form appended to the issued PDF: {prepared_ms:.1f} ms ({len(issued) - len(pdf)} bytes)")
    ca = TestCA()
    once = ca.issue("Pihak Pertama", "Pemprov").sign(issued, "ttd_pihak_pertama")
    twice = ca.issue("Pihak Kedua", "Pemprov").sign(once, "ttd_pihak_kedua")
    for label, content, previous in (("1 signature", once, None), ("2 signatures", twice, once)):
        ours = _median_ms(args.n, lambda c=content, p=previous: check_signed_copy(c, issued, p))
        alone = _median_ms(args.n, lambda c=content: _pyhanko_only(c))
        print(f"upload check, {label} ({len(content) // 1024} KiB): ours {ours:.0f} ms, pyHanko validation "
              f"alone {alone:.0f} ms (ratio {ours / alone:.2f})")


if __name__ == "__main__":
    main()
