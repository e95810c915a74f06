"""The reference of template data: for each document type, every variable a Word template can
use, what kind of value it is and an example, as Markdown for the README.

This module owns the README block between ``<!-- template-data:start -->`` and
``<!-- template-data:end -->``. The tables come from the code: the context is exactly what
``docgen templates validate`` renders a template's sample with (the type's context on its
validated ``sample.json``, plus the TTE anchors and the document identity), so the README
can't drift from what templates really receive. Regenerate after changing a context:

    .venv/bin/python -m workers.template_reference --write
"""

from __future__ import annotations

import argparse
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from config.settings import REPO_ROOT, Settings
from sakip.doctypes import DOCUMENT_TYPES
from sakip.media import BarChart, Picture, SuppliedPicture
from workers.template_checks import sample_context

__all__ = ["PUBLIC_URL", "README", "readme_block", "reference_settings", "template_reference", "write_readme"]

PUBLIC_URL = "https://docgen.example"
"""A fixed public address: the verification URL in the tables must not depend on the machine."""

README = REPO_ROOT / "README.md"
"""The file whose marked block this module writes."""

START_MARKER = "<!-- template-data:start -->"
END_MARKER = "<!-- template-data:end -->"

MAX_DEPTH = 4
"""How far below a top-level variable keys are listed; the deepest context path today
(``sasaran[].riwayat.baris[].tahun[].capaian``) is 4 steps down."""

EXAMPLE_CHARS = 40
"""Longest example shown; a table cell is a reminder of the value's shape, not the value."""

_BLOCK = re.compile(re.escape(START_MARKER) + r"\n(.*?)" + re.escape(END_MARKER), re.DOTALL)

_PROSE = """\
<!-- Generated from the code by `.venv/bin/python -m workers.template_reference --write`; do not edit. -->
The data each document type gives its Word template, shown with the type's sample data:
- `{{ tahun }}` prints a value, already formatted Indonesian style by the service (numbers `88,5`,
  money `Rp 4.250.000.000`, dates `5 Januari 2026`). `{{ kop.pemerintah }}` reaches inside a record;
  a row `sasaran[].uraian` is the key `uraian` of each item of the list `sasaran`.
- `{%tr for s in sasaran %}` and `{%tr endfor %}`, each in a table row of its own, repeat the rows
  between them once per item; inside, write `{{ s.uraian }}`. The shipped PK nests
  `{%tr for i in s.indikator %}` (`{{ i.target }}`), loops `{%tr for r in anggaran %}` and
  `{%tr for a in rencana_aksi %}` (`{{ a.tw[0] }}`), and merges `{{ s.uraian }}{% vm %}` vertically.
- `{%p if x %}` / `{%p endif %}` (and `{%p for t in ikhtisar %}` / `{%p endfor %}`) stand in
  paragraphs of their own; `{%r if x %}` / `{%r endif %}` hide part of a line (each removes its run).
  A yes-no is for `if`; an image goes alone: `{{ qr_verifikasi }}`.
- `.venv/bin/docgen templates validate FILE.docx --type pk` names every variable a template uses
  that its type does not provide.
"""


def reference_settings() -> Settings:
    """Every setting at its default (DOCGEN_* variables of the machine ignored: explicit values
    win over the environment) and a fixed public URL, so the README is the same everywhere."""
    defaults = {name: field.get_default(call_default_factory=True) for name, field in Settings.model_fields.items()}
    return Settings(**{**defaults, "public_url": PUBLIC_URL})


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _merged(items: list[Any]) -> Any:
    """One stand-in for every item of a list: records are merged key by key, so a key set only
    on later items (or empty on the first) is still listed with a real example."""
    records = [item for item in items if isinstance(item, dict)]
    if records:
        keys = sorted({key for record in records for key in record})
        return {key: _merged([record[key] for record in records if key in record]) for key in keys}
    lists = [item for item in items if isinstance(item, list)]
    if lists:
        return [element for inner in lists for element in inner]
    return next((item for item in items if not _is_empty(item)), items[0] if items else None)


def _kind(value: Any) -> str:
    # bool before numbers: True is an int to Python but a yes-no to an author.
    if isinstance(value, bool):
        return "yes-no"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "record"
    if isinstance(value, list):
        return "list of records" if any(isinstance(item, dict) for item in value) else "list"
    if value is None:
        return "none"
    if isinstance(value, Picture | BarChart | SuppliedPicture) or type(value).__name__ == "InlineImage":
        return f"image ({type(value).__name__})"
    return type(value).__name__


def _example(value: Any) -> str:
    """The value as a short table cell; objects are described, never repr'd (a repr may carry
    an address or the image's bytes)."""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, dict) or value is None:
        text = ""
    elif isinstance(value, list):
        if not value:
            return "(empty in the sample)"
        first = _merged(value)
        text = "" if isinstance(first, dict | list) else _example(first)
    elif isinstance(value, Picture):
        text = f"PNG, {value.width_mm:g} mm wide"
    elif isinstance(value, BarChart):
        text = f"bar chart, {value.width_mm:g} × {value.height_mm:g} mm"
    elif isinstance(value, str | int | float | Decimal):
        text = str(value)
        if text == "":
            return "(empty in the sample)"
    else:
        text = type(value).__name__
    text = " ".join(text.split())  # newlines and runs of spaces would break the table row
    if len(text) > EXAMPLE_CHARS:
        text = text[: EXAMPLE_CHARS - 1] + "…"
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _rows(name: str, value: Any, depth: int = 0) -> list[tuple[str, str, str]]:
    rows = [(name, _kind(value), _example(value))]
    if depth >= MAX_DEPTH:
        return rows
    if isinstance(value, dict):
        for key in sorted(value):
            rows += _rows(f"{name}.{key}", value[key], depth + 1)
    elif isinstance(value, list) and value:
        item = _merged(value)
        if isinstance(item, dict):
            for key in sorted(item):
                rows += _rows(f"{name}[].{key}", item[key], depth + 1)
        elif isinstance(item, list):
            rows += _rows(f"{name}[]", item, depth + 1)
    return rows


def _table(doc_type: str, settings: Settings) -> str:
    context = sample_context(doc_type, settings)
    lines = [f"### Template data: {doc_type}", "", "| variable | kind | example |", "|---|---|---|"]
    for name in sorted(context):
        lines += [f"| `{path}` | {kind} | {example} |" for path, kind, example in _rows(name, context[name])]
    return "\n".join(lines) + "\n"


def template_reference(settings: Settings) -> str:
    """The README block: a short guide to the tags, then one table per document type."""
    tables = "".join("\n" + _table(doc_type, settings) for doc_type in DOCUMENT_TYPES)
    # The closing blank line ends the last table before the end marker in every Markdown renderer.
    return _PROSE + tables + "\n"


def readme_block(text: str) -> str:
    """What stands between the markers of ``text`` (a README)."""
    match = _BLOCK.search(text)
    if match is None:
        raise ValueError(f"the README has no {START_MARKER} ... {END_MARKER} block")
    return match.group(1)


def write_readme(path: Path = README, settings: Settings | None = None) -> bool:
    """Rewrites the block in place, leaving every other line alone; True if it changed."""
    block = template_reference(settings or reference_settings())
    # Read right before writing and keep the file's own line endings: others edit the README too.
    with path.open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    readme_block(text)  # fails loudly when the markers are gone
    updated = _BLOCK.sub(lambda _: f"{START_MARKER}\n{block}{END_MARKER}", text, count=1)
    if updated == text:
        return False
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(updated)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workers.template_reference",
                                     description="The template data of each document type, as Markdown.")
    parser.add_argument("--write", action="store_true", help=f"rewrite the block in {README.name} instead of printing")
    args = parser.parse_args(argv)
    if args.write:
        changed = write_readme()
        print(f"{README}: {'updated' if changed else 'already up to date'}")
    else:
        print(template_reference(reference_settings()), end="")


if __name__ == "__main__":
    main()
