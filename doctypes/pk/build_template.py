"""Builds pk-v2.docx, the shipped PK template, with python-docx (pk-v1.docx, the version before
the logo and the Garuda, stays as shipped for installations that copied it).

Run once to (re)create the .docx; from then on the .docx is the source administrators
edit in Word. Tags are docxtpl's: {{ value }}, {%p %} for paragraphs, {%tr %} for table
rows, {% vm %} to merge an objective's cell over its indicators.

    python doctypes/pk/build_template.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "pk-v2.docx"
LOGO_COLUMN_MM = 28  # the logo box (doctypes.pk.context.LOGO_BOX_MM) plus a little air

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 215, 330  # F4 / Folio
MARGINS_MM = {"top": 20, "bottom": 20, "left": 25, "right": 20}
FONT = "Arial"
STAMP_ROOM_MM = 26  # a BSrE visual signature or QR stamp is about 25 mm high
FOOTER_DISTANCE_MM = 6
CENTER, RIGHT, LEFT, JUSTIFY = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT,
                                WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY)


def setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "id-ID")
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0


def para(container, text: str = "", *, bold=False, underline=False, size=None, align=None,
         before=0, after=0, keep_next=False):
    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold, run.underline = bold or None, underline or None
        if size:
            run.font.size = Pt(size)
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if align is not None:
        fmt.alignment = align
    if keep_next:
        fmt.keep_with_next = True
    return p


def tag(container, text: str):
    """A paragraph holding only a docxtpl {%p %} tag; docxtpl removes it when rendering."""
    return container.add_paragraph(text)


def bottom_border(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in {"w:val": "thickThinSmallGap", "w:sz": "24", "w:space": "1", "w:color": "000000"}.items():
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def row_flag(row, name: str) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement(name))


def no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


def table(container, widths_mm: list[float], rows: int, *, grid=True):
    t = container.add_table(rows=rows, cols=len(widths_mm))
    if grid:
        t.style = "Table Grid"
    else:
        no_borders(t)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    # LibreOffice lays columns out from the grid, Word from the cells: set both.
    for col, width in zip(t._tbl.tblGrid.gridCol_lst, widths_mm, strict=True):
        col.w = Mm(width)
    for row in t.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return t


def write(cell, text: str, *, bold=False, align=None, size=None, valign=None):
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    if align is not None:
        p.paragraph_format.alignment = align
    if valign is not None:
        cell.vertical_alignment = valign
    return p


def cell_para(cell, text: str = "", **kwargs):
    """Adds a paragraph to a cell; the first call reuses the cell's empty paragraph."""
    if len(cell.paragraphs) == 1 and not cell.paragraphs[0].text and not getattr(cell, "_used", False):
        cell._used = True
        p = cell.paragraphs[0]
        if text:
            run = p.add_run(text)
            run.bold, run.underline = kwargs.get("bold") or None, kwargs.get("underline") or None
        if kwargs.get("align") is not None:
            p.paragraph_format.alignment = kwargs["align"]
        return p
    return para(cell, text, **kwargs)


def kop_lines(container) -> None:
    """The letterhead's text, centred: government, agency (unless it repeats it), contact."""
    para(container, "{{ kop.pemerintah }}", bold=True, size=14, align=CENTER)
    tag(container, "{%p if kop.nama %}")
    para(container, "{{ kop.nama }}", bold=True, size=16, align=CENTER)
    tag(container, "{%p endif %}")
    tag(container, "{%p if kop.kontak %}")
    para(container, "{{ kop.kontak }}", size=10, align=CENTER)
    tag(container, "{%p endif %}")


def kop(doc) -> None:
    """The Garuda centred on top of a regional head's PK (when supplied); then the letterhead:
    with a logo, a borderless row [logo | text centred in the rest of the width] (a long agency
    name keeps the width it needs); without one, the text alone, centred on the page."""
    tag(doc, "{%p if garuda %}")
    para(doc, "{{ garuda }}", align=CENTER, after=4)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if kop_logo %}")
    row = table(doc, [LOGO_COLUMN_MM, 170 - LOGO_COLUMN_MM], rows=1, grid=False)
    row_flag(row.rows[0], "w:cantSplit")
    logo_cell, text_cell = row.rows[0].cells
    logo_cell.vertical_alignment = text_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    write(logo_cell, "{{ kop_logo }}", align=LEFT)
    kop_lines(text_cell)
    text_cell._tc.remove(text_cell.paragraphs[0]._p)
    tag(doc, "{%p else %}")
    kop_lines(doc)
    tag(doc, "{%p endif %}")
    bottom_border(para(doc, "", size=4))


def party_table(doc, who: str) -> None:
    """Nama / NIP / Pangkat / Jabatan; the NIP and rank rows vanish for elected officials."""
    lines = [
        ("Nama", f"{{{{ {who}.nama }}}}"),
        (f"{{%tr if {who}.nip %}}", None),
        ("NIP", f"{{{{ {who}.nip }}}}"),
        ("{%tr endif %}", None),
        (f"{{%tr if {who}.pangkat %}}", None),
        ("Pangkat/Golongan", f"{{{{ {who}.pangkat }}}}"),
        ("{%tr endif %}", None),
        ("Jabatan", f"{{{{ {who}.jabatan }}}}"),
    ]
    t = table(doc, [40, 5, 125], rows=len(lines), grid=False)
    for row, (label, value) in zip(t.rows, lines, strict=True):
        write(row.cells[0], label)
        if value is not None:
            write(row.cells[1], ":")
            write(row.cells[2], value)


def signature_cells(rows, role: str, who: str, column: int, guard: str | None = None) -> None:
    """One signatory down a column of the signature grid: role label, position, then signing
    space, name, rank and NIP. Rank and NIP paragraphs stay (empty) for elected officials so
    both names line up. ``guard``: a condition every text of the column is printed under."""
    def when(text: str) -> str:
        return f"{{% if {guard} %}}{text}{{% endif %}}" if guard else text

    if role:
        write(rows["role"].cells[column], when(role), align=CENTER)
    position = rows["jabatan"].cells[column]
    position.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    write(position, when(f"{{{{ {who}.jabatan }}}}"), align=CENTER)
    bottom = rows["sign"].cells[column]
    stamp_room(bottom, when(f"{{{{ anchor_{who} }}}}"))
    cell_para(bottom, when(f"{{{{ {who}.nama }}}}"), bold=True, underline=True, align=CENTER)
    cell_para(bottom, when(f"{{{{ {who}.pangkat }}}}"), align=CENTER)
    cell_para(bottom, f"{{% if {guard or 'true'} and {who}.nip %}}NIP. {{{{ {who}.nip }}}}{{% endif %}}",
              align=CENTER)


def stamp_room(cell, anchor: str) -> None:
    """The signing space: an invisible anchor text (white, 1 pt) a TTE client finds and stamps
    at, on a paragraph of fixed height that reserves room for the stamp or a wet signature."""
    p = cell_para(cell, "", align=CENTER)
    run = p.add_run(anchor)
    run.font.size = Pt(1)
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(2)
    fmt.space_after = Mm(STAMP_ROOM_MM)


def verification_note(container, qr: str = "{{ qr_verifikasi }}", size: int = 9) -> None:
    """QR code pointing at the public verification page, with the document's id and the URL."""
    t = table(container, [30, 140], rows=1, grid=False)
    row_flag(t.rows[0], "w:cantSplit")
    qr_cell, text_cell = t.rows[0].cells
    qr_cell.vertical_alignment = text_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    write(qr_cell, qr, align=CENTER)
    cell_para(text_cell, "")
    lines = ["Dokumen ini diterbitkan oleh layanan dokumen SAKIP. Pindai QR code atau buka alamat di bawah "
             "untuk memeriksa keasliannya.", "ID dokumen: {{ dokumen_id }}", "{{ verifikasi_url }}"]
    for line in lines:
        p = para(text_cell, line, size=size)
        p.paragraph_format.keep_with_next = True
    text_cell._tc.remove(text_cell.paragraphs[0]._p)


def footer(doc) -> None:
    """Every page: a small QR code and the document's id and verification address."""
    section = doc.sections[0]
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    foot = section.footer
    foot.is_linked_to_previous = False
    identity_footer(foot, first=foot.paragraphs[0])


def identity_footer(foot, first=None) -> None:
    """The id block of a footer: QR code, "ID dokumen ...", "Verifikasi: URL", shown only when
    the document has an id. ``first``: an empty paragraph of the footer to hold the opening tag."""
    opening = first if first is not None else foot.add_paragraph()
    opening.text = "{%p if dokumen_id %}"
    t = foot.add_table(rows=1, cols=2, width=Mm(170))
    no_borders(t)
    t.autofit = False
    for col, width in zip(t._tbl.tblGrid.gridCol_lst, (18, 152), strict=True):
        col.w = Mm(width)
    qr_cell, text_cell = t.rows[0].cells
    qr_cell.width, text_cell.width = Mm(18), Mm(152)
    qr_cell.vertical_alignment = text_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    write(qr_cell, "{{ qr_kaki }}", align=LEFT)
    write(text_cell, "ID dokumen {{ dokumen_id }}", size=7)
    para(text_cell, "Verifikasi: {{ verifikasi_url }}", size=7)
    foot.add_paragraph("{%p endif %}")


def keep_row_with_next(row) -> None:
    """Every paragraph of ``row`` keeps with the next: the row stays on the page of what follows
    (Word's way of keeping table rows together; LibreOffice imports it as the same)."""
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def signature_table(doc, left: tuple[str, str] | None, right: tuple[str, str]) -> None:
    """A grid, row by row: the place and date (above the right column only), both role labels
    on one row, both positions (top-aligned, so a longer one pushes nothing but the row), then
    signing space, name, rank and NIP. No row can split and each keeps with the next, so the
    block never breaks across pages in Word or LibreOffice. (Not a nested table: docxtpl's
    table fix-up, which nested tables force on every render, costs a quarter of a batch
    item's time.)"""
    names = ["date"] + (["role"] if right[0] or (left and left[0]) else []) + ["jabatan", "sign"]
    grid = table(doc, [85, 85], rows=len(names), grid=False)
    rows = dict(zip(names, grid.rows, strict=True))
    for row in grid.rows:
        row_flag(row, "w:cantSplit")
    write(rows["date"].cells[1], "{{ tempat_tanggal }}", align=CENTER)
    if left is not None:
        signature_cells(rows, *left, column=0)
    signature_cells(rows, *right, column=1)
    for row in grid.rows[:-1]:
        keep_row_with_next(row)


def signature_block(doc) -> None:
    """Superior on the left, first party on the right; a single signer stands on the right."""
    para(doc, "", after=6, keep_next=True)
    tag(doc, "{%p if satu_penandatangan %}")
    signature_table(doc, None, ("", "pihak_pertama"))
    tag(doc, "{%p else %}")
    signature_table(doc, ("PIHAK KEDUA,", "pihak_kedua"), ("PIHAK PERTAMA,", "pihak_pertama"))
    tag(doc, "{%p endif %}")


def amendment(doc) -> None:
    """Under a PK Perubahan's title: which PK it amends, and why."""
    tag(doc, "{%p if pk_awal %}")
    para(doc, "Perubahan atas Perjanjian Kinerja Nomor {{ pk_awal.nomor }} tanggal {{ pk_awal.tanggal }}",
          align=CENTER, after=6)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if alasan_perubahan %}")
    para(doc, "Alasan perubahan: {{ alasan_perubahan }}", align=JUSTIFY, after=12)
    tag(doc, "{%p endif %}")


def statement(doc) -> None:
    kop(doc)
    para(doc, "{{ judul }}", bold=True, align=CENTER, before=12, after=12)
    amendment(doc)
    para(doc, "Dalam rangka mewujudkan manajemen pemerintahan yang efektif, transparan, dan akuntabel "
              "serta berorientasi pada hasil, {% if not satu_penandatangan %}kami {% endif %}"
              "yang bertanda tangan di bawah ini:", align=JUSTIFY, after=6)
    party_table(doc, "pihak_pertama")
    tag(doc, "{%p if not satu_penandatangan %}")
    para(doc, "selanjutnya disebut pihak pertama.", before=6, after=6)
    party_table(doc, "pihak_kedua")
    para(doc, "selaku atasan pihak pertama, selanjutnya disebut pihak kedua.", before=6, after=6)
    para(doc, "Pihak pertama berjanji akan mewujudkan target kinerja yang seharusnya sesuai lampiran "
              "perjanjian ini, dalam rangka mencapai target kinerja jangka menengah seperti yang telah "
              "ditetapkan dalam dokumen perencanaan. Keberhasilan dan kegagalan pencapaian target kinerja "
              "tersebut menjadi tanggung jawab kami.", align=JUSTIFY, after=6)
    para(doc, "Pihak kedua akan melakukan supervisi yang diperlukan serta akan melakukan evaluasi terhadap "
              "capaian kinerja dari perjanjian ini dan mengambil tindakan yang diperlukan dalam rangka "
              "pemberian penghargaan dan sanksi.", align=JUSTIFY, after=6, keep_next=True)
    tag(doc, "{%p else %}")
    para(doc, "berjanji akan mewujudkan target kinerja tahunan sesuai lampiran perjanjian ini dalam rangka "
              "mencapai target kinerja jangka menengah seperti yang telah ditetapkan dalam dokumen "
              "perencanaan. Keberhasilan dan kegagalan pencapaian target kinerja tersebut menjadi "
              "tanggung jawab saya.", align=JUSTIFY, before=6, after=6, keep_next=True)
    tag(doc, "{%p endif %}")
    signature_block(doc)
    # The verification note keeps with the signatures: when they don't fit on the first page
    # together, they move on together (a page holding only the note would be sent back).
    for signatures in doc.tables[-2:]:
        keep_row_with_next(signatures.rows[-1])
    tag(doc, "{%p if dokumen_id %}")  # offline renders have no id, so nothing to verify
    para(doc, "", after=12, keep_next=True)
    verification_note(doc)
    tag(doc, "{%p endif %}")


def header_rows(t, labels: list[str], size: int | None = None) -> None:
    for cell, label in zip(t.rows[0].cells, labels, strict=True):
        write(cell, label, bold=True, align=CENTER, size=size, valign=WD_CELL_VERTICAL_ALIGNMENT.CENTER)
    for number, cell in enumerate(t.rows[1].cells, start=1):
        write(cell, f"({number})", align=CENTER, size=9)
    for row in t.rows[:2]:
        row_flag(row, "w:tblHeader")


def cell_borders(cell, **sides: str) -> None:
    """Borders of one cell, e.g. ``bottom="single"`` or ``top="nil"``."""
    tcpr = cell._tc.get_or_add_tcPr()
    borders = tcpr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tcpr.append(borders)
    for side in ("top", "left", "bottom", "right"):
        if side in sides:
            element = OxmlElement(f"w:{side}")
            element.set(qn("w:val"), sides[side])
            if sides[side] != "nil":
                element.set(qn("w:sz"), "4")
                element.set(qn("w:space"), "0")
                element.set(qn("w:color"), "000000")
            borders.append(element)


def closing_rows(t, first: int, left_span: int, condition: str) -> None:
    """Rows ``first``..``first + 7``: the signature block as the table's own last rows, printed
    when ``condition`` holds (this is the lampiran's last table). Rows that keep with the next
    are moved together when a page breaks inside a table, in Word and in LibreOffice, so the
    last data row (kept with the next) and the block always share a page; a table's end and a
    separate table after it are not kept together by LibreOffice. Cells merged into two halves,
    without borders."""
    columns = len(t.columns)
    write(t.rows[first].cells[0], f"{{%tr if {condition} %}}")
    write(t.rows[first + 2].cells[0], "{%tr if not satu_penandatangan %}")
    write(t.rows[first + 4].cells[0], "{%tr endif %}")
    write(t.rows[first + 7].cells[0], "{%tr endif %}")
    names = {"date": first + 1, "role": first + 3, "jabatan": first + 5, "sign": first + 6}
    rows = {}
    for name, index in names.items():
        row = t.rows[index]
        left = row.cells[0].merge(row.cells[left_span - 1]) if left_span > 1 else row.cells[0]
        right = row.cells[left_span].merge(row.cells[columns - 1]) if columns - left_span > 1 \
            else row.cells[left_span]
        for cell in (left, right):
            cell_borders(cell, top="nil", left="nil", bottom="nil", right="nil")
        row_flag(row, "w:cantSplit")
        rows[name] = row
    date = write(rows["date"].cells[left_span], "{{ tempat_tanggal }}", align=CENTER)
    date.paragraph_format.space_before = Pt(12)
    signature_cells(rows, "PIHAK KEDUA,", "pihak_kedua", 0, guard="pihak_kedua")
    signature_cells(rows, "PIHAK PERTAMA,", "pihak_pertama", left_span)
    for name in ("date", "role", "jabatan"):
        keep_row_with_next(rows[name])


def keep_variant(t, first: int, condition: str, fill) -> None:
    """Rows ``first``..``first + 4``: the data row twice, under ``{%tr if condition %}``. The first
    copy, for the table's last row, keeps with what follows (the signature block), as Word reads
    a row's keep-with-next; the second is the plain row."""
    write(t.rows[first].cells[0], f"{{%tr if {condition} %}}")
    for row in (t.rows[first + 1], t.rows[first + 3]):
        fill(row)
        row_flag(row, "w:cantSplit")
    keep_row_with_next(t.rows[first + 1])
    for cell in t.rows[first + 1].cells:  # the block below it has no borders of its own
        cell_borders(cell, bottom="single")
    write(t.rows[first + 2].cells[0], "{%tr else %}")
    write(t.rows[first + 4].cells[0], "{%tr endif %}")


def narrow_padding(t, twips: int = 57) -> None:
    """Cell padding of 1 mm left and right (the default is 1.9 mm): eight columns of figures
    need the room."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(twips))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    t._tbl.tblPr.append(margins)


def autofit(t) -> None:
    """Word's "automatically resize to fit contents": Word sizes the columns itself on open;
    for the PDF, workers/columns.py sets the grid from the rendered content the same way, so
    no figure, unit or word of the data breaks inside a cell."""
    layout = t._tbl.tblPr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        t._tbl.tblPr.append(layout)
    layout.set(qn("w:type"), "autofit")


def performance_table(doc) -> None:
    widths = [10, 48, 63, 24, 25]  # Satuan fits "Kejadian" on one line
    t = table(doc, widths, rows=19)
    autofit(t)
    header_rows(t, ["No", "Sasaran", "Indikator Kinerja", "Satuan", "Target"])
    write(t.rows[2].cells[0], "{%tr for s in sasaran %}")
    write(t.rows[3].cells[0], "{%tr for i in s.indikator %}")

    def fill(row) -> None:
        body = row.cells
        write(body[0], "{{ s.no }}{% vm %}", align=CENTER)
        write(body[1], "{{ s.uraian }}{% vm %}")
        write(body[2], "{{ i.uraian }}")
        write(body[3], "{{ i.satuan }}", align=CENTER)
        write(body[4], "{{ i.target }}", align=CENTER)

    keep_variant(t, 4, "i.akhir and tabel_akhir == 'sasaran'", fill)
    write(t.rows[9].cells[0], "{%tr endfor %}")
    write(t.rows[10].cells[0], "{%tr endfor %}")
    closing_rows(t, 11, 2, "tabel_akhir == 'sasaran'")


def budget_table(doc) -> None:
    """Groups in bold with their subtotal, their lines numbered 1.1, 1.2...; a JUMLAH row."""
    widths = [12, 78, 50, 30]
    tag(doc, "{%p if anggaran %}")
    para(doc, "", after=6)
    t = table(doc, widths, rows=22)
    autofit(t)
    header_rows(t, ["No", "{{ anggaran_label }}", "Anggaran (Rp)", "Keterangan"])
    for index, text in ((2, "{%tr for r in anggaran %}"), (3, "{%tr if r.grup %}"), (5, "{%tr else %}"),
                        (7, "{%tr endif %}"), (8, "{%tr endfor %}")):
        write(t.rows[index].cells[0], text)
    for row, bold in ((t.rows[4], True), (t.rows[6], False)):
        write(row.cells[0], "{{ r.no }}", bold=bold, align=CENTER)
        write(row.cells[1], "{{ r.uraian }}", bold=bold)
        write(row.cells[2], "{{ r.jumlah }}", bold=bold, align=RIGHT)
        write(row.cells[3], "{{ r.keterangan }}", bold=bold, align=CENTER)
        row_flag(row, "w:cantSplit")

    def fill(total) -> None:
        write(total.cells[0].merge(total.cells[1]), "JUMLAH", bold=True, align=CENTER)
        write(total.cells[2], "{{ anggaran_total }}", bold=True, align=RIGHT)

    keep_variant(t, 9, "tabel_akhir == 'anggaran'", fill)
    closing_rows(t, 14, 2, "tabel_akhir == 'anggaran'")
    tag(doc, "{%p endif %}")


def action_plan_table(doc) -> None:
    widths = [9, 45, 17, 23, 19, 19, 19, 19]
    tag(doc, "{%p if rencana_aksi %}")
    para(doc, "RENCANA AKSI", bold=True, align=CENTER, before=12, after=6, keep_next=True)
    t = table(doc, widths, rows=17)
    autofit(t)
    narrow_padding(t)
    header_rows(t, ["No", "Indikator Kinerja", "Satuan", "Target Tahunan", "TW I", "TW II", "TW III", "TW IV"], size=11)
    write(t.rows[2].cells[0], "{%tr for a in rencana_aksi %}")

    def fill(row) -> None:
        cells = row.cells
        write(cells[0], "{{ a.no }}", align=CENTER, size=11)
        write(cells[1], "{{ a.indikator }}", size=11)
        write(cells[2], "{{ a.satuan }}", align=CENTER, size=11)
        write(cells[3], "{{ a.target }}", align=CENTER, size=11)
        for quarter in range(4):
            write(cells[4 + quarter], f"{{{{ a.tw[{quarter}] }}}}", align=CENTER, size=11)

    keep_variant(t, 3, "loop.last", fill)
    write(t.rows[8].cells[0], "{%tr endfor %}")
    closing_rows(t, 9, 4, "tabel_akhir == 'rencana_aksi'")
    tag(doc, "{%p endif %}")


def attachment(doc) -> None:
    page_break = para(doc)
    page_break.add_run().add_break(WD_BREAK.PAGE)
    para(doc, "LAMPIRAN", bold=True, align=CENTER)
    para(doc, "{{ judul }}", bold=True, align=CENTER)
    para(doc, "{{ jabatan_judul }}", bold=True, align=CENTER, after=12)
    performance_table(doc)
    budget_table(doc)
    action_plan_table(doc)  # the last table ends with the signature block


def build(path: Path = OUTPUT) -> Path:
    doc = Document()
    setup(doc)
    footer(doc)
    statement(doc)
    attachment(doc)
    return save(doc, path, "Perjanjian Kinerja")


def save(doc: Any, path: Path, title: str) -> Path:
    """Write a shipped template, its title and language (id-ID) in the document's properties."""
    doc.core_properties.title = title
    doc.core_properties.language = "id-ID"
    doc.save(path)
    return path


if __name__ == "__main__":
    print(build())
