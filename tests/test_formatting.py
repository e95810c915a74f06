"""Indonesian formatting, one case per rule of DOMAIN.md."""

import datetime as dt
from decimal import Decimal

import pytest

from sakip.filenames import name_without_titles
from sakip.formatting import format_angka, format_nip, format_persen, format_rupiah, format_tanggal


@pytest.mark.parametrize(("value", "expected"), [
    (dt.date(2026, 1, 5), "5 Januari 2026"),
    (dt.date(2026, 2, 20), "20 Februari 2026"),
    (dt.date(2026, 5, 1), "1 Mei 2026"),
    (dt.date(2026, 8, 17), "17 Agustus 2026"),
    (dt.date(2026, 12, 31), "31 Desember 2026"),
])
def test_dates_use_indonesian_month_names(value, expected):
    assert format_tanggal(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (2.75, "2,75"),
    (12.5, "12,5"),
    (1250, "1.250"),
    (85, "85"),
    (Decimal("85.0"), "85"),
    (Decimal("88.50"), "88,5"),
    (285000, "285.000"),
    (Decimal("1234567.891"), "1.234.567,891"),
    (0, "0"),
    (Decimal("-1500.5"), "-1.500,5"),
])
def test_numbers_print_as_given_with_dot_thousands_and_comma_decimals(value, expected):
    assert format_angka(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (4250000000, "Rp 4.250.000.000"),
    (Decimal("1250000.50"), "Rp 1.250.000,50"),
    (Decimal("310750000.5"), "Rp 310.750.000,50"),
    (0, "Rp 0"),
    (Decimal("999"), "Rp 999"),
])
def test_money(value, expected):
    assert format_rupiah(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal(92) / Decimal(80) * 100, "115,00%"),
    (Decimal("93.75"), "93,75%"),
    (Decimal("86.4159"), "86,42%"),
    (Decimal("80.005"), "80,01%"),
])
def test_percentages_have_two_decimals_rounded_half_up(value, expected):
    assert format_persen(value) == expected


def test_nip_is_grouped_8_6_1_3():
    assert format_nip("197003151995031002") == "19700315 199503 1 002"


@pytest.mark.parametrize(("name", "expected"), [
    ("Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "Rahmat Hidayat Lubis"),
    ("H. Tengku Amri Nasution, S.H.", "Tengku Amri Nasution"),
    ("Siti Ma'rifah Harahap, S.Sos., M.AP.", "Siti Ma'rifah Harahap"),
    ("Budi", "Budi"),
])
def test_file_names_drop_academic_titles(name, expected):
    assert name_without_titles(name) == expected
