"""The LKjIP arithmetic as a reader checks it: capaian per formula, the edge-case rules,
predicates at the band edges, averages, budget; plus properties that must hold for any data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sakip.capaian import average, cap, capaian, capaian_of, efficiency, round2, serapan
from sakip.formatting import format_persen, format_rupiah
from sakip.scales import DEFAULT_SCALE, SCALES, VALUE_MAPPINGS, map_text_values

D = Decimal
SCALE = SCALES[DEFAULT_SCALE]


@pytest.mark.parametrize(("target", "realisasi", "polaritas", "metode", "printed"), [
    ("80", "92", "positif", "A", "115,00%"),          # decimal, not 114,99
    ("88.5", "90.12", "positif", "A", "101,83%"),
    ("75", "61.9", "positif", "A", "82,53%"),
    ("3.2", "3.05", "positif", "A", "95,31%"),
    ("10", "12", "negatif", "A", "80,00%"),
    ("10", "12", "negatif", "B", "83,33%"),
    ("10", "25", "negatif", "A", "-50,00%"),           # printed raw, even below zero
    ("10", "25", "negatif", "B", "40,00%"),
    ("10", "8", "negatif", "A", "120,00%"),
    ("10", "8", "negatif", "B", "125,00%"),
])
def test_capaian_as_printed(target, realisasi, polaritas, metode, printed):
    assert format_persen(capaian(D(target), D(realisasi), polaritas, metode)) == printed


def test_target_zero_is_met_only_by_zero():
    assert capaian(D(0), D(0), "positif") == D(100)
    assert capaian(D(0), D(0), "negatif", "B") == D(100)
    assert capaian(D(0), D(3), "positif") is None
    assert capaian(D(0), D(3), "negatif", "A") is None


def test_realisasi_zero_on_a_negative_indicator():
    assert format_persen(capaian(D(10), D(0), "negatif", "A")) == "200,00%"  # the formula is defined
    assert format_persen(capaian(D(10), D(0), "negatif", "B")) == "100,00%"  # pinned: no division by zero


def test_negative_target_is_not_computable():
    assert capaian(D(-2), D(1), "positif") is None


def test_text_values_go_through_the_value_mapping():
    result = capaian_of("WTP", "WDP", "positif", "A", VALUE_MAPPINGS)
    assert format_persen(result.nilai) == "75,00%"  # WDP=3 of WTP=4
    assert capaian_of("wtp", " WTP ", "positif", "A", VALUE_MAPPINGS).nilai == D(100)
    assert capaian_of("BB", "A", "positif", "A", VALUE_MAPPINGS).nilai == D("120.00")  # SAKIP grades
    assert capaian_of("Baik", "Baik", "positif", "A", VALUE_MAPPINGS).nilai is None
    assert capaian_of("WTP", "AA", "positif", "A", VALUE_MAPPINGS).nilai is None  # no table knows both


def test_a_documents_own_mapping_is_used():
    mappings = {"kategori": {"Baik": D(3), "Cukup": D(2)}, **VALUE_MAPPINGS}
    assert format_persen(capaian_of("Baik", "Cukup", "positif", "A", mappings).nilai) == "66,67%"


@pytest.mark.parametrize(("value", "word"), [
    ("91", "Sangat Tinggi"), ("90.99", "Tinggi"), ("90.5", "Tinggi"), ("76", "Tinggi"), ("75.99", "Sedang"),
    ("66", "Sedang"), ("65.5", "Rendah"), ("51", "Rendah"), ("50.99", "Sangat Rendah"), ("-50", "Sangat Rendah"),
    ("115", "Sangat Tinggi"),
])
def test_predicate_bands_are_half_open(value, word):
    assert SCALE.predicate(D(value)) == word


def test_another_scale_is_a_table_not_code():
    scale = SCALES["empat_kategori"]
    assert [scale.predicate(D(v)) for v in ("85", "84.99", "55", "10")] == [
        "Sangat Berhasil", "Berhasil", "Cukup Berhasil", "Tidak Berhasil"]
    assert SCALE.ranges()[1] == ("76 ≤ x < 91", "Tinggi")


def test_averages_use_capped_values():
    values = [D("101.83"), D("82.53"), D("-50"), D("95.31")]
    assert [cap(v) for v in values] == [D(100), D("82.53"), D(0), D("95.31")]
    assert format_persen(average(cap(v) for v in values)) == "69,46%"
    assert average([]) is None
    assert cap(D("130"), None) == D(130)


def test_budget_absorption_remaining_and_efficiency():
    assert format_persen(serapan(D(4250000000), D(4012345678))) == "94,41%"
    assert serapan(D(0), D(0)) is None
    assert format_rupiah(D(4250000000) - D(4012345678)) == "Rp 237.654.322"
    assert efficiency(D("89.46"), D("93.75")) == D("-4.29")


# --- properties -------------------------------------------------------------------------

positive = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2, allow_nan=False, allow_infinity=False)
anything = st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=2,
                       allow_nan=False, allow_infinity=False)


@given(positive, anything, anything)
def test_capaian_rises_with_realisasi_for_positive_indicators(target, r1, r2):
    low, high = sorted((r1, r2))
    assert capaian(target, low, "positif") <= capaian(target, high, "positif")


@given(positive, anything, anything)
def test_capaian_falls_with_realisasi_for_negative_indicators_method_a(target, r1, r2):
    low, high = sorted((r1, r2))
    assert capaian(target, low, "negatif", "A") >= capaian(target, high, "negatif", "A")


@given(positive, positive, positive)
def test_capaian_falls_with_realisasi_for_negative_indicators_method_b(target, r1, r2):
    low, high = sorted((r1, r2))
    assert capaian(target, low, "negatif", "B") >= capaian(target, high, "negatif", "B")


@given(positive, st.decimals(min_value=D(0), max_value=D("1000000"), places=2), positive)
def test_capped_method_b_still_falls_when_realisasi_is_zero(target, r1, r2):
    # The 100% pin at realisasi 0 is below t/r for tiny r; capped at 100 the order holds.
    low, high = sorted((r1, r2))
    assert cap(capaian(target, low, "negatif", "B")) >= cap(capaian(target, high, "negatif", "B"))


@given(st.decimals(min_value=D("-1000"), max_value=D("1000"), places=2))
def test_every_value_falls_in_exactly_one_band(value):
    matches = [b for b in SCALE.bands
               if (b.lower is None or value >= b.lower)
               and all(value < higher.lower for higher in SCALE.bands[: SCALE.bands.index(b)])]
    assert len(matches) == 1
    assert SCALE.predicate(value) == matches[0].label


@pytest.mark.parametrize("name", sorted(SCALES))
def test_band_edges_have_no_gaps(name):
    scale = SCALES[name]
    for higher, lower in zip(scale.bands, scale.bands[1:], strict=False):
        assert scale.predicate(higher.lower) == higher.label
        assert scale.predicate(higher.lower - D("0.01")) == lower.label


money = st.decimals(min_value=D(0), max_value=D("99999999999"), places=2)


@given(st.lists(st.tuples(money, money), min_size=1, max_size=30))
def test_budget_totals_equal_the_sum_of_lines(lines):
    from doctypes.lkjip.context import lkjip_context
    from doctypes.lkjip.model import LKjIPData
    from tests.conftest import example

    data = example("lkjip-opd")["data"]
    data["anggaran"] = [{"uraian": f"Program {n}", "pagu": max(a, b), "realisasi": min(a, b)}
                        for n, (a, b) in enumerate(lines)]
    budget = lkjip_context(LKjIPData.model_validate(data))["anggaran"]
    pagu = sum((max(a, b) for a, b in lines), D(0))
    realisasi = sum((min(a, b) for a, b in lines), D(0))
    def printed(value: Decimal) -> str:  # "Rp" joined to its figure by a no-break space
        return format_rupiah(value).replace(" ", "\u00a0")

    assert budget["pagu"] == printed(pagu)
    assert budget["realisasi"] == printed(realisasi)
    assert budget["sisa"] == printed(pagu - realisasi)
    assert [row["pagu"] for row in budget["baris"]] == [printed(max(a, b)) for a, b in lines]


def parse_persen(text: str) -> Decimal:
    """What a reader (or a spreadsheet import) reads back from "1.234,56%"."""
    return D(text.removesuffix("%").replace(".", "").replace(",", "."))


@given(st.decimals(min_value=D("-100000"), max_value=D("100000"), allow_nan=False, allow_infinity=False))
def test_printing_then_parsing_a_figure_gives_it_back(value):
    figure = round2(value)
    assert parse_persen(format_persen(figure)) == figure


def test_text_mapping_finds_a_table_that_knows_every_text():
    assert map_text_values([D(4), "WTP"], VALUE_MAPPINGS) == [D(4), D(4)]
    assert map_text_values(["?", D(1)], VALUE_MAPPINGS) is None
