"""workers/columns.py: autofit tables get columns that hold their longest word or figure."""

from __future__ import annotations

import re

from workers.columns import fit_columns, text_width_pt

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _document(layout: str, widths: list[int], cells: list[str], page_width: int = 12189) -> bytes:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    row = "".join(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/></w:tcPr><w:p><w:r><w:rPr><w:sz w:val="22"/>'
                  f'</w:rPr><w:t>{text}</w:t></w:r></w:p></w:tc>' for w, text in zip(widths, cells, strict=True))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>'
            f'<w:tbl><w:tblPr><w:tblLayout w:type="{layout}"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
            f'<w:tr>{row}</w:tr></w:tbl><w:sectPr><w:pgSz w:w="{page_width}" w:h="18709"/>'
            '<w:pgMar w:left="1417" w:right="1134"/></w:sectPr></w:body></w:document>').encode()


def _grid(xml: bytes) -> list[int]:
    return [int(w) for w in re.findall(rb'<w:gridCol w:w="(\d+)"', xml)]


def test_a_narrow_column_gets_the_width_of_its_figure_from_the_long_text():
    cells = ["Persentase penyelesaian dokumen perencanaan dan pelaporan kinerja", "1.250.000", "Informatif"]
    xml = fit_columns(_document("autofit", [6000, 700, 700], cells))
    grid = _grid(xml)
    assert sum(grid) == 7400  # the table keeps its width
    for width, text in zip(grid[1:], cells[1:], strict=True):
        assert width >= text_width_pt(text, 11) * 20 + 216  # text plus the cell's padding
    assert grid[0] < 6000
    assert b'w:type="fixed"' in xml  # LibreOffice takes the widths as they are
    assert re.findall(rb'<w:tcW w:type="dxa" w:w="(\d+)"', xml) == [str(w).encode() for w in grid]


def test_a_table_wider_than_the_page_is_brought_inside_the_margins():
    xml = fit_columns(_document("autofit", [5000, 3000, 3000], ["a", "b", "c"], page_width=11906))
    assert sum(_grid(xml)) == 11906 - 1417 - 1134


def test_fixed_tables_are_left_as_the_template_made_them():
    source = _document("fixed", [6000, 700, 700], ["x", "1.250.000", "Informatif"])
    assert fit_columns(source) == source
