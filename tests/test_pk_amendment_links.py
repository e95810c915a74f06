"""A PK Perubahan naming the earlier PK of ours it amends (pk_awal.document_id): both verify pages
link each other, both API records say it; an id that can't be the earlier PK is refused (422 at
data.pk_awal.document_id) and another first party or agency is a warning."""

from __future__ import annotations

import copy

import pytest
from lxml import html

from tests.conftest import bearer, example
from tests.docx_reading import full_text, open_docx
from tests.processes import wait_for

LOC = "data.pk_awal.document_id"
NOMOR = "800/415/PK/2026"


def _murni() -> dict:
    body = copy.deepcopy(example("pk-administrator"))
    body["format"] = "docx"
    data = body["data"]
    data["jenis"] = "murni"
    data.pop("pk_awal", None)
    data.pop("alasan_perubahan", None)
    return body


def _perubahan(old_id: str) -> dict:
    body = _murni()
    body["data"].update(jenis="perubahan", alasan_perubahan="Perubahan APBD Tahun 2026.",
                        pk_awal={"nomor": NOMOR, "tanggal": "2026-01-05", "document_id": old_id})
    return body


def _page(client, doc_id: str):
    response = client.get(f"/verify/{doc_id}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return html.fromstring(response.data)


def _text(element) -> str:
    return " ".join(element.text_content().split())


def test_both_verify_pages_and_records_link_each_other(client, make_document):
    old, _ = make_document(_murni())
    new, content = make_document(_perubahan(old["id"]))
    assert f"Perubahan atas Perjanjian Kinerja Nomor {NOMOR}" in full_text(open_docx(content))

    page = _page(client, new["id"])
    amends = page.get_element_by_id("amends", None)
    assert amends is not None and f"mengubah PK nomor {NOMOR} tanggal 5 Januari 2026" in _text(amends)
    assert amends.find(".//a").get("href") == f"http://docgen.test/verify/{old['id']}"

    later = _page(client, old["id"]).find_class("amended-by")
    assert len(later) == 1 and "diubah oleh PK Perubahan" in _text(later[0])
    assert later[0].find(".//a").get("href") == f"http://docgen.test/verify/{new['id']}"

    facts = client.get(f"/verify/{old['id']}", headers={"Accept": "application/json"}).get_json()
    assert [a["id"] for a in facts["amended_by"]] == [new["id"]] and facts["amends"] is None
    facts = client.get(f"/verify/{new['id']}", headers={"Accept": "application/json"}).get_json()
    assert facts["amends"]["id"] == old["id"] and facts["amends"]["nomor"] == NOMOR

    old_record = client.get(f"/api/v1/documents/{old['id']}").get_json()
    assert [a["id"] for a in old_record["amended_by"]] == [new["id"]]
    assert old_record["amended_by"][0]["verify_url"] == f"http://docgen.test/verify/{new['id']}"
    assert client.get(f"/api/v1/documents/{new['id']}").get_json()["amends"] == old["id"]


def test_a_pk_without_amendments_links_nothing(client, make_document):
    old, _ = make_document(_murni())
    page = _page(client, old["id"])
    assert page.get_element_by_id("amends", None) is None and not page.find_class("amended-by")
    record = client.get(f"/api/v1/documents/{old['id']}").get_json()
    assert record["amends"] is None and record["amended_by"] == []


def _refused(client, body: dict, headers=None) -> str:
    response = client.post("/api/v1/documents", json=body, headers=headers or {})
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert [e["loc"] for e in errors] == [LOC], errors
    return errors[0]["msg"]


def test_an_id_that_is_not_ours_is_refused(client):
    assert "tidak ada PK" in _refused(client, _perubahan("0f" * 16))


def test_another_clients_pk_is_as_unknown_as_none(keyed_client, run_worker):
    made = keyed_client.post("/api/v1/documents", json=_murni(), headers=bearer("a"))
    run_worker()
    assert "tidak ada PK" in _refused(keyed_client, _perubahan(made.get_json()["id"]), headers=bearer("b"))


def test_a_document_that_is_not_a_pk_is_refused(client, make_document):
    lkjip, _ = make_document({**example("lkjip-opd"), "format": "docx"})
    assert "bukan Perjanjian Kinerja" in _refused(client, _perubahan(lkjip["id"]))


def test_a_pk_not_issued_yet_is_refused(client):
    queued = client.post("/api/v1/documents", json=_murni()).get_json()["id"]
    assert "belum diterbitkan" in _refused(client, _perubahan(queued))


def test_a_pk_of_another_year_is_refused(client, make_document):
    body = _murni()
    body["data"]["tahun"] = 2025
    body["data"]["tanggal"] = "2025-01-06"
    old, _ = make_document(body)
    assert "tahun 2025" in _refused(client, _perubahan(old["id"]))


@pytest.mark.parametrize(("change", "code"), [("pihak_pertama", "pk_awal_pihak_lain"),
                                              ("instansi", "pk_awal_instansi_lain")])
def test_another_official_or_agency_is_a_warning(client, make_document, run_worker, change, code):
    old, _ = make_document(_murni())
    body = _perubahan(old["id"])
    if change == "pihak_pertama":
        body["data"]["pihak_pertama"]["nama"] = "Drs. Pejabat Pengganti, M.Si."
    else:
        body["data"]["instansi"]["nama"] = "Dinas Pariwisata dan Ekonomi Kreatif"
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 202, response.get_json()
    warnings = response.get_json()["warnings"]
    assert [(w["code"], w["loc"]) for w in warnings if w["code"].startswith("pk_awal")] == [(code, LOC)]
    strict = client.post("/api/v1/documents", json={**body, "strict": True})
    assert strict.status_code == 422 and LOC in [e["loc"] for e in strict.get_json()["errors"]]
    run_worker()
    record = wait_for(lambda: (r := client.get(f"/api/v1/documents/{response.get_json()['id']}").get_json())
                      ["status"] == "finished" and r, timeout=60)
    assert record["amends"] == old["id"]
