"""LibreOffice's CPU per joined PK: a base revision's converter against this tree's, side by side.

    .venv/bin/python bench/libreoffice_bench.py --base REF [--n 25] [--rounds 8]
    .venv/bin/python bench/libreoffice_bench.py --groups 10,25,50 [--n 50] [--rounds 4]
    .venv/bin/python bench/libreoffice_bench.py --zip [--n 25] [--rounds 8]

Renders N distinct PKs (bulk_bench's items), joins them as one PDF batch group does
(workers/joined.py), then starts a warm converter from REF's tree and one from this tree (each
its own converter host and LibreOffice, as that revision starts them) and has each convert the
joined DOCX --rounds times, alternately, so both see the same load. Prints, per revision, the
median of LibreOffice's own CPU seconds per conversion (X-Convert-Seconds "cpu", read from /proc
by the host) per PK, the ratio, and the load average. LibreOffice's CPU per PK is what bounds a
PDF batch: see bench/README.md, "PDF batches: LibreOffice's CPU per PK".

Without --base, variants of the same N PKs go through one warm converter of this tree, alternately:
--groups: the N PKs joined in groups of each size (one conversion per group, CPU summed per PK);
--zip: the joined DOCX with its entries stored (as workers/joined.py writes it) against the same
entries deflated (level 1, as it wrote them before).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SERVE = """
import json, sys, tempfile
from pathlib import Path
sys.path.insert(0, ".")
from config.settings import Settings
from workers.convert import warm_converter
converter = warm_converter(Settings(data_dir=Path(sys.argv[1])))
converter.convert(Path(sys.argv[2]).read_bytes(), destinations=True)  # started and warm
print(json.dumps({"port": converter.state().port}), flush=True)
sys.stdin.read()  # until the bench closes our stdin
converter.stop()
"""
"""Run in a revision's tree: keeps that revision's warm converter until stdin closes."""


def convert_cpu(port: int, docx: bytes) -> float:
    """LibreOffice's CPU seconds for one conversion of ``docx`` by the host on ``port``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request("POST", "/convert?profile=pdf&destinations=1", body=docx)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"conversion failed: {response.status}")
        timing = dict(step.split("=") for step in (response.getheader("X-Convert-Seconds") or "").split())
        return float(timing["cpu"])
    finally:
        connection.close()


def _deflated(docx: bytes) -> bytes:
    """The same entries, deflated at level 1."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, source.read(entry))
    return out.getvalue()


def variants(args: argparse.Namespace) -> None:
    """Variants of the same N joined PKs through one warm converter of this tree, alternately."""
    from pdf_batch_bench import render_all

    from config.settings import Settings
    from workers.joined import join_docx

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        docs = render_all(args.n, Settings(data_dir=tmp / "render"))
        cases: dict[str, list[bytes]] = {}
        if args.groups:
            for size in (int(g) for g in args.groups.split(",")):
                cases[f"{size} per load"] = [join_docx(docs[i:i + size]) for i in range(0, len(docs), size)]
        if args.zip:
            stored = join_docx(docs)
            cases["joined DOCX stored"] = [stored]
            cases["joined DOCX deflated"] = [_deflated(stored)]
        first = tmp / "first.docx"
        first.write_bytes(next(iter(cases.values()))[0])
        process = subprocess.Popen([sys.executable, "-c", SERVE, str(tmp / "var"), str(first)],
                                   cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            port = json.loads(process.stdout.readline())["port"]
            load = os.getloadavg()[0]
            cpu: dict[str, list[float]] = {label: [] for label in cases}
            for _ in range(args.rounds):
                for label, documents in cases.items():
                    cpu[label].append(sum(convert_cpu(port, docx) for docx in documents))
        finally:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=60)
    for label, values in cpu.items():
        print(f"{label}: LibreOffice CPU per PK, median of {args.rounds} rounds of {args.n} PKs: "
              f"{1000 * statistics.median(values) / args.n:.1f} ms (min {1000 * min(values) / args.n:.1f}, "
              f"max {1000 * max(values) / args.n:.1f})")
    print(f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", help="git revision whose converter is compared")
    parser.add_argument("--n", type=int, default=25, help="PKs joined into the one converted document")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--groups", help="without --base: group sizes compared, e.g. 10,25,50")
    parser.add_argument("--zip", action="store_true", help="without --base: the joined DOCX stored vs deflated")
    args = parser.parse_args()
    if not args.base:
        if not (args.groups or args.zip):
            parser.error("--base, --groups or --zip")
        variants(args)
        return

    from bulk_bench import export_revision
    from pdf_batch_bench import render_all

    from config.settings import Settings
    from workers.joined import join_docx

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        joined = tmp / "joined.docx"
        joined.write_bytes(join_docx(render_all(args.n, Settings(data_dir=tmp / "render"))))
        trees = {f"base {args.base}": export_revision(args.base, tmp / "base"), "this tree": ROOT}
        hosts: dict[str, tuple[subprocess.Popen[str], int]] = {}
        try:
            for number, (label, tree) in enumerate(trees.items()):
                process = subprocess.Popen([sys.executable, "-c", SERVE, str(tmp / f"var-{number}"), str(joined)],
                                           cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                assert process.stdout is not None
                hosts[label] = (process, json.loads(process.stdout.readline())["port"])
            load = os.getloadavg()[0]
            docx = joined.read_bytes()
            cpu: dict[str, list[float]] = {label: [] for label in hosts}
            for _ in range(args.rounds):
                for label, (_, port) in hosts.items():
                    cpu[label].append(convert_cpu(port, docx))
        finally:
            for process, _ in hosts.values():
                if process.stdin is not None:
                    process.stdin.close()
                process.wait(timeout=60)
    medians = {label: 1000 * statistics.median(values) / args.n for label, values in cpu.items()}
    for label, values in cpu.items():
        print(f"{label}: LibreOffice CPU per PK, median of {args.rounds} conversions of {args.n} joined PKs: "
              f"{medians[label]:.1f} ms (min {1000 * min(values) / args.n:.1f}, max {1000 * max(values) / args.n:.1f})")
    base, ours = medians.values()
    print(f"ratio this tree / base: {ours / base:.2f}x (load average {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
