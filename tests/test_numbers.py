"""The one parser of figures, dates and NIPs (sakip.numbers): every form an official writes,
every form it refuses, and, by property, that printing and reading agree."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sakip.errors import ReadError
from sakip.formatting import format_angka, format_rupiah, format_tanggal
from sakip.numbers import (
    MAX_FRACTION_DIGITS,
    MAX_WHOLE_DIGITS,
    read_angka,
    read_nilai,
    read_nip,
    read_rupiah,
    read_tanggal,
)


def _code(call, value) -> str:
    with pytest.raises(ReadError) as caught:
        call(value)
    return caught.value.code


# (value as sent, what it means: a Decimal, a text kept as text, or the code of the refusal)
NILAI_FORMS = [
    ("1.250", Decimal(1250)),
    ("1.250,5", Decimal("1250.5")),
    ("88,5", Decimal("88.5")),
    ("1.250.000", Decimal(1250000)),
    ("1.250.000,75", Decimal("1250000.75")),
    ("0,75", Decimal("0.75")),
    ("1,250", Decimal("1.25")),  # Indonesian: a comma is always the decimal mark
    ("-2,5", Decimal("-2.5")),
    (" 85 ", Decimal(85)),
    ("100", Decimal(100)),
    (1250, Decimal(1250)),
    (2.75, Decimal("2.75")),
    (Decimal("88.50"), Decimal("88.50")),
    ("1.25", "angka_ambigu"),
    ("1,250.50", "angka_ambigu"),
    ("1.2.3", "angka_ambigu"),
    ("0.5", "angka_ambigu"),
    ("0.500", "angka_ambigu"),
    ("1.2500", "angka_ambigu"),
    ("12.50.000", "angka_ambigu"),
    (",5", "angka_ambigu"),
    ("1,", "angka_ambigu"),
    ("1,2,3", "angka_ambigu"),
    ("007", "angka_ambigu"),
    ("WTP", "WTP"),
    ("A", "A"),
    ("Informatif", "Informatif"),
    ("88,5%", "88,5%"),  # a text: printed as typed, and warned about as a target that is not a number
    ("Rp 1.500.000", "Rp 1.500.000"),
    (1e30, "angka_terlalu_besar"),
    (10 ** 40, "angka_terlalu_besar"),
    ("1" + "0" * 40, "angka_terlalu_besar"),
    ("0,0000001", "angka_terlalu_banyak_desimal"),
    (True, "nilai_wajib"),
    (None, "nilai_wajib"),
]


@pytest.mark.parametrize(("value", "meaning"), NILAI_FORMS, ids=[repr(v) for v, _ in NILAI_FORMS])
def test_each_form_of_a_target_has_one_meaning(value, meaning):
    if isinstance(meaning, Decimal):
        assert read_nilai(value) == meaning
    elif re.fullmatch(r"[a-z_]+", meaning):
        assert _code(read_nilai, value) == meaning
    else:
        assert read_nilai(value) == meaning


RUPIAH_FORMS = [
    ("Rp 1.500.000", Decimal(1500000)),
    ("Rp1.500.000", Decimal(1500000)),
    ("Rp. 1.500.000,50", Decimal("1500000.50")),
    ("1.500", Decimal(1500)),
    ("4.250.000.000", Decimal(4250000000)),
    (4250000000, Decimal(4250000000)),
    ("1.50", "angka_ambigu"),
    ("Rp 1,500,000", "angka_ambigu"),
    ("Rp 1,5 juta", "rupiah_wajib"),
    ("banyak", "rupiah_wajib"),
]


@pytest.mark.parametrize(("value", "meaning"), RUPIAH_FORMS, ids=[repr(v) for v, _ in RUPIAH_FORMS])
def test_each_form_of_money_has_one_meaning(value, meaning):
    if isinstance(meaning, Decimal):
        assert read_rupiah(value) == meaning
    else:
        assert _code(read_rupiah, value) == meaning


def test_a_refusal_shows_how_to_write_the_figure():
    with pytest.raises(ReadError) as caught:
        read_angka("1,250.50")
    assert caught.value.params == {"nilai": "1,250.50", "contoh": "1.250,50"}
    with pytest.raises(ReadError) as caught:
        read_angka("1.25")
    assert caught.value.params["contoh"] == "1,25"


DATE_FORMS = [
    ("2026-01-05", dt.date(2026, 1, 5)),
    ("05/01/2026", dt.date(2026, 1, 5)),  # day first
    ("5/1/2026", dt.date(2026, 1, 5)),
    ("05-01-2026", dt.date(2026, 1, 5)),
    ("5 Januari 2026", dt.date(2026, 1, 5)),
    ("17 agustus 2026", dt.date(2026, 8, 17)),
    (dt.datetime(2026, 1, 5, 0, 0), dt.date(2026, 1, 5)),  # a real date cell
    (dt.date(2026, 1, 5), dt.date(2026, 1, 5)),
    ("01/13/2026", "tanggal_tidak_ada"),  # month first is never read
    ("31/02/2026", "tanggal_tidak_ada"),
    ("5 January 2026", "tanggal_bulan"),
    ("January 5, 2026", "tanggal_format"),
    ("2026/01/05", "tanggal_format"),
    (20260105, "tanggal_format"),
]


@pytest.mark.parametrize(("value", "meaning"), DATE_FORMS, ids=[repr(v) for v, _ in DATE_FORMS])
def test_each_form_of_a_date_has_one_meaning(value, meaning):
    if isinstance(meaning, dt.date):
        assert read_tanggal(value) == meaning
    else:
        assert _code(read_tanggal, value) == meaning


NIP_FORMS = [
    ("197003151995031002", "197003151995031002"),
    ("19700315 199503 1 002", "197003151995031002"),
    ("198204122006042011", "198204122006042011"),
    (198001012005011015, "nip_angka"),  # a JSON number
    (1.98001012005011e17, "nip_angka"),  # what Excel keeps of a NIP typed as a number
    ("12345", "nip_panjang"),
    ("19700315199503100A", "nip_panjang"),
    ("197013151995031002", "nip_tanggal_lahir"),  # month 13
    ("197002301995031002", "nip_tanggal_lahir"),  # 30 February
    ("197003151995131002", "nip_tmt"),  # appointment month 13
    ("197003151965031002", "nip_tmt"),  # appointed before birth
    ("197003151995033002", "nip_jenis_kelamin"),
    (None, "nip_teks"),
]


@pytest.mark.parametrize(("value", "meaning"), NIP_FORMS, ids=[repr(v) for v, _ in NIP_FORMS])
def test_each_form_of_a_nip(value, meaning):
    if meaning.isdigit():
        assert read_nip(value) == meaning
    else:
        assert _code(read_nip, value) == meaning


# --- properties: what the service prints, it reads back; what it accepts, it prints as meant

FIGURES = st.decimals(min_value=Decimal(-(10 ** MAX_WHOLE_DIGITS) + 1), max_value=Decimal(10 ** MAX_WHOLE_DIGITS - 1),
                      places=MAX_FRACTION_DIGITS, allow_nan=False, allow_infinity=False)
AMOUNTS = st.decimals(min_value=Decimal(0), max_value=Decimal("9999999999999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


@settings(max_examples=400, deadline=None)
@given(FIGURES)
def test_every_printed_figure_reads_back_to_the_same_decimal(value):
    printed = format_angka(value)
    assert read_angka(printed) == value
    assert read_nilai(printed) == value


@settings(max_examples=400, deadline=None)
@given(AMOUNTS)
def test_every_printed_amount_reads_back_to_the_same_decimal(value):
    assert read_rupiah(format_rupiah(value)) == value
    assert read_rupiah(format_rupiah(value).removeprefix("Rp ")) == value


@settings(max_examples=400, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_printed_date_reads_back(value):
    assert read_tanggal(format_tanggal(value)) == value
    assert read_tanggal(value.strftime("%d/%m/%Y")) == value


def _unseparated(text: str) -> str:
    """The figure's digits, its sign and decimal comma, without the thousands dots and without
    trailing zeros of the fraction: what a reader takes from it."""
    text = text.strip().lstrip("+")
    whole, _, fraction = text.partition(",")
    fraction = fraction.rstrip("0")
    whole = whole.replace(".", "")
    if whole.lstrip("-") == "0" and not fraction:
        whole = "0"
    return whole + ("," + fraction if fraction else "")


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="0123456789.,-+ ", min_size=1, max_size=14))
def test_every_accepted_string_prints_as_the_user_meant(text):
    try:
        value = read_angka(text)
    except ReadError:
        return
    printed = format_angka(value)
    assert _unseparated(printed) == _unseparated(text)
    # a figure written with thousands dots prints with the same dots
    if "." in text:
        assert printed.split(",")[0].lstrip("-") == text.strip().lstrip("+-").split(",")[0]
