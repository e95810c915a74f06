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
                          "template_version", "files", "signed", "signed_sha256", "signed_at"}
    assert facts["id"] == record["id"] and facts["genuine"] is True
    assert facts["type"] == "pk" and facts["type_title"] == "Perjanjian Kinerja"
    assert facts["year"] == 2026
    assert facts["agency"] == "Dinas Komunikasi dan Informatika"
    assert [(p["role"], p["nama"]) for p in facts["parties"]] == [
        ("pihak_pertama", "Dr. Ir. Rahmat Hidayat Lubis, M.Si."), ("pihak_kedua", "H. Tengku Amri Nasution, S.H.")]
    assert facts["issued_at"] == record["finished_at"]
    assert facts["template_version"] == 1
    assert facts["files"] == [{"format": "docx", "sha256": hashlib.sha256(content).hexdigest()}]
    assert facts["signed"] is False and facts["signed_sha256"] is None
    # personal data beyond name and position stays off the public page
    assert "19700315199503" not in response.get_data(as_text=True)
    assert "Pembina" not in response.get_data(as_text=True)


def test_verify_html_page_for_people(make_document, client):
    body = example("pk-jpt")
    body["data"]["instansi"]["nama"] = "Dinas Kebudayaan & Pariwisata <Sumut>"
    record, content = make_document(body)
    response = client.get(f"/verify/{record['id']}", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<Sumut>" not in page  # escaped, never interpreted
    text = html.unescape(page)
    for expected in ["Dokumen ini tercatat asli", record["id"], "Perjanjian Kinerja", "2026",
                     "Dinas Kebudayaan & Pariwisata <Sumut>", "Dr. Ir. Rahmat Hidayat Lubis, M.Si.",
                     hashlib.sha256(content).hexdigest(), "Belum"]:
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
