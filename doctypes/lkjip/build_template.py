"""Builds lkjip-v2.docx, the shipped LKjIP template, with python-docx.

Version 2 (lkjip-v1.docx stays as it was shipped, for installations that copied it): three
sections (the cover; the front matter numbered i, ii, iii; Bab I onwards from 1), every table
and chart caption numbered by a SEQ field and listed by a Daftar Tabel and a Daftar Grafik
(TOC fields with \\c), the organisation chart in Bab I, the efficiency per objective, and the
PK's tables at the report's one table size with its shaded header.

Run once to (re)create the .docx; from then on the .docx is what administrators edit in
Word. Page setup, helpers and the PK tables of the Lampiran come from the PK template's
builder (doctypes/pk/build_template.py), so the Lampiran is drawn by the same pieces
as the PK itself. Chapter titles use Word's built-in Heading 1-3 styles so the TOC field
(rebuilt by Word on open, settings.xml updateFields) finds them.

    python doctypes/lkjip/build_template.py
"""

from __future__ import annotations

import copy
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from doctypes.pk import build_template as pk

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "lkjip-v2.docx"
CENTER, RIGHT, LEFT, JUSTIFY = pk.CENTER, pk.RIGHT, pk.LEFT, pk.JUSTIFY
para, tag, write = pk.para, pk.tag, pk.write
TABLE_SIZE = 10
"""Point size inside the report's tables: seven columns must fit the F4 text width."""


def styles(doc) -> None:
    """Headings in Arial, black, the built-in styles Word's TOC collects; TOC entry styles."""
    for level, size, align in ((1, 14, CENTER), (2, 12, LEFT), (3, 12, LEFT)):
        style = doc.styles[f"Heading {level}"]
        style.font.name, style.font.size, style.font.bold = pk.FONT, Pt(size), True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rfonts.set(qn(attr), pk.FONT)
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.space_before, fmt.space_after = Pt(0 if level == 1 else 12), Pt(18 if level == 1 else 6)
        fmt.keep_with_next = True
        # Every chapter starts on a new page without a break paragraph that could stay empty.
        fmt.page_break_before = level == 1
    figures = doc.styles.add_style("table of figures", WD_STYLE_TYPE.PARAGRAPH)
    figures.element.set(qn("w:styleId"), "TableofFigures")
    figures.base_style = doc.styles["Normal"]
    figures.paragraph_format.space_after = Pt(4)
    figures.paragraph_format.left_indent, figures.paragraph_format.first_line_indent = Mm(22), Mm(-22)
    figures.paragraph_format.tab_stops.add_tab_stop(Mm(170), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    for level in (1, 2, 3):
        style = doc.styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.element.set(qn("w:styleId"), f"TOC{level}")
        style.base_style = doc.styles["Normal"]
        fmt = style.paragraph_format
        fmt.left_indent = Mm(8 * (level - 1))
        fmt.space_after = Pt(4)
        # Word's rebuilt entries end with a tab and the page number, right-aligned with dots.
        fmt.tab_stops.add_tab_stop(Mm(170), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        if level == 1:
            style.font.bold = True


def update_fields_on_open(doc) -> None:
    """settings.xml <w:updateFields>: Word rebuilds the TOC (page numbers) when it opens the file."""
    settings = doc.settings.element
    element = OxmlElement("w:updateFields")
    element.set(qn("w:val"), "true")
    # Word insists on the schema order of settings; updateFields precedes these.
    later = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids")
    for child in settings:
        if child.tag in {qn(name) for name in later}:
            child.addprevious(element)
            return
    settings.append(element)


def page_numbers(doc) -> None:
    """Page number centred in the footer, none on the cover; the document's id and QR code in
    every page's footer, the cover's too."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    section.footer_distance = Mm(pk.FOOTER_DISTANCE_MM)
    pk.identity_footer(section.footer)
    pk.identity_footer(section.first_page_footer, first=section.first_page_footer.paragraphs[0])
    p = section.footer.paragraphs[0]
    p.paragraph_format.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    p._p.append(field)


def section_end(paragraph, body_sectpr, *, number_format: str | None, title_page: bool) -> None:
    """Ends a section at ``paragraph`` (never a Jinja ``{%p`` paragraph: those are removed), with the
    page setup and footers of the document's final section; ``number_format`` ("lowerRoman",
    "decimal") restarts the page numbers at 1 in that format."""
    sectpr = copy.deepcopy(body_sectpr)
    page_numbering(sectpr, number_format, title_page)
    paragraph._p.get_or_add_pPr().append(sectpr)


def page_numbering(sectpr, number_format: str | None, title_page: bool) -> None:
    for old in sectpr.findall(qn("w:pgNumType")) + sectpr.findall(qn("w:titlePg")):
        sectpr.remove(old)
    if number_format:
        numbering = OxmlElement("w:pgNumType")
        numbering.set(qn("w:fmt"), number_format)
        numbering.set(qn("w:start"), "1")
        # schema order: pgNumType follows pgMar/paperSrc/pgBorders/lnNumType
        anchor = sectpr.find(qn("w:cols"))
        if anchor is not None:
            anchor.addprevious(numbering)
        else:
            sectpr.append(numbering)
    if title_page:
        flag = OxmlElement("w:titlePg")
        # schema order: titlePg precedes textDirection, bidi, rtlGutter, docGrid
        later = next((child for child in sectpr if child.tag in {qn("w:textDirection"), qn("w:bidi"),
                                                                 qn("w:rtlGutter"), qn("w:docGrid")}), None)
        if later is not None:
            later.addprevious(flag)
        else:
            sectpr.append(flag)


def heading(doc, text: str, level: int):
    return doc.add_paragraph(text, style=f"Heading {level}")


def body(doc, text: str):
    """A justified body paragraph with a first-line indent."""
    p = para(doc, text, align=JUSTIFY, after=6)
    p.paragraph_format.first_line_indent = Mm(10)
    p.paragraph_format.line_spacing = 1.15
    return p


def paragraphs(doc, source: str, keep_last: bool = False) -> None:
    """One body paragraph per item; ``keep_last``: the last keeps with what follows (a signature)."""
    tag(doc, f"{{%p for t in {source} %}}")
    if keep_last:
        tag(doc, "{%p if loop.last %}")
        body(doc, "{{ t }}").paragraph_format.keep_with_next = True
        tag(doc, "{%p else %}")
    body(doc, "{{ t }}")
    if keep_last:
        tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def numbered(doc, source: str, keep_last: bool = False) -> None:
    """Items pre-numbered by the context ("1."), hanging under their number; ``keep_last``: the
    last keeps with what follows (a signature)."""
    def item(keep: bool) -> None:
        p = para(doc, "{{ d.no }}\t{{ d.teks }}", align=JUSTIFY, after=3, keep_next=keep)
        fmt = p.paragraph_format
        fmt.left_indent, fmt.first_line_indent = Mm(8), Mm(-8)
        fmt.tab_stops.add_tab_stop(Mm(8))

    tag(doc, f"{{%p for d in {source} %}}")
    if keep_last:
        tag(doc, "{%p if loop.last %}")
        item(True)
        tag(doc, "{%p else %}")
    item(False)
    if keep_last:
        tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def field_runs(paragraph, instruction: str, result: str, *, bold=False, size=None) -> None:
    """A complex field (begin, instruction, separate, cached result, end) appended to ``paragraph``."""
    def run(child=None, text: str | None = None):
        r = paragraph.add_run(text or "")
        r.bold = bold or None
        if size:
            r.font.size = Pt(size)
        if child is not None:
            r._r.append(child)
        return r

    for kind in ("begin", "instr", "separate"):
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = instruction
            run(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run(char)
    run(text=result)
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    run(char)


def caption(doc, kind: str, source: str, *, size: int = 11, bold: bool = True, keep_next: bool = True,
            before: int = 6, after: int = 6):
    """A numbered caption: "Tabel 7 Capaian ...", the number a SEQ field (counted again by Word and
    LibreOffice, listed by the Daftar Tabel/Grafik); ``source`` holds ``no`` and ``teks``."""
    p = para(doc, f"{kind} ", bold=bold, size=size, align=CENTER, before=before, after=after, keep_next=keep_next)
    field_runs(p, f" SEQ {kind} \\* ARABIC ", f"{{{{ {source}.no }}}}", bold=bold, size=size)
    r = p.add_run(f" {{{{ {source}.teks }}}}")
    r.bold = bold or None
    r.font.size = Pt(size)
    return p


def shade(cell, fill: str = "D9D9D9") -> None:
    shd = OxmlElement("w:shd")
    for key, value in {"w:val": "clear", "w:color": "auto", "w:fill": fill}.items():
        shd.set(qn(key), value)
    cell._tc.get_or_add_tcPr().append(shd)


def data_table(doc, widths: list[float], headers: list[str], loop: str, cells: list[tuple[str, object]],
               *, inner: str | None = None, size: int = TABLE_SIZE, footers: int = 0, keep_together: bool = False):
    """A header row repeated on each page, then one row per item of ``loop`` (and of ``inner``
    when rows nest); ``cells`` are (template text, alignment). ``footers`` extra rows are
    left empty at the end for totals. ``keep_together``: a short table is never split over two
    pages (each row keeps with the next, as Word and LibreOffice read it)."""
    tags = [f"{{%tr for r in {loop} %}}"] + ([f"{{%tr for y in {inner} %}}"] if inner else [])
    ends = ["{%tr endfor %}"] * len(tags)
    t = pk.table(doc, widths, rows=1 + len(tags) + 1 + len(ends) + footers)
    for cell, label in zip(t.rows[0].cells, headers, strict=True):
        write(cell, label, bold=True, align=CENTER, size=size, valign=WD_CELL_VERTICAL_ALIGNMENT.CENTER)
        shade(cell)
    pk.row_flag(t.rows[0], "w:tblHeader")
    for index, text in enumerate(tags, start=1):
        write(t.rows[index].cells[0], text)
    row = t.rows[1 + len(tags)]
    for cell, (text, align) in zip(row.cells, cells, strict=True):
        write(cell, text, align=align, size=size)
    pk.row_flag(row, "w:cantSplit")
    if keep_together:
        for keep_row in (t.rows[0], row):
            for cell in keep_row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
    for index, text in enumerate(ends, start=2 + len(tags)):
        write(t.rows[index].cells[0], text)
    return t


def total_row(t, index: int, label_span: int, label: str, values: list[tuple[str, object]], size: int = TABLE_SIZE):
    row = t.rows[index]
    merged = row.cells[0].merge(row.cells[label_span - 1]) if label_span > 1 else row.cells[0]
    write(merged, label, bold=True, align=CENTER, size=size)
    for cell, (text, align) in zip(row.cells[label_span:], values, strict=True):
        write(cell, text, bold=True, align=align, size=size)
    pk.row_flag(row, "w:cantSplit")


def cover(doc) -> None:
    for _ in range(6):
        para(doc)
    para(doc, "LAPORAN KINERJA", bold=True, size=24, align=CENTER)
    para(doc, "INSTANSI PEMERINTAH", bold=True, size=24, align=CENTER)
    para(doc, "(LKjIP)", bold=True, size=20, align=CENTER, after=24)
    para(doc, "TAHUN {{ tahun }}", bold=True, size=20, align=CENTER)
    for _ in range(14):
        para(doc)
    para(doc, "{{ instansi.nama }}", bold=True, size=16, align=CENTER, after=6)
    para(doc, "{{ instansi.pemerintah }}", bold=True, size=14, align=CENTER, after=6)
    tag(doc, "{%p if kop.kontak %}")
    para(doc, "{{ kop.kontak }}", size=10, align=CENTER)
    tag(doc, "{%p endif %}")


def kata_pengantar(doc) -> None:
    heading(doc, "KATA PENGANTAR", 1)
    paragraphs(doc, "kata_pengantar", keep_last=True)
    signature(doc)


def signature(doc) -> None:
    """The head of agency's signature, kept with the text before it (never alone on a page)."""
    para(doc, "", after=12, keep_next=True)
    pk.signature_table(doc, None, ("", "kepala"))


def ikhtisar(doc) -> None:
    heading(doc, "IKHTISAR EKSEKUTIF", 1)
    paragraphs(doc, "ikhtisar")
    caption(doc, "Tabel", "predikat_judul")
    data_table(doc, [80, 45], ["Predikat", "Jumlah Indikator"], "predikat_jumlah",
               [("{{ r.predikat }}", LEFT), ("{{ r.jumlah }}", CENTER)], keep_together=True)


def index_start(doc, title: str, instruction: str):
    """The title on a new page, then the paragraph opening a TOC field (marked dirty, so Word
    rebuilds it on open; the converter updates it before the PDF export)."""
    heading = para(doc, title, bold=True, size=14, align=CENTER, after=18)
    heading.paragraph_format.page_break_before = True
    start = doc.add_paragraph()
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None)):
        run = OxmlElement("w:r")
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                char.set(qn("w:dirty"), "true")  # tells Word the cached entries are stale
            run.append(char)
        start._p.append(run)
    return start


def index_end(doc):
    end = doc.add_paragraph()
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    run.append(char)
    end._p.append(run)
    return end


def daftar_isi(doc) -> None:
    """A real TOC field. Its cached result lists the headings the context knows (no page
    numbers: only a layout engine knows them); Word replaces it when it updates the field."""
    index_start(doc, "DAFTAR ISI", ' TOC \\o "1-3" \\h \\z \\u ')
    tag(doc, "{%p for e in daftar_isi %}")
    tag(doc, "{%p if e.tingkat == 1 %}")
    doc.add_paragraph("{{ e.judul }}", style="toc 1")
    tag(doc, "{%p elif e.tingkat == 2 %}")
    doc.add_paragraph("{{ e.judul }}", style="toc 2")
    tag(doc, "{%p else %}")
    doc.add_paragraph("{{ e.judul }}", style="toc 3")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    index_end(doc)


def daftar_keterangan(doc, title: str, kind: str, source: str):
    """A list of captions: a TOC field over the SEQ ``kind`` captions (Word: "Table of Figures",
    LibreOffice: an index of tables or illustrations); cached entries from the context. Returns
    its last paragraph."""
    index_start(doc, title, f' TOC \\h \\z \\c "{kind}" ')
    tag(doc, f"{{%p for e in {source} %}}")
    doc.add_paragraph("{{ e.judul }}", style="table of figures")
    tag(doc, "{%p endfor %}")
    return index_end(doc)


def bab1(doc) -> None:
    heading(doc, "BAB I PENDAHULUAN", 1)
    tag(doc, "{%p for b in bab1 %}")
    heading(doc, "{{ b.judul }}", 2)
    paragraphs(doc, "b.paragraf")
    numbered(doc, "b.daftar")
    organisation_chart(doc)
    tag(doc, "{%p if b.tabel %}")
    caption(doc, "Tabel", "b.tabel_judul")
    data_table(doc, [12, 108, 50], ["No", "Uraian", "Jumlah"], "b.tabel",
               [("{{ r.no }}", CENTER), ("{{ r.uraian }}", LEFT), ("{{ r.jumlah }}", CENTER)], keep_together=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if struktur %}")
    para(doc, "{{ struktur.bagan }}", align=CENTER, before=12, keep_next=True)
    para(doc, "{{ struktur.judul }}", size=10, align=CENTER, after=6)
    tag(doc, "{%p endif %}")


def organisation_chart(doc) -> None:
    """Where the chart is (it closes Bab I) and the units as an outline, so every unit's name is
    text a reader (and a search) finds."""
    tag(doc, "{%p if b.bagan_rujukan %}")
    body(doc, "{{ b.bagan_rujukan }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if b.susunan %}")
    para(doc, "Susunan organisasi:", after=3, keep_next=True)
    tag(doc, "{%p for d in b.susunan %}")
    for level in (0, 1, 2):
        tag(doc, ("{%p if d.tingkat == 0 %}", "{%p elif d.tingkat == 1 %}", "{%p else %}")[level])
        p = para(doc, "{{ d.no }}\t{{ d.teks }}", align=LEFT, after=2)
        fmt = p.paragraph_format
        fmt.left_indent, fmt.first_line_indent = Mm(8 + 12 * level + 4 * level), Mm(-(8 + 4 * level))
        fmt.tab_stops.add_tab_stop(fmt.left_indent)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def bab2(doc) -> None:
    heading(doc, "BAB II PERENCANAAN KINERJA", 1)
    heading(doc, "A. {{ renstra.judul }}", 2)
    paragraphs(doc, "renstra.paragraf")
    caption(doc, "Tabel", "renstra.tabel_judul")
    t = pk.table(doc, [10, 50, 62, 22, 26], rows=6)
    for cell, label in zip(t.rows[0].cells, ["No", "Sasaran Strategis", "Indikator Kinerja", "Satuan",
                                             "Target Akhir Renstra"], strict=True):
        write(cell, label, bold=True, align=CENTER, size=TABLE_SIZE, valign=WD_CELL_VERTICAL_ALIGNMENT.CENTER)
        shade(cell)
    pk.row_flag(t.rows[0], "w:tblHeader")
    write(t.rows[1].cells[0], "{%tr for s in renstra.baris %}")
    write(t.rows[2].cells[0], "{%tr for i in s.indikator %}")
    cells = t.rows[3].cells
    for cell, (text, align) in zip(cells, [("{{ s.no }}{% vm %}", CENTER), ("{{ s.uraian }}{% vm %}", LEFT),
                                           ("{{ i.uraian }}", LEFT), ("{{ i.satuan }}", CENTER),
                                           ("{{ i.target }}", CENTER)], strict=True):
        write(cell, text, align=align, size=TABLE_SIZE)
    pk.row_flag(t.rows[3], "w:cantSplit")
    write(t.rows[4].cells[0], "{%tr endfor %}")
    write(t.rows[5].cells[0], "{%tr endfor %}")
    heading(doc, "B. Perjanjian Kinerja Tahun {{ tahun }}", 2)
    body(doc, "{{ pk_kalimat }}")
    caption(doc, "Tabel", "pk_judul")
    report_tables(doc, lambda: with_pk(doc, pk.performance_table))


def report_tables(doc, build_tables) -> None:
    """Tables the PK's builders draw, set like the report's own: every cell at TABLE_SIZE (the PK
    prints at 12 pt, its column numbers at 9 pt) and the header row shaded."""
    before = len(doc.tables)
    build_tables()
    for t in doc.tables[before:]:
        for run in t._tbl.iter(qn("w:r")):
            rpr = run.get_or_add_rPr()
            for name in ("w:sz", "w:szCs"):
                for old in rpr.findall(qn(name)):
                    rpr.remove(old)
                size = OxmlElement(name)
                size.set(qn("w:val"), str(TABLE_SIZE * 2))
                rpr.append(size)
        for cell in t.rows[0].cells:
            shade(cell)


def with_pk(doc, *pieces) -> None:
    """The PK's own table builders, their variables bound to the report's lampiran_pk; no table
    ends with the PK's signature block (tabel_akhir is none of them)."""
    tag(doc, "{%p with sasaran=lampiran_pk.sasaran, anggaran=lampiran_pk.anggaran, "
             "anggaran_label=lampiran_pk.anggaran_label, anggaran_total=lampiran_pk.anggaran_total, "
             "tabel_akhir='', satu_penandatangan=false, pihak_pertama=none, pihak_kedua=none %}")
    for piece in pieces:
        piece(doc)
    tag(doc, "{%p endwith %}")


def objective(doc) -> None:
    """One strategic objective of Bab III A: tables, charts, comparisons, analysis."""
    heading(doc, "{{ s.judul }}", 3)
    caption(doc, "Tabel", "s.tabel_capaian")
    t = data_table(
        doc, [9, 52, 19, 19, 20, 23, 28],
        ["No", "Indikator Kinerja", "Satuan", "Target", "Realisasi", "Capaian", "Predikat"], "s.tabel_capaian.baris",
        [("{{ r.no }}", CENTER), ("{{ r.uraian }}", LEFT), ("{{ r.satuan }}", CENTER), ("{{ r.target }}", CENTER),
         ("{{ r.realisasi }}", CENTER), ("{{ r.capaian }}", CENTER), ("{{ r.predikat }}", CENTER)], footers=1)
    total_row(t, len(t.rows) - 1, 5, "Rata-rata capaian sasaran",
              [("{{ s.tabel_capaian.rata_rata }}", CENTER), ("{{ s.tabel_capaian.predikat }}", CENTER)])

    tag(doc, "{%p for g in s.grafik %}")
    para(doc, "{{ g.gambar }}", align=CENTER, before=6, keep_next=True)
    caption(doc, "Grafik", "g", size=10, bold=False, keep_next=False, before=0)
    tag(doc, "{%p endfor %}")

    tag(doc, "{%p if s.riwayat %}")
    caption(doc, "Tabel", "s.riwayat")
    data_table(
        doc, [9, 50, 15, 20, 21, 22, 33],
        ["No", "Indikator Kinerja", "Tahun", "Target", "Realisasi", "Capaian", "Perubahan Realisasi s.d. {{ tahun }}"],
        "s.riwayat.baris",
        [("{{ r.no }}{% vm %}", CENTER), ("{{ r.uraian }}{% vm %}", LEFT), ("{{ y.tahun }}", CENTER),
         ("{{ y.target }}", CENTER), ("{{ y.realisasi }}", CENTER), ("{{ y.capaian }}", CENTER),
         ("{{ y.perubahan }}", CENTER)], inner="r.tahun")
    tag(doc, "{%p endif %}")

    for key, label in (("renstra", "Target Akhir Renstra"), ("standar", "Standar Nasional")):
        tag(doc, f"{{%p if s.{key} %}}")
        caption(doc, "Tabel", f"s.{key}")
        data_table(
            doc, [9, 61, 20, 25, 30, 25],
            ["No", "Indikator Kinerja", "Satuan", "Realisasi {{ tahun }}", label, "Capaian"], f"s.{key}.baris",
            [("{{ r.no }}", CENTER), ("{{ r.uraian }}", LEFT), ("{{ r.satuan }}", CENTER),
             ("{{ r.realisasi }}", CENTER), ("{{ r.pembanding }}", CENTER), ("{{ r.capaian }}", CENTER)])
        tag(doc, "{%p endif %}")

    para(doc, "Analisis capaian per indikator", bold=True, before=12, after=6, keep_next=True)
    tag(doc, "{%p for a in s.analisis %}")
    para(doc, "{{ a.judul }}", bold=True, before=6, after=3, keep_next=True)
    body(doc, "{{ a.ringkasan }}")
    paragraphs(doc, "a.analisis")
    for key, label in (("faktor_pendukung", "Faktor pendukung:"), ("faktor_penghambat", "Faktor penghambat:"),
                       ("upaya", "Upaya yang dilakukan:")):
        tag(doc, f"{{%p if a.{key} %}}")
        para(doc, label, after=3, keep_next=True)
        numbered(doc, f"a.{key}")
        tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def bab3(doc) -> None:
    heading(doc, "BAB III AKUNTABILITAS KINERJA", 1)
    heading(doc, "A. Capaian Kinerja Organisasi", 2)
    body(doc, "{{ metode.kalimat }}")
    caption(doc, "Tabel", "metode.tabel_judul")
    data_table(doc, [60, 60], ["Rentang Capaian (x, %)", "Predikat"], "metode.skala",
               [("{{ r.rentang }}", CENTER), ("{{ r.predikat }}", CENTER)], keep_together=True)
    para(doc, "", after=6)
    body(doc, "Ringkasan capaian kinerja per sasaran strategis tahun {{ tahun }}:")
    caption(doc, "Tabel", "ringkasan_sasaran.tabel_judul")
    t = data_table(
        doc, [9, 81, 24, 28, 28], ["No", "Sasaran Strategis", "Jumlah Indikator", "Rata-rata Capaian", "Predikat"],
        "ringkasan_sasaran.baris",
        [("{{ r.no }}", CENTER), ("{{ r.uraian }}", LEFT), ("{{ r.jumlah }}", CENTER),
         ("{{ r.rata_rata }}", CENTER), ("{{ r.predikat }}", CENTER)], footers=1)
    total_row(t, len(t.rows) - 1, 2, "Seluruh indikator",
              [("{{ ringkasan_sasaran.jumlah }}", CENTER), ("{{ ringkasan_sasaran.rata_rata }}", CENTER),
               ("{{ ringkasan_sasaran.predikat }}", CENTER)])
    tag(doc, "{%p for s in sasaran %}")
    objective(doc)
    tag(doc, "{%p endfor %}")

    tag(doc, "{%p if anggaran %}")
    heading(doc, "B. Realisasi Anggaran", 2)
    caption(doc, "Tabel", "anggaran")
    size = TABLE_SIZE  # one size for every table of the report; the columns follow the amounts (autofit)
    t = data_table(
        doc, [10, 44, 34, 34, 18, 30], ["No", "Program", "Pagu (Rp)", "Realisasi (Rp)", "Serapan", "Sisa (Rp)"],
        "anggaran.baris",
        [("{{ r.no }}", CENTER), ("{{ r.uraian }}", LEFT), ("{{ r.pagu }}", RIGHT), ("{{ r.realisasi }}", RIGHT),
         ("{{ r.serapan }}", CENTER), ("{{ r.sisa }}", RIGHT)], size=size, footers=1)
    total_row(t, len(t.rows) - 1, 2, "JUMLAH",
              [("{{ anggaran.pagu }}", RIGHT), ("{{ anggaran.realisasi }}", RIGHT), ("{{ anggaran.serapan }}", CENTER),
               ("{{ anggaran.sisa }}", RIGHT)], size=size)
    pk.autofit(t)
    para(doc, "", after=6)
    tag(doc, "{%p if efisiensi %}")
    body(doc, "{{ efisiensi }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if efisiensi_sasaran %}")
    body(doc, "{{ efisiensi_sasaran.kalimat }}")
    caption(doc, "Tabel", "efisiensi_sasaran")
    data_table(
        doc, [9, 50, 20, 22, 22, 20, 27],
        ["No", "Sasaran Strategis", "Jumlah Program", "Rata-rata Capaian", "Serapan Anggaran", "Selisih (poin)",
         "Keterangan"], "efisiensi_sasaran.baris",
        [("{{ r.no }}", CENTER), ("{{ r.uraian }}", LEFT), ("{{ r.program }}", CENTER), ("{{ r.rata_rata }}", CENTER),
         ("{{ r.serapan }}", CENTER), ("{{ r.selisih }}", CENTER), ("{{ r.keterangan }}", CENTER)],
        keep_together=True)  # one row per objective: a short table
    # Not the table's last row against Bab IV's page break: LibreOffice lost the rows that
    # should have moved to the next page when the table ran into it.
    para(doc, "", after=6)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def bab4(doc) -> None:
    heading(doc, "BAB IV PENUTUP", 1)
    heading(doc, "A. Kesimpulan", 2)
    paragraphs(doc, "kesimpulan", keep_last=True)
    tag(doc, "{%p if rencana_tindak_lanjut %}")
    heading(doc, "B. Rencana Tindak Lanjut", 2)
    numbered(doc, "rencana_tindak_lanjut", keep_last=True)
    tag(doc, "{%p endif %}")
    signature(doc)
    tag(doc, "{%p if dokumen_id %}")  # as on the PK: the id and QR code beside the signature
    para(doc, "", after=12)
    pk.verification_note(doc)
    tag(doc, "{%p endif %}")


def lampiran(doc) -> None:
    heading(doc, "LAMPIRAN", 1)
    para(doc, "{{ lampiran_pk.judul }}", bold=True, align=CENTER)
    para(doc, "{{ kop.nama or kop.pemerintah }}", bold=True, align=CENTER, after=12)
    report_tables(doc, lambda: with_pk(doc, pk.performance_table, pk.budget_table))


def tiny(doc):
    """An empty 1 pt paragraph: carries a section's end without taking a line."""
    p = para(doc, "", size=1, after=0)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.line_spacing = Pt(1)
    return p


def build(path: Path = OUTPUT) -> Path:
    doc = Document()
    pk.setup(doc)
    styles(doc)
    update_fields_on_open(doc)
    page_numbers(doc)
    body_sectpr = doc.sections[-1]._sectPr
    cover(doc)
    section_end(tiny(doc), body_sectpr, number_format=None, title_page=True)
    kata_pengantar(doc)
    ikhtisar(doc)
    daftar_isi(doc)
    daftar_keterangan(doc, "DAFTAR TABEL", "Tabel", "daftar_tabel")
    tag(doc, "{%p if daftar_grafik %}")
    daftar_keterangan(doc, "DAFTAR GRAFIK", "Grafik", "daftar_grafik")
    tag(doc, "{%p endif %}")
    section_end(tiny(doc), body_sectpr, number_format="lowerRoman", title_page=False)
    page_numbering(body_sectpr, "decimal", title_page=False)
    bab1(doc)
    bab2(doc)
    bab3(doc)
    bab4(doc)
    lampiran(doc)
    return pk.save(doc, path, "Laporan Kinerja Instansi Pemerintah")


if __name__ == "__main__":
    print(build())
