"""LibreOffice's CPU per joined PK: a base revision's converter against this tree's, side by side.

    .venv/bin/python bench/libreoffice_bench.py --base REF [--n 25] [--rounds 8]

Renders N distinct PKs (bulk_bench's items), joins them as one PDF batch group does
(workers/joined.py), then starts a warm converter from REF's tree and one from this tree (each
its own converter host and LibreOffice, as that revision starts them) and has each convert the
joined DOCX --rounds times, alternately, so both see the same load. Prints, per revision, the
median of LibreOffice's own CPU seconds per conversion (X-Convert-Seconds "cpu", read from /proc
by the host) per PK, the ratio, and the load average. LibreOffice's CPU per PK is what bounds a
PDF batch: see bench/README.md, "PDF batches: LibreOffice's CPU per PK".
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="git revision whose converter is compared")
    parser.add_argument("--n", type=int, default=25, help="PKs joined into the one converted document")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()

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
