"""Paired per-document timings of the render path: a base git revision next to this tree, one run.

    .venv/bin/python bench/render_cuts_bench.py --base 338bf10 [--n 200] [--rounds 7]

Loads workers/columns.py, workers/prepared.py and workers/archive_files.py as they are at revision
--base next to this tree's, renders N distinct PKs (each its own official, agency and QR code)
and times, per document, the column fitting alone and the whole prepared render (Jinja, fixes,
fitting, archive); then the batch archive's manifest.xlsx (workers/archive_files.py) of
--manifest-rows rows, once each. Base and new alternate round by round, so the load of a shared machine hits
both alike; the best round of each is printed with the ratio. Every document is also checked to
be the same both ways (tests/test_prepared_renderer.assert_same_document).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bulk_bench import _items  # noqa: E402
from config.settings import get_settings  # noqa: E402
from sakip.envelope import parse_document_request  # noqa: E402
from storage.templates import TemplateRegistry  # noqa: E402
from tests.test_prepared_renderer import assert_same_document  # noqa: E402
from workers import archive_files as new_archive_files  # noqa: E402
from workers import columns as new_columns  # noqa: E402
from workers import prepared as new_prepared  # noqa: E402
from workers.produce import anchor_context, identity_context  # noqa: E402


def base_module(ref: str, path: str, name: str, **replace: Any) -> types.ModuleType:
    """Module ``path`` as it is at revision ``ref``, with the given names swapped in after loading."""
    source = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    module = types.ModuleType(name)
    module.__file__ = str(ROOT / path)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{ref}:{path}", "exec"), module.__dict__)
    module.__dict__.update(replace)
    return module


def contexts(n: int) -> list[dict[str, Any]]:
    settings = get_settings()
    out = []
    for i, item in enumerate(_items(n)):
        valid = parse_document_request({"type": "pk", "format": "docx", "data": item["data"]})
        out.append({**valid.doctype.context(valid.data), **anchor_context(settings),
                    **identity_context(f"{i:032x}", settings)})
    return out


def paired(label: str, base: Callable[[Any], Any], new: Callable[[Any], Any], inputs: list[Any], rounds: int) -> None:
    best = {"base": float("inf"), "new": float("inf")}
    for _ in range(rounds):
        for name, fn in (("base", base), ("new", new)):
            start = time.perf_counter()
            for value in inputs:
                fn(value)
            best[name] = min(best[name], (time.perf_counter() - start) / len(inputs))
    print(f"{label}: base {best['base'] * 1e3:.3f} ms, new {best['new'] * 1e3:.3f} ms per document "
          f"-> {best['base'] / best['new']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="git revision to compare with (e.g. the merge base)")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--manifest-rows", type=int, default=27000)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
          "(other sessions share it: compare the ratios, not the absolute times)")
    base_columns = base_module(args.base, "workers/columns.py", "base_columns")
    base_prepared = base_module(args.base, "workers/prepared.py", "base_prepared",
                                fit_columns=base_columns.fit_columns)
    template = TemplateRegistry.for_settings(get_settings()).get("pk")
    old = base_prepared.PreparedTemplate(template.content, paper=template.paper)
    new = new_prepared.PreparedTemplate(template.content, paper=template.paper)
    items = contexts(args.n)
    documents = [new.render(c) for c in items]
    for context, document in zip(items, documents, strict=True):
        assert_same_document(document, old.render(context))
    print(f"{args.n} PKs: base and new documents are the same (parts compared after normalisation)")
    xml: list[bytes] = []  # document.xml as it reaches the column fitting (autofit tables still autofit)
    new_prepared.fit_columns = lambda document: xml.append(document) or new_columns.fit_columns(document)
    try:
        for context in items:
            new.render(context)
    finally:
        new_prepared.fit_columns = new_columns.fit_columns
    paired("column fitting (workers/columns.fit_columns)", base_columns.fit_columns, new_columns.fit_columns,
           xml, args.rounds)
    paired("prepared render, whole (Jinja, fixes, fitting, archive)", old.render, new.render, items, args.rounds)
    manifest = [{"ref": f"P{i:05d}", "id": f"{i:032x}", "nama": f"Pegawai Nomor {i}, S.T.",
                 "nip": "19800101 200001 1 001", "file": f"PK-2026-Dinas-Contoh-{i}.docx", "sha256": "b" * 64,
                 "status": "finished", "error": "", "warnings": [], "verify_url": f"http://localhost/verify/{i:032x}"}
                for i in range(args.manifest_rows)]
    base_archive_files = base_module(args.base, "workers/archive_files.py", "base_archive_files")
    paired(f"manifest.xlsx of {args.manifest_rows} rows (per workbook)", base_archive_files.manifest_xlsx,
           new_archive_files.manifest_xlsx, [manifest], 1)


if __name__ == "__main__":
    main()
