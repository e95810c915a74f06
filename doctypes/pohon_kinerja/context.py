"""The Pohon Kinerja's template context: the cascade of its PKs (sakip.cascade) cut into diagram
pages, the Matriks Cascading rows, and the alignment findings.

A big tree is split across pages, never shrunk past reading: each diagram shows one PK and the
PKs directly below it (at most MAX_CHILDREN, and no more than fit the page's width at
MIN_SCALE); a PK with subordinates of its own says which diagram continues below it. So the
printed font stays at or above FONT_PT x MIN_SCALE (7.2 pt), however many PKs there are.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from typing import Any

from doctypes.pk.context import kop_context, print_value
from doctypes.pk.model import Tingkat
from doctypes.pohon_kinerja.model import PohonKinerjaData
from sakip.cascade import Cascade, CascadeEntry, Node, build_cascade
from sakip.media import DIAGRAM_DPI, Diagram

__all__ = ["DIAGRAM_HEIGHT_MM", "DIAGRAM_WIDTH_MM", "FONT_PT", "MIN_SCALE", "pohon_kinerja_context"]

FONT_PT = 9
"""Font size of a node's text in the drawing."""
MIN_SCALE = 0.8
"""The least a diagram may be shrunk to fit its page: 9 pt prints at 7.2 pt or larger."""
DIAGRAM_WIDTH_MM = 290
DIAGRAM_HEIGHT_MM = 140
"""The room for a diagram on a landscape F4 page (margins, title, caption and footer taken)."""
MAX_LINES = 18
"""Most lines of text in a box (its note included): a superior's box and its subordinates' one
above the other still fit the page's height at MIN_SCALE. A PK with more objectives and
indicators shows the first ones and points to the Matriks Cascading, which has them all."""
MAX_CHILDREN = 6
"""Most subordinates one diagram shows under their superior; more go on a continuation diagram."""
WRAP = 28
"""Characters per line of a node's text."""
BOLD_CHAR_MM, CHAR_MM, BOX_MM = 1.8, 1.7, 6.5
"""Width of a character at FONT_PT in Arial, bold and regular, and a box's margins (measured with
dot, rounded up: the estimate must not fall short, or a page would be shrunk below MIN_SCALE)."""
GAP_MM = 5.2
"""Space between two boxes (nodesep 0.2 in)."""

LEVEL_COLOURS = {Tingkat.KEPALA_DAERAH: "#F6E3A1", Tingkat.JPT: "#CFE2F3", Tingkat.ADMINISTRATOR: "#D9EAD3",
                 Tingkat.PENGAWAS: "#EFEFEF"}
LEVEL_NAMES = {Tingkat.KEPALA_DAERAH: "Kepala Daerah", Tingkat.JPT: "JPT", Tingkat.ADMINISTRATOR: "Administrator",
               Tingkat.PENGAWAS: "Pengawas"}


@dataclass
class _Page:
    parent: str | None
    members: list[str]
    part: int = 1
    parts: int = 1


def _lines(text: str) -> list[str]:
    return textwrap.wrap(text, WRAP) or [""]


def _node_lines(node: Node, cascade: Cascade) -> list[tuple[str, bool]]:
    """The text of a node's box, line by line, (text, bold)."""
    data = node.entry.data
    out = [(line, True) for line in _lines(data.pihak_pertama.jabatan)]
    out += [(line, False) for line in _lines(f"{data.pihak_pertama.nama} · {LEVEL_NAMES[data.tingkat]}")]
    for s, sasaran in enumerate(data.sasaran):
        served = f" → S{node.serves[s] + 1} atasan" if s in node.serves else ""
        code = f" [{sasaran.kode}]" if sasaran.kode else ""
        out += [(line, True) for line in _lines(f"S{s + 1}{code}{served}: {sasaran.uraian}")]
        for ind in sasaran.indikator:
            target = " ".join(p for p in (print_value(ind.target), ind.satuan or "") if p)
            out += [(line, False) for line in _lines(f"• {ind.uraian}: {target}")]
    if len(out) > MAX_LINES - 1:
        out = [*out[:MAX_LINES - 2], ("… selengkapnya: Matriks Cascading", False)]
    return out


def _size_mm(lines: list[tuple[str, bool]]) -> tuple[float, float]:
    width = max(len(text) * (BOLD_CHAR_MM if bold else CHAR_MM) for text, bold in lines) + BOX_MM
    return width, len(lines) * FONT_PT * 0.3528 * 1.25 + 6


def _label(lines: list[tuple[str, bool]], note: str) -> str:
    rows = []
    for text, bold in lines:
        escaped = html.escape(text, quote=False)
        rows.append(f'<TR><TD ALIGN="LEFT">{"<B>" + escaped + "</B>" if bold else escaped}</TD></TR>')
    if note:
        rows.append(f'<TR><TD ALIGN="LEFT"><I>{html.escape(note, quote=False)}</I></TD></TR>')
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'


def _chunks(keys: list[str], widths: dict[str, float]) -> list[list[str]]:
    """The children cut into rows that fit a page's width at MIN_SCALE."""
    room = DIAGRAM_WIDTH_MM / MIN_SCALE
    chunks: list[list[str]] = [[]]
    used = 0.0
    for key in keys:
        need = widths[key] + GAP_MM
        if chunks[-1] and (len(chunks[-1]) >= MAX_CHILDREN or used + need > room):
            chunks.append([])
            used = 0.0
        chunks[-1].append(key)
        used += need
    return chunks


def _plan(cascade: Cascade, widths: dict[str, float]) -> list[_Page]:
    """The diagram pages, top down (a PK's subordinates before their own subordinates' pages)."""
    pages: list[_Page] = []
    roots = cascade.roots()
    for root in (r for r in roots if cascade.nodes[r].children):  # the main tree first, then the others
        queue = [root]
        while queue:  # breadth first: the whole of one level before the next
            key = queue.pop(0)
            children = cascade.nodes[key].children
            chunks = _chunks(children, widths)
            for n, chunk in enumerate(chunks, start=1):
                pages.append(_Page(key, chunk, n, len(chunks)))
            queue += [c for c in children if cascade.nodes[c].children]
    alone = [r for r in roots if not cascade.nodes[r].children]
    chunks = _chunks(alone, widths) if alone else []
    for n, chunk in enumerate(chunks, start=1):
        pages.append(_Page(None, chunk, n, len(chunks)))
    return pages


def _who(node: Node) -> str:
    person = node.entry.data.pihak_pertama
    return f"{person.jabatan} ({person.nama})"


def _dot(page: _Page, cascade: Cascade, lines: dict[str, list[tuple[str, bool]]],
         below: dict[str, int], above: dict[str, int]) -> str:
    out = [f'digraph G {{ graph [rankdir=TB, dpi={DIAGRAM_DPI}, nodesep=0.2, ranksep=0.45, bgcolor="white"];',
           f'node [shape=box, style="rounded,filled", fontname="Arial", fontsize={FONT_PT}, margin="0.08,0.05"];',
           'edge [color="#555555", arrowhead=none];']
    members = ([page.parent] if page.parent else []) + page.members
    for key in members:
        node = cascade.nodes[key]
        note = ""
        if key == page.parent and key in above:
            note = f"▲ atasan: Diagram {above[key]}"
        elif key != page.parent and key in below:
            note = f"▼ bawahan: Diagram {below[key]}"
        colour = LEVEL_COLOURS[node.entry.data.tingkat]
        out.append(f'n{key} [fillcolor="{colour}", label={_label(lines[key], note)}];')
    if page.parent:
        out += [f"n{page.parent} -> n{k};" for k in page.members]
    out.append("}")
    return "\n".join(out)


def _matrix(cascade: Cascade, order: list[str]) -> list[dict[str, str]]:
    rows = []
    for number, key in enumerate(order, start=1):
        node = cascade.nodes[key]
        data = node.entry.data
        parent = cascade.nodes[node.parent] if node.parent else None
        first_of_node = True
        for s, sasaran in enumerate(data.sasaran):
            served = ""
            if parent is not None and s in node.serves:
                target = parent.entry.data.sasaran[node.serves[s]]
                served = f"S{node.serves[s] + 1}{f' [{target.kode}]' if target.kode else ''}: {target.uraian}"
            for i, ind in enumerate(sasaran.indikator):
                rows.append({
                    "no": str(number) if first_of_node else "",
                    "jabatan": data.pihak_pertama.jabatan if first_of_node else "",
                    "nama": data.pihak_pertama.nama if first_of_node else "",
                    "sasaran": f"S{s + 1}{f' [{sasaran.kode}]' if sasaran.kode else ''}: {sasaran.uraian}"
                    if i == 0 else "",
                    "indikator": ind.uraian,
                    "target": " ".join(p for p in (print_value(ind.target), ind.satuan or "") if p),
                    "mendukung": (served or "—") if i == 0 else "",
                    "atasan": (parent.entry.data.pihak_pertama.jabatan if parent else "—") if first_of_node else "",
                })
                first_of_node = False
    return rows


def _tree_order(cascade: Cascade) -> list[str]:
    """Every node, each superior followed by its subordinates (depth first), roots in input order."""
    order: list[str] = []
    stack = list(reversed(cascade.roots()))
    while stack:
        key = stack.pop()
        order.append(key)
        stack += list(reversed(cascade.nodes[key].children))
    return order


def pohon_kinerja_context(data: PohonKinerjaData) -> dict[str, Any]:
    """The variables the Pohon Kinerja template uses (see doctypes/pohon_kinerja/manifest.json)."""
    cascade = build_cascade(CascadeEntry("", p.ref, p.data) for p in data.pk)
    lines = {key: _node_lines(node, cascade) for key, node in cascade.nodes.items()}
    sizes = {key: _size_mm(node_lines) for key, node_lines in lines.items()}
    pages = _plan(cascade, {k: w for k, (w, _) in sizes.items()})
    below: dict[str, int] = {}
    above: dict[str, int] = {}
    for number, page in enumerate(pages, start=1):
        if page.parent is not None:
            below.setdefault(page.parent, number)
        for key in page.members:
            above.setdefault(key, number)
    diagrams = []
    for number, page in enumerate(pages, start=1):
        if page.parent is None:
            title = "PK tanpa atasan dalam daftar ini"
        else:
            title = cascade.nodes[page.parent].entry.data.pihak_pertama.jabatan
        if page.parts > 1:
            title += f" (bagian {page.part} dari {page.parts})"
        members = ([page.parent] if page.parent else []) + page.members
        diagrams.append({
            "judul": f"Diagram {number}. {title}",
            "gambar": Diagram(_dot(page, cascade, lines, below, above), DIAGRAM_WIDTH_MM, DIAGRAM_HEIGHT_MM),
            "keterangan": "Memuat: " + "; ".join(_who(cascade.nodes[k]) for k in members),
        })
    order = _tree_order(cascade)
    findings = [f"{f.ref}: {f.warning.message()}" for f in cascade.findings]
    levels = len({n.entry.data.tingkat for n in cascade.nodes.values()})
    return {
        "judul": (data.judul or "Pohon Kinerja").upper(),
        "tahun": data.tahun,
        "kop": kop_context(data.instansi),
        "ringkasan": f"{len(cascade.nodes)} Perjanjian Kinerja pada {levels} tingkat jabatan, digambar dalam "
                     f"{len(diagrams)} diagram; {len(findings)} catatan keselarasan.",
        "diagram": diagrams,
        "matriks": _matrix(cascade, order),
        "temuan": findings,
    }
