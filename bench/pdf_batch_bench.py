"""PDF batches: N PKs converted joined (G documents per LibreOffice load, split back) vs one by one.

    .venv/bin/python bench/pdf_batch_bench.py [--n 1000] [--group 50] [--procs 2] [--check 20]

Renders N distinct PKs (as bulk_bench's items) to DOCX first (not timed), then, in --procs
processes each with its own warm LibreOffice, converts its share:
- one by one: the worker's converter per document, then the signing form (prepare_for_signing);
- joined: --group documents joined as sections (workers/joined.py), one conversion, split per
  document with the signing form added in the same pass.
Prints PDFs per second of each and the ratio, where the time of a joined group goes (join;
LibreOffice's load with layout, index pass, export, close, as its host measured them, and its CPU
seconds; the split), and checks --check documents of the joined path against the same document
converted alone (page count, page sizes, pdftotext per page).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings import Settings  # noqa: E402
from signing.prepare import prepare_for_signing  # noqa: E402
from storage.templates import TemplateRegistry  # noqa: E402
from workers.convert import warm_converter  # noqa: E402
from workers.joined import join_docx, split_pdf  # noqa: E402
from workers.produce import produce_document  # noqa: E402


def _items(n: int) -> list[dict]:
    data = json.loads((ROOT / "examples" / "pk-jpt.json").read_text())["data"]
    items = []
    for i in range(n):
        item = json.loads(json.dumps(data))
        item["pihak_pertama"]["nama"] = f"Pegawai Nomor {i}, S.T."
        item["instansi"]["nama"] = f"Dinas Contoh {i % 45}"
        # some longer ones: a PK of 2 to 4 pages
        item["sasaran"] = item["sasaran"] * (1 + i % 4)
        items.append(item)
    return items


def render_all(n: int, settings: Settings) -> list[bytes]:
    registry = TemplateRegistry(ROOT / "doctypes")
    return [produce_document({"type": "pk", "format": "docx", "data": data}, registry, settings=settings,
                             doc_id=f"{i:032x}").content for i, data in enumerate(_items(n))]


def child(mode: str, docs_file: Path, out_file: Path, group: int, data_dir: Path) -> None:
    """One worker process: convert its documents, write the PDFs, print the seconds it took."""
    settings = Settings(data_dir=data_dir)
    docs: list[bytes] = pickle.loads(docs_file.read_bytes())
    converter = warm_converter(settings)
    converter.convert(docs[0])  # warm: the worker's LibreOffice is running before a batch comes
    start = time.perf_counter()
    pdfs: list[bytes] = []
    steps: dict[str, float] = {}

    def add(step: str, seconds: float) -> None:
        steps[step] = steps.get(step, 0.0) + seconds

    if mode == "alone":
        pdfs = [prepare_for_signing(converter.convert(d)) for d in docs]
    else:
        for first in range(0, len(docs), group):
            part = docs[first:first + group]
            began = time.perf_counter()
            joined = join_docx(part)
            joined_at = time.perf_counter()
            pdf = converter.convert(joined, destinations=True)
            converted_at = time.perf_counter()
            pdfs += split_pdf(pdf, len(part), signable=True)
            add("join", joined_at - began)
            add("convert (client's wall)", converted_at - joined_at)
            for step, seconds in converter.last_timing.items():
                add(f"  LibreOffice {step}", seconds)
            add("split + signing form", time.perf_counter() - converted_at)
            add("groups", 1)
    seconds = time.perf_counter() - start
    converter.stop()
    out_file.write_bytes(pickle.dumps(pdfs))
    print(json.dumps({"seconds": seconds, "steps": steps, "documents": len(docs)}))


def run(mode: str, docs: list[bytes], procs: int, group: int, tmp: Path
        ) -> tuple[float, list[bytes], dict[str, float]]:
    shares = [docs[i::procs] for i in range(procs)]
    children = []
    for number, share in enumerate(shares):
        docs_file, out_file = tmp / f"{mode}-{number}.in", tmp / f"{mode}-{number}.out"
        docs_file.write_bytes(pickle.dumps(share))
        children.append((subprocess.Popen(
            [sys.executable, __file__, "--child", mode, str(docs_file), str(out_file), str(group), str(tmp / "var")],
            stdout=subprocess.PIPE, text=True), out_file))
    seconds = 0.0
    results: list[list[bytes]] = []
    steps: dict[str, float] = {}
    for process, out_file in children:
        output, _ = process.communicate()
        report = json.loads(output.strip().splitlines()[-1])
        seconds = max(seconds, report["seconds"])
        for step, value in report["steps"].items():
            steps[step] = steps.get(step, 0.0) + value
        results.append(pickle.loads(out_file.read_bytes()))
    pdfs: list[bytes] = [b""] * len(docs)
    for number, share in enumerate(results):
        pdfs[number::procs] = share
    return seconds, pdfs, steps


def _pages(pdf: bytes, tmp: Path) -> tuple[list[str], list[tuple[float, float]]]:
    import io

    from pypdf import PdfReader

    path = tmp / "check.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")
    sizes = [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1))
             for p in PdfReader(io.BytesIO(pdf)).pages]
    return text, sizes


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        mode, docs_file, out_file, group, data_dir = sys.argv[2:7]
        child(mode, Path(docs_file), Path(out_file), int(group), Path(data_dir))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--group", type=int, default=50)
    parser.add_argument("--procs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--check", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        docs = render_all(args.n, Settings(data_dir=tmp / "var"))
        load = os.getloadavg()[0]
        alone_s, alone, _ = run("alone", docs, args.procs, args.group, tmp)
        joined_s, joined, steps = run("joined", docs, args.procs, args.group, tmp)
        print(f"{args.n} PK PDFs, {args.procs} processes, each its own warm LibreOffice "
              f"(load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at the end):")
        print(f"one by one: {alone_s:.1f} s -> {args.n / alone_s:.1f} PDFs/s")
        print(f"joined, {args.group} per load, split back: {joined_s:.1f} s -> {args.n / joined_s:.1f} PDFs/s")
        print(f"ratio joined / one by one: {alone_s / joined_s:.1f}x")
        groups = steps.pop("groups")
        print(f"where a joined group's time goes (mean of {groups:.0f} groups; per PDF):")
        for step, value in steps.items():
            print(f"  {step:28s} {value / groups * 1000:8.0f} ms  {value / args.n * 1000:6.1f} ms")
        step = max(1, args.n // max(1, args.check))
        checked = list(range(0, args.n, step))[: args.check]
        different = [i for i in checked if _pages(alone[i], tmp) != _pages(joined[i], tmp)]
        pages = sum(len(_pages(joined[i], tmp)[1]) for i in checked)
        print(f"checked {len(checked)} documents ({pages} pages): joined says what alone says "
              f"(text per page, page count, page sizes) for {len(checked) - len(different)}; different: {different}")


if __name__ == "__main__":
    main()
