"""PDF conversions per second: the workers' warm converter vs a cold `soffice --convert-to` per
document, on the same PK DOCX, in one run, and the ratio.

    .venv/bin/python bench/pdf_bench.py [--warm 30] [--cold 8]

The cold path gets its own profile, created before timing starts, so it is measured at its
best (a cold start with an existing profile). The warm path's first conversion, which starts
LibreOffice, is reported apart and not counted in the rate.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sakip.envelope import parse_document_request  # noqa: E402
from storage.templates import TemplateRegistry  # noqa: E402
from workers.converter import WarmConverter  # noqa: E402
from workers.render import render_prepared  # noqa: E402


def _docx(name: str) -> bytes:
    body = json.loads((ROOT / "examples" / f"{name}.json").read_text(), parse_float=Decimal)
    template = TemplateRegistry(ROOT / "doctypes").get("pk")
    valid = parse_document_request(body)
    return render_prepared(template.content, template.sha256, valid.doctype.context(valid.data))


def cold_convert(docx: bytes, work: Path, profile: Path) -> bytes:
    """What workers used to do: one `soffice --headless --convert-to pdf` process per document."""
    source = work / "document.docx"
    source.write_bytes(docx)
    subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(work), str(source)],
                   check=True, capture_output=True, timeout=120)
    return (work / "document.pdf").read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=30, help="documents through the warm converter")
    parser.add_argument("--cold", type=int, default=8, help="documents through a cold soffice each")
    parser.add_argument("--example", default="pk-administrator")
    args = parser.parse_args()
    docx = _docx(args.example)
    with tempfile.TemporaryDirectory(prefix="pdf-bench-") as tmp:
        work = Path(tmp)
        converter = WarmConverter(work / "warm", recycle_after=10_000)
        started = time.perf_counter()
        converter.convert(docx)
        first = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(args.warm):
            assert converter.convert(docx).startswith(b"%PDF-")
        warm = time.perf_counter() - started
        converter.stop()

        profile = work / "cold-profile"
        cold_convert(docx, work, profile)  # creates the profile: not timed
        started = time.perf_counter()
        for _ in range(args.cold):
            assert cold_convert(docx, work, profile).startswith(b"%PDF-")
        cold = time.perf_counter() - started

    warm_rate, cold_rate = args.warm / warm, args.cold / cold
    print(f"document: examples/{args.example}.json (2-page PK, F4)")
    print(f"warm converter: {args.warm} PDFs in {warm:.2f} s = {warm_rate:.2f} PDF/s "
          f"({warm / args.warm * 1000:.0f} ms each; LibreOffice start + first PDF {first:.2f} s, not counted)")
    print(f"cold soffice --convert-to: {args.cold} PDFs in {cold:.2f} s = {cold_rate:.2f} PDF/s "
          f"({cold / args.cold * 1000:.0f} ms each)")
    print(f"ratio: warm is {warm_rate / cold_rate:.1f}x the cold rate")


if __name__ == "__main__":
    main()
