"""The message table: every code the service raises has its Indonesian and English sentence,
with the same placeholders; no validator text reaches a user."""

from __future__ import annotations

import re
import string

import pytest

from config.settings import REPO_ROOT
from sakip.envelope import parse_document_request
from sakip.errors import InvalidPayload
from sakip.messages import GENERIC, MESSAGES, message
from tests.conftest import example
from tests.payloads import with_value

_RAISED = re.compile(r"""(?:ReadError|QualityWarning)\(\s*"([a-z_]+)"|FieldError\([^,]+,\s*"([a-z_]+)"|"""
                     r"""FieldProblem\([^,]+,\s*"([a-z_]+)"|\.fail\([^,]+,[^,]+,\s*"([a-z_]+)\"""")


def _codes_in_sources() -> set[str]:
    codes = set()
    for folder in ("sakip", "doctypes", "service", "workers"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            for match in _RAISED.finditer(path.read_text(encoding="utf-8")):
                codes.add(next(g for g in match.groups() if g))
    return codes


def test_every_code_raised_in_the_code_is_in_the_table():
    codes = _codes_in_sources()
    assert {"angka_ambigu", "nip_angka", "wajib_untuk_tingkat", "ref_tidak_dikenal", "anggaran_sen"} <= codes
    assert codes - set(MESSAGES) == set()


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_both_languages_take_the_same_parameters(code):
    indonesian, english = MESSAGES[code]
    fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (indonesian, english)]
    assert fields[0] == fields[1]
    assert indonesian != english or code in ("versi_template",)


def test_a_type_the_table_does_not_know_gets_the_generic_sentence():
    assert message(GENERIC) == "nilai tidak valid"
    assert message(GENERIC, lang="en") == "is not valid"
    assert message("missing", lang="en") == "is required"


@pytest.mark.parametrize(("path", "value"), [
    ("data.tahun", "dua ribu"), ("data.tahun", 2026.5), ("data.sasaran", {"a": 1}), ("data.instansi", "x"),
    ("data.sasaran.0.indikator.0.triwulan", [1, 2, 3, 4, 5]), ("data.pihak_pertama.nama", "x" * 2001),
    ("data.jenis", None), ("data.sasaran.0.indikator.0.polaritas", 5),
])
def test_no_validator_text_reaches_a_user(path, value):
    with pytest.raises(InvalidPayload) as caught:
        parse_document_request(with_value(example("pk-jpt"), path, value))
    for problem in caught.value.problems:
        assert problem.code in MESSAGES, problem
        for lang in ("id", "en"):
            text = problem.message(lang)
            assert "Input should" not in text and "Value error" not in text and "{" not in text, text


def test_http_answers_speak_the_clients_language(client):
    missing = client.get("/api/v1/documents/nope").get_json()
    assert (missing["title"], missing["detail"]) == ("Tidak ditemukan", "Tidak ada dokumen dengan id 'nope'.")
    english = client.get("/api/v1/documents/nope", headers={"Accept-Language": "en"}).get_json()
    assert (english["title"], english["detail"]) == ("Not Found", "No document with id 'nope'.")
    wrong_type = client.post("/api/v1/documents", data="x", content_type="text/plain")
    assert wrong_type.status_code == 415
    assert wrong_type.get_json()["detail"] == "Kirim permintaan sebagai application/json."
    nowhere = client.get("/api/v1/nowhere")
    assert nowhere.status_code == 404 and nowhere.get_json()["detail"] == "Alamat ini tidak ada."
