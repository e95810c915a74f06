"""Column widths that follow the content, for tables marked "automatically resize to fit contents".

Word sizes such a table itself when it opens the file (``<w:tblLayout w:type="autofit"/>``);
LibreOffice, which makes our PDFs, lays columns out from the grid the template was saved with, so
narrow columns break figures and words inside ("1.250.00" / "0", "Keluar" / "ga"). After
rendering, this module does what Word does: each column gets at least the width of the longest
unbreakable piece of its cells (a word, a figure, "Rp 1.250.000" joined by a no-break space),
measured with the metrics of the font LibreOffice will use; the width that is left goes to the
columns that had it in the template (the long texts). The table keeps its total width, capped at
the page's text width (an F4 template printed on A4 stays inside the margins).

Both render paths (plain docxtpl and the prepared renderer) call `fit_columns` on the finished
document.xml, so they still make the same document.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from contextlib import suppress
from dataclasses import dataclass
from functools import cache, lru_cache

from lxml import etree

__all__ = ["fit_columns", "text_width_pt"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": W}
_AUTOFIT = re.compile(r'<w:tblLayout\b[^>]*w:type="autofit"')
_BREAKS = re.compile(r"(?<=[-/])")  # LibreOffice may break a line after a hyphen or a slash
DEFAULT_FONT = "Arial"
DEFAULT_SIZE_PT = 12.0
CELL_MARGIN_TWIPS = 108
"""Left and right cell padding of the Table Grid style, when a table sets none."""
SLACK_TWIPS = 30
"""A little air per column so rounding in the layout engine never breaks a word that just fits."""


def _q(name: str) -> str:
    return f"{{{W}}}{name}"


METRIC_TWINS = {
    "Arial": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    "Times New Roman": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    "Courier New": ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf"),
    "Calibri": ("Carlito-Regular.ttf", "Carlito-Bold.ttf"),
    "Bookman Old Style": ("texgyrebonum-regular.otf", "texgyrebonum-bold.otf"),
}
"""The metric-compatible fonts LibreOffice prints the usual Word fonts with (scripts/system-deps.sh
installs them); Pillow finds the files under the system's font folders."""


@cache
def _font(family: str, bold: bool):  # -> PIL.ImageFont.FreeTypeFont | None
    """The font LibreOffice substitutes for ``family``, at 100 px: its metric twin, else what
    fontconfig names (no subprocess for the usual fonts: this also runs in forked workers)."""
    from PIL import ImageFont

    candidates = []
    if family in METRIC_TWINS:
        candidates.append(METRIC_TWINS[family][1 if bold else 0])
    elif shutil.which("fc-match"):
        pattern = f"{family}:bold" if bold else family
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=False)
        candidates.append(found.stdout.strip())
    for candidate in candidates:
        try:
            return ImageFont.truetype(candidate, size=100)
        except OSError:
            continue
    return None


MEASURED_CACHE = 1 << 16
"""Measured pieces of text kept per process (a horse dies after its job; an in-process worker
lives long, and every official's name is a new piece)."""


@lru_cache(maxsize=MEASURED_CACHE)
def text_width_pt(text: str, size_pt: float = DEFAULT_SIZE_PT, bold: bool = False,
                  family: str = DEFAULT_FONT) -> float:
    """Printed width of ``text`` in points (an average-width estimate when no font is found)."""
    font = _font(family, bold)
    if font is None:
        return len(text) * size_pt * (0.62 if bold else 0.56)
    return font.getlength(text) / 100 * size_pt


_TBL, _TBL_PR, _TBL_GRID, _GRID_COL, _TBL_LAYOUT = (_q(n) for n in ("tbl", "tblPr", "tblGrid", "gridCol",
                                                                       "tblLayout"))
_TR, _TC, _TC_PR, _GRID_SPAN, _TC_W = (_q(n) for n in ("tr", "tc", "tcPr", "gridSpan", "tcW"))
_R, _R_PR, _T, _SZ, _B, _R_FONTS = (_q(n) for n in ("r", "rPr", "t", "sz", "b", "rFonts"))
_VAL, _ASCII, _W_ATTR, _TYPE = _q("val"), _q("ascii"), _q("w"), _q("type")


def _child(element, tag: str):
    """The first child ``tag`` of ``element`` (ElementPath's find costs ~10 us a call, this ~1;
    it runs for every cell and run of every autofit table of every document)."""
    if len(element) and element[0].tag == tag:  # where the schema puts tcPr and rPr
        return element[0]
    for child in element.iterchildren(tag):
        return child
    return None


def _run_format(run) -> tuple[float, bool, str]:
    size, bold, family = DEFAULT_SIZE_PT, False, DEFAULT_FONT
    rpr = _child(run, _R_PR)
    if rpr is not None:
        seen = set()
        for prop in rpr:
            tag = prop.tag
            if tag in seen:
                continue  # the first of each counts
            seen.add(tag)
            if tag == _SZ:
                size = int(prop.get(_VAL)) / 2
            elif tag == _B:
                bold = prop.get(_VAL, "true") not in ("0", "false")
            elif tag == _R_FONTS and prop.get(_ASCII):
                family = prop.get(_ASCII)
    return size, bold, family


@lru_cache(maxsize=MEASURED_CACHE)
def _run_needs(text: str, size: float, bold: bool, family: str) -> float:
    """Width of the widest piece of ``text`` a line can't break, in points."""
    return max((text_width_pt(piece, size, bold, family) for word in text.split(" ")
                for piece in _BREAKS.split(word) if piece), default=0.0)


def _cell_least(cell) -> float:
    """The widest unbreakable piece (word, figure) of a cell, in points."""
    least = 0.0
    for run in cell.iter(_R):
        text = "".join(t.text or "" for t in run.iter(_T))
        if text.strip():
            least = max(least, _run_needs(text, *_run_format(run)))
    return least


def _cell_span(cell) -> tuple[int, object]:
    """A cell's gridSpan (1 without one) and its tcW element (None without one)."""
    tcpr = _child(cell, _TC_PR)
    if tcpr is None:
        return 1, None
    span, width = 1, None
    for prop in tcpr:
        if prop.tag == _GRID_SPAN:
            span = int(prop.get(_VAL))
        elif prop.tag == _TC_W:
            width = prop
    return span, width


def _text_width_twips(root) -> int | None:
    sections = root.findall(".//w:sectPr", _NS)
    if not sections:
        return None
    section = sections[-1]
    size, margins = section.find("w:pgSz", _NS), section.find("w:pgMar", _NS)
    if size is None or margins is None:
        return None
    return int(size.get(_q("w"))) - int(margins.get(_q("left"), 0)) - int(margins.get(_q("right"), 0))


def _margins(table) -> int:
    margins = table.find("w:tblPr/w:tblCellMar", _NS)
    total = 0
    for names in (("left", "start"), ("right", "end")):
        element = None
        if margins is not None:
            element = next((e for n in names if (e := margins.find(f"w:{n}", _NS)) is not None), None)
        total += int(element.get(_q("w"))) if element is not None else CELL_MARGIN_TWIPS
    return total


@dataclass
class _Plan:
    """What one autofit table's widths follow from, found once for a table's structure: the grid,
    each single-column cell's runs (format, and the indexes of their w:t among the fragment's),
    and where the widths go (gridCol k, or a cell's tcW spanning columns)."""

    widths: list[int]
    total: int
    padding: int
    cells: list[tuple[int, list[tuple[tuple[float, bool, str], list[int]]]]]
    slots: list[tuple[object, int, int]]  # (element, column, span; span 0: a gridCol)


def _solve(widths: list[int], total: int, need: list[float], padding: int) -> list[int]:
    columns = len(widths)
    need_twips = [round(n * 20) + padding for n in need]
    scaled = [w * total / sum(widths) for w in widths]
    if sum(need_twips) >= total:
        # Not everything fits: figures and units keep their width; the widest column (the long
        # text, whose words are longest) gives up what is missing.
        fitted = [float(n) for n in need_twips]
        widest = max(range(columns), key=lambda c: need_twips[c])
        fitted[widest] = max(fitted[widest] - (sum(need_twips) - total), 0.3 * need_twips[widest])
        if sum(fitted) > total:
            fitted = [f * total / sum(fitted) for f in fitted]
    else:
        fitted = [max(w, n) for w, n in zip(scaled, need_twips, strict=True)]
        excess = sum(fitted) - total
        spare = [max(0.0, f - n) for f, n in zip(fitted, need_twips, strict=True)]
        if excess > 0:
            fitted = [f - excess * s / sum(spare) for f, s in zip(fitted, spare, strict=True)]
    result = [round(f) for f in fitted]
    result[-1] += total - sum(result)
    return result


def _fit(table, page_width: int | None, plans: list[_Plan] | None = None,
         text_index: dict[object, int] | None = None) -> None:
    grid = table.findall("w:tblGrid/w:gridCol", _NS)
    widths = [int(col.get(_q("w"))) for col in grid]
    total = sum(widths)
    if page_width:
        total = min(total, page_width)
    columns = len(widths)
    need = [0.0] * columns
    rows = [[(cell, *_cell_span(cell)) for cell in row.iterchildren(_TC)] for row in table.iterchildren(_TR)]
    cells = []
    for row in rows:
        column = 0
        for cell, span, _ in row:
            if span == 1 and column < columns:
                need[column] = max(need[column], _cell_least(cell))
                cells.append((column, cell))
            column += span
    padding = _margins(table) + SLACK_TWIPS
    result = _solve(widths, total, need, padding)
    for col, width in zip(grid, result, strict=True):
        col.set(_q("w"), str(width))
    slots: list[tuple[object, int, int]] = [(col, k, 0) for k, col in enumerate(grid)]
    for row in rows:
        column = 0
        for _, span, width in row:
            if width is not None:
                width.set(_W_ATTR, str(sum(result[column:column + span])))
                width.set(_TYPE, "dxa")
                slots.append((width, column, span))
            column += span
    if plans is not None and text_index is not None:
        plans.append(_Plan(widths, total, padding, [
            (column, [(_run_format(run), [text_index[t] for t in run.iter(_T)]) for run in cell.iter(_R)])
            for column, cell in cells], slots))


_TABLE_TAGS = re.compile(r"<w:tbl[ >]|</w:tbl>")
_ROOT_START = re.compile(r"<w:document\b[^>]*>")
_BODY_START = re.compile(r"<w:body\b[^>]*>")
_XMLNS = re.compile(r'\sxmlns(:[\w.-]+)?="([^"]*)"')
_SECT_PR = re.compile(r"<w:sectPr[ >/]")


def _fit_tables(root, page_width: int | None, plans: list[_Plan] | None = None,
                text_index: dict[object, int] | None = None) -> None:
    for table in root.iter(_TBL):
        layout = table.find("w:tblPr/w:tblLayout", _NS)
        if layout is not None and layout.get(_TYPE) == "autofit" and table.find("w:tblGrid", _NS) is not None:
            _fit(table, page_width, plans, text_index)
            # The widths are the content's now: LibreOffice must take them as they are (with
            # "autofit" it spreads the columns its own way).
            layout.set(_TYPE, "fixed")


def _top_tables(xml: str) -> list[tuple[int, int]] | None:
    """Start and end of each outermost table; None when the tags don't pair up."""
    spans, depth, start = [], 0, 0
    for tag in _TABLE_TAGS.finditer(xml):
        if tag.group(0).startswith("</"):
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                spans.append((start, tag.end()))
        else:
            if depth == 0:
                start = tag.start()
            depth += 1
    return spans if depth == 0 else None


def _parsed(opening: str, fragment: str):  # -> lxml element
    return etree.fromstring(opening + fragment + "</w:document>")


@lru_cache(maxsize=64)
def _page_width(opening: str, section: str) -> int | None:
    """The text width of the last section (the template's, the same in every document of a version)."""
    return _text_width_twips(_parsed(opening, section))


FITTED_CACHE = 64
"""Fitted tables kept per process, by their rendered XML: documents of a batch often carry the same
table (the same targets and budget lines for officials of the same post), which then costs a
dictionary lookup instead of parsing, measuring and writing it again (a table is ~1 ms)."""

SHAPES_CACHE = 64
"""Table shapes kept per process: a table's XML with its texts taken out (the signature table is the
same in every document of a template version but for the names and NIPs in it)."""

_W_T = re.compile(r"<w:t(?=[\s/>])[^>]*?(?:/>|>([^<]*)</w:t>)")
"""A w:t element and its text; a text holding an entity, ">" or a CR is written differently by lxml
than it came, so a table with one is fitted the long way."""
_TEXT_HOLE, _WIDTH_HOLE = "\ue000", "\ue001"
_HOLES = re.compile("(\ue000|\ue001)")


@dataclass
class _Shape:
    """How to fit and write a table of one shape without lxml: its autofit tables' plans, and the
    fitted table's XML as lxml writes it, cut at each text (in w:t order) and each width (in
    document order)."""

    plans: list[_Plan]
    pieces: list[str]
    holes: list[str]
    widths: list[tuple[int, int, int]]  # per width hole: plan, column, span (0: gridCol ``column``)


_shapes: dict[tuple[str, int | None, str], _Shape | None] = {}


def _shape_key(fragment: str) -> tuple[str, list[str]] | None:
    """The fragment with every text taken out, and the texts; None when a text isn't plain."""
    texts, out, done = [], [], 0
    for match in _W_T.finditer(fragment):
        text = match.group(1)
        if text:
            if "&" in text or ">" in text or "\r" in text:
                return None
            out += [fragment[done:match.start(1)], _TEXT_HOLE]
            done = match.end(1)
        texts.append(text or "")
    out.append(fragment[done:])
    return "".join(out), texts


def _fill(shape: _Shape, texts: list[str]) -> str:
    results = []
    for plan in shape.plans:
        need = [0.0] * len(plan.widths)
        for column, runs in plan.cells:
            for run_format, indexes in runs:
                text = "".join(texts[i] for i in indexes)
                if text.strip():
                    need[column] = max(need[column], _run_needs(text, *run_format))
        results.append(_solve(plan.widths, plan.total, need, plan.padding))
    widths = iter(str(results[p][c] if span == 0 else sum(results[p][c:c + span])) for p, c, span in shape.widths)
    filled = iter(t for t in texts if t)
    out = [shape.pieces[0]]
    for hole, piece in zip(shape.holes, shape.pieces[1:], strict=True):
        out += [next(filled) if hole == _TEXT_HOLE else next(widths), piece]
    return "".join(out)


def _learn(opening: str, page_width: int | None, fragment: str, texts: list[str]) -> tuple[str, _Shape | None]:
    """The table fitted the long way (lxml), and its shape when writing it again from the shape
    gives exactly that XML."""
    wrapper = _parsed(opening, fragment)
    elements = list(wrapper.iter(_T))
    if len(elements) != len(texts) or any((t.text or "") != x for t, x in zip(elements, texts, strict=True)):
        _fit_tables(wrapper, page_width)
        return _unwrapped(wrapper), None
    plans: list[_Plan] = []
    _fit_tables(wrapper, page_width, plans, {t: i for i, t in enumerate(elements)})
    fitted = _unwrapped(wrapper)
    if _TEXT_HOLE in fragment or _WIDTH_HOLE in fragment:
        return fitted, None
    order = {element: i for i, element in enumerate(wrapper.iter())}
    slots = sorted(((order[element], p, column, span) for p, plan in enumerate(plans)
                    for element, column, span in plan.slots), key=lambda slot: slot[0])
    for plan in plans:
        for element, _, _ in plan.slots:
            element.set(_W_ATTR, _WIDTH_HOLE)
    for element in elements:
        if element.text:
            element.text = _TEXT_HOLE
    cut = _HOLES.split(_unwrapped(wrapper))
    shape = _Shape(plans, cut[0::2], cut[1::2], [(p, column, span) for _, p, column, span in slots])
    for plan in plans:
        plan.slots = []  # the elements are not needed any more
    return fitted, (shape if _fill(shape, texts) == fitted else None)


def _unwrapped(wrapper) -> str:
    fitted = etree.tostring(wrapper, encoding="unicode")
    return fitted[fitted.index(">") + 1:fitted.rindex("</w:document>")]


@lru_cache(maxsize=FITTED_CACHE)
def _fitted_table(opening: str, page_width: int | None, fragment: str) -> str:
    """One outermost table (``fragment``, rendered XML) with its autofit tables fitted: a function of
    its text, the namespaces it is read in and the page's text width alone. A table of a shape seen
    before is fitted from its shape (measuring its texts, no XML parsed or written)."""
    found = _shape_key(fragment)
    if found is None:
        wrapper = _parsed(opening, fragment)
        _fit_tables(wrapper, page_width)
        return _unwrapped(wrapper)
    key, texts = found
    if (opening, page_width, key) in _shapes:
        if (shape := _shapes[(opening, page_width, key)]) is not None:
            return _fill(shape, texts)
        wrapper = _parsed(opening, fragment)  # a shape that can't be written again without lxml
        _fit_tables(wrapper, page_width)
        return _unwrapped(wrapper)
    fitted, shape = _learn(opening, page_width, fragment, texts)
    if len(_shapes) >= SHAPES_CACHE:
        with suppress(KeyError, RuntimeError, StopIteration):  # another thread made room first
            _shapes.pop(next(iter(_shapes)))
    _shapes[(opening, page_width, key)] = shape
    return fitted


def _fit_in_place(xml: str) -> str | None:
    """The autofit tables fitted one by one, each parsed alone inside the document's namespace
    declarations; the rest of the document is left as it is (parsing and writing the whole
    document again cost more than the fitting). None where the document isn't laid out so."""
    root_start = _ROOT_START.search(xml)
    spans = _top_tables(xml)
    if root_start is None or spans is None:
        return None
    declared = dict(_XMLNS.findall(root_start.group(0)))
    if body_start := _BODY_START.search(xml, root_start.end()):
        declared.update(_XMLNS.findall(body_start.group(0)))
    opening = "<w:document" + "".join(f' xmlns{prefix}="{uri}"' for prefix, uri in declared.items()) + ">"

    page_width = None
    if sections := list(_SECT_PR.finditer(xml)):
        last = sections[-1].start()
        end = xml.find("</w:sectPr>", last)
        closing = xml.find(">", last)
        fragment = xml[last:closing + 1] if xml[closing - 1] == "/" else xml[last:end + len("</w:sectPr>")]
        page_width = _page_width(opening, fragment)
    out, done = [], 0
    for start, end in spans:
        if not _AUTOFIT.search(xml, start, end):
            continue
        out += [xml[done:start], _fitted_table(opening, page_width, xml[start:end])]
        done = end
    out.append(xml[done:])
    return "".join(out)


def fit_columns(document_xml: bytes) -> bytes:
    """``document_xml`` with every autofit table's columns sized to its content."""
    try:
        xml = document_xml.decode("utf-8")
    except UnicodeDecodeError:
        xml = None
    if xml is not None:
        if not _AUTOFIT.search(xml):
            return document_xml
        try:
            fitted = _fit_in_place(xml)
        except etree.XMLSyntaxError:
            fitted = None
        if fitted is not None:
            return fitted.encode("utf-8")
    root = etree.fromstring(document_xml)
    _fit_tables(root, _text_width_twips(root))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
