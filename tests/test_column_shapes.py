"""workers/columns.py fits a table whose shape it has seen (the same XML but for its texts) without
lxml: the widths and the XML are what the long way (parse, measure, write) makes."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from tests.test_columns import _document, _grid
from workers import columns
from workers.columns import fit_columns

TEXTS = [
    ["Persentase penyelesaian dokumen perencanaan", "1.250.000", "Informatif"],
    ["Indeks", "88,5", "Sangat baik sekali"],
    ["Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "19700315 199503 1 002", "Kepala Dinas"],
    ["Supercalifragilisticexpialidocious-Panjangsekali/berikutnya", "1", "2"],
    ["  spasi di tepi  ", "", "Ma'rifah"],
    ["Kebudayaan &amp; Pariwisata", "&lt;Sumut&gt;", "a"],  # entities: fitted the long way
]


def _long_way(xml: bytes) -> tuple[list[int], list[str], list[str]]:
    root = etree.fromstring(xml)
    columns._fit_tables(root, columns._text_width_twips(root))
    written = etree.tostring(root)
    return (_grid(written), re.findall(r'<w:tcW w:type="dxa" w:w="(\d+)"', written.decode()),
            [t.text or "" for t in root.iter(columns._T)])


@pytest.mark.parametrize("widths", [[6000, 700, 700], [2000, 2000, 5000]])
def test_tables_of_one_shape_fit_as_the_long_way_fits_them(widths):
    columns._fitted_table.cache_clear()
    columns._shapes.clear()
    for cells in TEXTS * 2:
        source = _document("autofit", widths, cells)
        fitted = fit_columns(source)
        root = etree.fromstring(fitted)
        expected = _long_way(source)
        assert (_grid(fitted), re.findall(r'<w:tcW w:type="dxa" w:w="(\d+)"', fitted.decode()),
                [t.text or "" for t in root.iter(columns._T)]) == expected
    assert any(shape is not None for shape in columns._shapes.values())  # the shape was used


def test_a_table_written_from_its_shape_is_byte_for_byte_the_long_ways():
    for cells in TEXTS:
        columns._fitted_table.cache_clear()
        columns._shapes.clear()
        fit_columns(_document("autofit", [6000, 700, 700], ["x", "1", "y"]))  # the shape, learned
        from_shape = fit_columns(_document("autofit", [6000, 700, 700], cells))
        columns._fitted_table.cache_clear()
        columns._shapes.clear()
        assert from_shape == fit_columns(_document("autofit", [6000, 700, 700], cells))  # the long way
