"""Builds pohon_kinerja-v1.docx, the shipped Pohon Kinerja template, with python-docx, from the PK
builder's pieces (letterhead, tables, the footer with the document's id and QR code).

F4 landscape: a title page with the summary, one page per diagram (its title, the drawing, and
the positions it holds as text), then the Matriks Cascading and the alignment notes.

    python doctypes/pohon_kinerja/build_template.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm

from doctypes.pk import build_template as pk

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "pohon_kinerja-v1.docx"
MARGIN_MM = 15
TABLE_SIZE = 8
CENTER, LEFT = pk.CENTER, pk.LEFT
para, tag, write = pk.para, pk.tag, pk.write


def landscape(doc) -> None:
    """F4 landscape, narrow margins: the widest room for a diagram."""
    pk.setup(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(pk.PAGE_HEIGHT_MM), Mm(pk.PAGE_WIDTH_MM)
    for side in ("top", "bottom", "left", "right"):
        setattr(section, f"{side}_margin", Mm(MARGIN_MM))
    doc.styles["Normal"].font.size = pk.Pt(10)


def title_page(doc) -> None:
    pk.kop(doc)
    para(doc, "{{ judul }}", bold=True, size=16, align=CENTER, before=24)
    para(doc, "TAHUN {{ tahun }}", bold=True, size=14, align=CENTER, after=18)
    para(doc, "{{ ringkasan }}", align=CENTER, after=6)
    para(doc, "Setiap diagram memuat satu jabatan dan jabatan langsung di bawahnya; jabatan yang memiliki "
              "bawahan berlanjut pada diagram yang disebut di kotaknya. S1, S2 ...: sasaran; "
              "\u2192 S2 atasan: sasaran atasan yang didukung.", size=9, align=CENTER)


def diagrams(doc) -> None:
    tag(doc, "{%p for d in diagram %}")
    heading = para(doc, "{{ d.judul }}", bold=True, size=12, after=6)
    heading.paragraph_format.page_break_before = True
    heading.paragraph_format.keep_with_next = True
    para(doc, "{{ d.gambar }}", align=CENTER, keep_next=True)
    para(doc, "{{ d.keterangan }}", size=8, before=4)
    tag(doc, "{%p endfor %}")


def matrix(doc) -> None:
    heading = para(doc, "MATRIKS CASCADING", bold=True, size=12, align=CENTER, after=6)
    heading.paragraph_format.page_break_before = True
    widths = [10, 50, 62, 62, 26, 62, 28]
    t = pk.table(doc, widths, rows=4)
    labels = ["No", "Jabatan / Nama", "Sasaran", "Indikator Kinerja", "Target", "Mendukung Sasaran Atasan",
              "Atasan"]
    for cell, label in zip(t.rows[0].cells, labels, strict=True):
        write(cell, label, bold=True, align=CENTER, size=TABLE_SIZE)
    pk.row_flag(t.rows[0], "w:tblHeader")
    write(t.rows[1].cells[0], "{%tr for r in matriks %}")
    body = t.rows[2].cells
    write(body[0], "{{ r.no }}", align=CENTER, size=TABLE_SIZE)
    write(body[1], "{{ r.jabatan }}", bold=True, size=TABLE_SIZE)
    tag(body[1], "{%p if r.nama %}")  # rows after an official's first have no name: one line high
    para(body[1], "{{ r.nama }}", size=TABLE_SIZE)
    tag(body[1], "{%p endif %}")
    write(body[2], "{{ r.sasaran }}", size=TABLE_SIZE)
    write(body[3], "{{ r.indikator }}", size=TABLE_SIZE)
    write(body[4], "{{ r.target }}", align=CENTER, size=TABLE_SIZE)
    write(body[5], "{{ r.mendukung }}", size=TABLE_SIZE)
    write(body[6], "{{ r.atasan }}", size=TABLE_SIZE)
    write(t.rows[3].cells[0], "{%tr endfor %}")


def findings(doc) -> None:
    tag(doc, "{%p if temuan %}")
    para(doc, "CATATAN KESELARASAN", bold=True, size=12, before=12, after=6, keep_next=True)
    tag(doc, "{%p for f in temuan %}")
    para(doc, "\u2022 {{ f }}", size=9)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def build(path: Path = OUTPUT) -> Path:
    doc = Document()
    landscape(doc)
    pk.footer(doc)
    title_page(doc)
    diagrams(doc)
    matrix(doc)
    findings(doc)
    return pk.save(doc, path, "Pohon Kinerja")


if __name__ == "__main__":
    print(build())
