"""What a calling application relies on: batch listing, revocation, Prefer: wait, and the HTTP
conventions (405 with Allow, Retry-After, RateLimit headers, ETags)."""

from __future__ import annotations

import time

from service.app import create_app
from storage.files import document_path
from tests.conftest import bearer, every_page, example


def _batch(client, who: str, refs: list[str]) -> str:
    items = [{"ref": ref, "data": example("pk-jpt")["data"]} for ref in refs]
    response = client.post("/api/v1/batches", json={"type": "pk", "items": items}, headers=bearer(who))
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def test_batch_listing_pages_the_clients_own_batches_newest_first(keyed_client, run_bulk_worker):
    mine = [_batch(keyed_client, "a", [f"A-{n}"]) for n in range(3)]
    other = _batch(keyed_client, "b", ["B-1"])
    seen = every_page(keyed_client, "/api/v1/batches?limit=2", bearer("a"))
    assert sorted(seen) == sorted(mine) and other not in seen
    everyone = keyed_client.get("/api/v1/batches", headers=bearer("boss")).get_json()["items"]
    assert {b["id"] for b in everyone} == {*mine, other}
    assert all(b["status"] == "running" and b["total"] == 1 for b in everyone)

    run_bulk_worker()
    finished = keyed_client.get("/api/v1/batches?status=finished&type=pk", headers=bearer("a")).get_json()["items"]
    assert {b["id"] for b in finished} == set(mine) and all(b["archive_ready"] for b in finished)
    assert keyed_client.get("/api/v1/batches?status=running", headers=bearer("a")).get_json()["items"] == []
    later = keyed_client.get("/api/v1/batches?created_after=2999-01-01", headers=bearer("boss")).get_json()
    assert later["items"] == []
    bad = keyed_client.get("/api/v1/batches?created_after=kemarin", headers=bearer("a"))
    assert bad.status_code == 422 and [e["loc"] for e in bad.get_json()["errors"]] == ["query.created_after"]
    by_ref = keyed_client.get("/api/v1/documents?ref=A-1", headers=bearer("a")).get_json()["items"]
    assert len(by_ref) == 1


def test_a_revoked_document_keeps_its_files_and_the_verify_page_says_dicabut(client, make_document, settings):
    record, _ = make_document(example("pk-jpt"))
    doc_id = record["id"]
    no_reason = client.delete(f"/api/v1/documents/{doc_id}")
    assert no_reason.status_code == 422 and no_reason.get_json()["errors"][0]["loc"] == "reason"

    revoked = client.delete(f"/api/v1/documents/{doc_id}", json={"reason": "Salah NIP pihak pertama"})
    assert revoked.status_code == 200, revoked.get_json()
    body = revoked.get_json()
    assert body["status"] == "revoked" and body["revoked"]["reason"] == "Salah NIP pihak pertama"
    assert client.get(f"/api/v1/documents/{doc_id}").get_json()["status"] == "revoked"
    assert document_path(settings.documents_dir, doc_id, "docx").is_file()  # kept for the audit

    download = client.get(f"/api/v1/documents/{doc_id}/file")
    assert download.status_code == 410 and "dicabut" in download.get_json()["detail"]
    page = client.get(f"/verify/{doc_id}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Dokumen ini dicabut" in text and "Salah NIP pihak pertama" in text
    facts = client.get(f"/verify/{doc_id}", headers={"Accept": "application/json"}).get_json()
    assert facts["revoked"] is True and facts["revoked_reason"] == "Salah NIP pihak pertama"
    again = client.delete(f"/api/v1/documents/{doc_id}", json={"reason": "lagi"})
    assert again.status_code == 200 and again.get_json()["revoked"]["reason"] == "Salah NIP pihak pertama"


def test_only_an_issued_document_can_be_revoked_and_only_by_its_client(keyed_client):
    doc_id = keyed_client.post("/api/v1/documents", json=example("pk-jpt"), headers=bearer("a")).get_json()["id"]
    other = keyed_client.delete(f"/api/v1/documents/{doc_id}?reason=x", headers=bearer("b"))
    assert other.status_code == 404
    queued = keyed_client.delete(f"/api/v1/documents/{doc_id}?reason=keliru", headers=bearer("a"))
    assert queued.status_code == 409 and "queued" in queued.get_json()["detail"]


def test_a_file_not_ready_answers_409_with_retry_after(client):
    doc_id = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"]
    response = client.get(f"/api/v1/documents/{doc_id}/file")
    assert response.status_code == 409 and int(response.headers["Retry-After"]) > 0


def test_prefer_wait_answers_the_finished_record(client, live_worker):
    started = time.monotonic()
    response = client.post("/api/v1/documents", json=example("pk-jpt"), headers={"Prefer": "wait=25"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "finished" and body["file"]["sha256"]
    assert response.headers["Location"].endswith(body["id"]) and time.monotonic() - started < 25
    assert client.get(f"/api/v1/documents/{body['id']}/file").status_code == 200


def test_prefer_wait_without_a_worker_answers_202_after_the_wait(client):
    started = time.monotonic()
    response = client.post("/api/v1/documents", json=example("pk-jpt"), headers={"Prefer": "respond-async, wait=2"})
    elapsed = time.monotonic() - started
    assert response.status_code == 202 and response.get_json()["status"] == "queued"
    assert 1.5 < elapsed < 10


def test_405_names_the_allowed_methods(client):
    response = client.put("/api/v1/documents")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "POST"}
    assert response.mimetype == "application/problem+json"


def test_rate_limit_headers_say_what_is_left(settings):
    client = create_app(settings.model_copy(update={"rate_limit_per_minute": 5})).test_client()
    first = client.get("/api/v1/documents")
    second = client.get("/api/v1/documents")
    assert first.headers["RateLimit-Limit"] == "5"
    assert int(first.headers["RateLimit-Remaining"]) == int(second.headers["RateLimit-Remaining"]) + 1
    assert 0 < int(first.headers["RateLimit-Reset"]) <= 60


def test_workbooks_and_template_files_carry_an_etag(client):
    for url in ("/api/v1/batches/template.xlsx?type=pk", "/api/v1/templates/pk/versions/1/file"):
        first = client.get(url)
        assert first.status_code == 200 and first.headers["ETag"], url
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, url


def test_a_template_version_is_readable_where_links_point(client):
    entry = client.get("/api/v1/templates/pk/versions/1")
    assert entry.status_code == 200 and entry.get_json()["version"] == 1
    assert entry.get_json()["links"]["file"].endswith("/api/v1/templates/pk/versions/1/file")
    assert client.get("/api/v1/templates/pk/versions/99").status_code == 404
    allowed = client.put("/api/v1/templates/pk/versions/1/preview").headers["Allow"]
    assert {"GET", "POST"} <= {m.strip() for m in allowed.split(",")}
