"""An optional field the chosen template version does not print is never dropped silently: the
202 says so with a ``tidak_dicetak`` warning naming the field, ``"strict": true`` refuses it
(422), a batch item carries the warning in the batch's warnings, and the version that prints the
field raises nothing. Version 1 of the shipped PK has no place for the logo or the Garuda, version
1 of the LKjIP none for the organisation chart or the budget per objective."""

from __future__ import annotations

import copy

import pytest

from config.settings import Settings, get_settings
from service.app import create_app
from tests.conftest import example
from tests.pictures import as_base64, garuda_png, logo_png


def _pk(name: str = "pk-jpt", version: int | None = None, **extra) -> dict:
    body = copy.deepcopy(example(name))
    body["data"]["instansi"]["logo"] = {"data": as_base64(logo_png())}
    if version is not None:
        body["template_version"] = version
    body.update(extra)
    return body


def _unprinted(answer: dict) -> list[tuple[str, str]]:
    return [(w["loc"], w["msg"]) for w in answer.get("warnings") or [] if w["code"] == "tidak_dicetak"]


def test_a_logo_sent_to_the_pk_version_without_one_is_said_not_printed(client):
    response = client.post("/api/v1/documents", json=_pk(version=1))
    assert response.status_code == 202, response.get_json()
    [(loc, msg)] = _unprinted(response.get_json())
    assert loc == "data.instansi.logo"
    assert msg == ("templat Perjanjian Kinerja versi 1 tidak mencetak isian ini (tidak memakai variabel kop_logo); "
                   "pilih versi templat yang memuatnya, atau kosongkan isian ini")
    record = client.get(response.get_json()["links"]["self"]).get_json()
    assert [w["loc"] for w in record["warnings"] if w["code"] == "tidak_dicetak"] == ["data.instansi.logo"]


def test_the_active_version_prints_the_logo_and_says_nothing(client):
    response = client.post("/api/v1/documents", json=_pk())
    assert response.status_code == 202
    assert _unprinted(response.get_json()) == []


def test_the_garuda_too_and_in_english_on_request(client):
    body = _pk("pk-kepala-daerah", version=1)
    body["data"]["garuda"] = {"data": as_base64(garuda_png())}
    response = client.post("/api/v1/documents", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 202
    found = _unprinted(response.get_json())
    assert [loc for loc, _ in found] == ["data.instansi.logo", "data.garuda"]
    assert all("version 1 does not print this field" in msg for _, msg in found)


def test_strict_refuses_a_field_the_version_would_not_print(client):
    response = client.post("/api/v1/documents", json=_pk(version=1, strict=True))
    assert response.status_code == 422
    problem = response.get_json()
    assert [e["loc"] for e in problem["errors"]] == ["data.instansi.logo"]
    assert "tidak mencetak isian ini" in problem["errors"][0]["msg"]


def test_lkjip_v1_says_the_organisation_chart_and_the_budget_per_objective_are_not_printed(client):
    body = copy.deepcopy(example("lkjip-opd"))
    body["template_version"] = 1
    body["data"]["struktur_organisasi"] = {"unit": [{"nama": "Dinas"}, {"nama": "Sekretariat", "induk": "Dinas"}]}
    body["data"]["anggaran"][0]["sasaran"] = 1
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 202, response.get_json()
    assert [loc for loc, _ in _unprinted(response.get_json())] == ["data.struktur_organisasi.unit",
                                                                   "data.anggaran.sasaran"]
    del body["template_version"]  # version 2 prints both
    assert _unprinted(client.post("/api/v1/documents", json=body).get_json()) == []


@pytest.fixture
def batch_client(settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_MAX_BATCH_ITEMS", "50")
    get_settings.cache_clear()
    return create_app(Settings()).test_client()


def test_a_batch_item_sending_a_logo_to_version_1_carries_the_warning(batch_client, run_bulk_worker):
    with_logo = _pk()["data"]
    plain = example("pk-administrator")["data"]
    response = batch_client.post("/api/v1/batches", json={"type": "pk", "template_version": 1, "items": [
        {"ref": "LOGO", "data": with_logo}, {"ref": "POLOS", "data": plain}]})
    assert response.status_code == 202, response.get_json()
    batch_id = response.get_json()["id"]
    run_bulk_worker()
    status = batch_client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert status["finished"] == 2 and status["failed"] == 0
    warned = batch_client.get(f"/api/v1/batches/{batch_id}/warnings").get_json()["items"]
    found = {(w["ref"], e["loc"]) for w in warned for e in w["warnings"] if e["code"] == "tidak_dicetak"}
    assert found == {("LOGO", "data.instansi.logo")}
