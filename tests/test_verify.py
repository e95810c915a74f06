"""GET /verify/{id}: the public page behind every document's QR code, as HTML and as JSON."""

from __future__ import annotations

import hashlib
import html

import pytest

from tests.conftest import example

pytestmark = pytest.mark.both_databases
"""The same API tests on SQLite and on a real PostgreSQL."""

JSON = {"Accept": "application/json"}


def test_verify_json_shows_the_public_facts_and_nothing_more(make_document, client):
    record, content = make_document(example("pk-jpt"))
    response = client.get(f"/verify/{record['id']}", headers=JSON)
    assert response.status_code == 200 and response.mimetype == "application/json"
    facts = response.get_json()
    assert set(facts) == {"id", "genuine", "type", "type_title", "year", "agency", "parties", "issued_at",
                          "issued_at_local", "template_version", "files", "signature_status", "status_text",
                          "required_signatures", "signatures", "signed", "signed_sha256", "signed_at",
                          "signed_at_local", "signed_copies", "revoked", "revoked_at", "revoked_at_local",
                          "revoked_reason", "amends", "amended_by"}
    assert facts["revoked"] is False and facts["revoked_reason"] is None
    assert facts["id"] == record["id"] and facts["genuine"] is True
    assert facts["type"] == "pk" and facts["type_title"] == "Perjanjian Kinerja"
    assert facts["year"] == 2026
    assert facts["agency"] == "Dinas Komunikasi dan Informatika"
    assert [(p["role"], p["nama"]) for p in facts["parties"]] == [
        ("pihak_pertama", "Dr. Ir. Rahmat Hidayat Lubis, M.Si."), ("pihak_kedua", "H. Tengku Amri Nasution, S.H.")]
    assert facts["issued_at"] == record["finished_at"]
    assert facts["template_version"] == 2
    assert facts["files"] == [{"format": "docx", "sha256": hashlib.sha256(content).hexdigest()}]
    assert facts["signed"] is False and facts["signed_sha256"] is None
    assert facts["signature_status"] == "unsigned" and facts["status_text"] == "Asli, belum ditandatangani"
    assert facts["required_signatures"] == 2 and facts["signatures"] == [] and facts["signed_copies"] == []
    # personal data beyond name, position and a masked NIP stays off the public page
    assert [p["nip"] for p in facts["parties"]] == ["19700315 ****** * 002", None]
    assert "19700315199503" not in response.get_data(as_text=True)
    assert "199503" not in response.get_data(as_text=True)
    assert "Pembina" not in response.get_data(as_text=True)


def test_times_are_local_indonesian(make_document, client, settings, app):
    import datetime as dt

    from sakip.publik import format_waktu

    assert format_waktu("2026-11-28T15:30:00Z") == "28 November 2026 22.30 WIB"
    assert format_waktu("2026-11-28T15:30:00Z", "Asia/Makassar") == "28 November 2026 23.30 WITA"
    assert format_waktu("2026-12-31T20:05:00+00:00", "Asia/Jayapura") == "1 Januari 2027 05.05 WIT"
    record, _ = make_document(example("pk-jpt"))
    facts = client.get(f"/verify/{record['id']}", headers=JSON).get_json()
    finished = dt.datetime.fromisoformat(record["finished_at"].replace("Z", "+00:00"))
    assert facts["issued_at_local"] == format_waktu(finished) and facts["issued_at_local"].endswith(" WIB")
    assert facts["issued_at_local"] in html.unescape(client.get(f"/verify/{record['id']}").get_data(as_text=True))


def test_verify_html_page_for_people(make_document, client):
    body = example("pk-jpt")
    body["data"]["instansi"]["nama"] = "Dinas Kebudayaan & Pariwisata <Sumut>"
    record, content = make_document(body)
    response = client.get(f"/verify/{record['id']}", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<Sumut>" not in page  # escaped, never interpreted
    text = html.unescape(page)
    for expected in ["Dokumen ini tercatat diterbitkan", record["id"], "Perjanjian Kinerja", "2026",
                     "Dinas Kebudayaan & Pariwisata <Sumut>", "Dr. Ir. Rahmat Hidayat Lubis, M.Si.",
                     hashlib.sha256(content).hexdigest(), "Asli, belum ditandatangani", "NIP 19700315 ****** * 002",
                     "Periksa berkas Anda"]:
        assert expected in text, expected
    # a browser's plain request (curl sends */*) gets the page too
    assert client.get(f"/verify/{record['id']}").mimetype == "text/html"


def test_unknown_or_unissued_documents_are_404(client):
    missing = client.get("/verify/0123456789abcdef0123456789abcdef", headers=JSON)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    page = client.get("/verify/0123456789abcdef0123456789abcdef")
    assert page.status_code == 404 and "tidak dapat dipastikan keasliannya" in page.get_data(as_text=True)
    queued = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"]
    assert client.get(f"/verify/{queued}", headers=JSON).status_code == 404
    assert client.get("/verify/" + "x" * 200, headers=JSON).status_code == 404


def test_who_must_sign_each_document():
    """One signature for a regional head's PK and an LKjIP, two for other PKs; a batch item's
    record keeps no request, so its summary tells."""
    import json

    from service.signed import signatures_required
    from storage.records import DocumentRecord

    def record(doc_type: str, request: dict | None, parties: list[str]) -> DocumentRecord:
        return DocumentRecord(id="x", type=doc_type, request=json.dumps(request) if request else "",
                              summary=json.dumps({"pihak": {p: {"nama": p} for p in parties}}))

    assert signatures_required(record("pk", example("pk-jpt"), ["pihak_pertama", "pihak_kedua"])) == 2
    assert signatures_required(record("pk", example("pk-kepala-daerah"), ["pihak_pertama"])) == 1
    assert signatures_required(record("lkjip", example("lkjip-opd"), ["kepala"])) == 1
    assert signatures_required(record("pk", None, ["pihak_pertama", "pihak_kedua"])) == 2  # batch item
    assert signatures_required(record("pk", None, ["pihak_pertama"])) == 1


def test_an_lkjip_shows_its_head_of_agency(make_document, client):
    record, _ = make_document(example("lkjip-opd"))
    facts = client.get(f"/verify/{record['id']}", headers=JSON).get_json()
    [kepala] = facts["parties"]
    assert kepala["role"] == "kepala" and kepala["title"] == "Kepala Instansi"
    assert kepala["nama"] == "Dr. Ir. Rahmat Hidayat Lubis, M.Si." and kepala["nip"] == "19700315 ****** * 002"
    assert facts["required_signatures"] == 1
