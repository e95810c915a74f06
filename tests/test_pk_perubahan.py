"""A PK Perubahan says which PK it amends (pk_awal) and why (alasan_perubahan), under its title."""

from __future__ import annotations

import pytest

from sakip.envelope import parse_document_request
from sakip.errors import InvalidPayload
from tests.conftest import example
from tests.docx_reading import full_text, open_docx

AMENDS = {"nomor": "800/415/PK/2026", "tanggal": "2026-01-05"}
"""An earlier PK made elsewhere (no document_id: an id must name a PK of ours, tests/test_pk_amendment_links.py)."""
WHY = "Perubahan APBD Tahun 2026: pagu Program Pemasaran Pariwisata berkurang."


def _perubahan() -> dict:
    body = example("pk-administrator")
    body["format"] = "docx"
    body["data"]["pk_awal"] = dict(AMENDS)
    body["data"]["alasan_perubahan"] = WHY
    return body


def test_printed_under_the_title(make_document):
    _, content = make_document(_perubahan())
    text = full_text(open_docx(content))
    assert ("PERJANJIAN KINERJA PERUBAHAN TAHUN 2026\n"
            "Perubahan atas Perjanjian Kinerja Nomor 800/415/PK/2026 tanggal 5 Januari 2026\n"
            f"Alasan perubahan: {WHY}\n") in text


def test_without_them_the_perubahan_is_printed_as_before(make_document):
    body = example("pk-administrator")
    body["format"] = "docx"
    _, content = make_document(body)
    text = full_text(open_docx(content))
    assert "Perubahan atas" not in text and "Alasan perubahan" not in text


@pytest.mark.parametrize(("field", "value"), [("pk_awal", AMENDS), ("alasan_perubahan", WHY)])
def test_a_pk_murni_amends_nothing(field, value):
    body = example("pk-jpt")
    body["data"][field] = value
    with pytest.raises(InvalidPayload) as caught:
        parse_document_request(body)
    problems = {p.loc: p.msg for p in caught.value.problems}
    assert list(problems) == [f"data.{field}"]
    assert "jenis perubahan" in problems[f"data.{field}"]


@pytest.mark.parametrize(("field", "value", "loc"), [
    ("document_id", "not-an-id", "data.pk_awal.document_id"),
    ("tanggal", "kemarin", "data.pk_awal.tanggal"),
    ("nomor", "", "data.pk_awal.nomor"),
])
def test_a_bad_pk_awal_names_its_field(field, value, loc):
    body = _perubahan()
    body["data"]["pk_awal"][field] = value
    with pytest.raises(InvalidPayload) as caught:
        parse_document_request(body)
    assert loc in {p.loc for p in caught.value.problems}
