"""The HTTP contract of /api/v1/documents: status codes, problem details, records, downloads."""

from __future__ import annotations

import pytest

from tests.conftest import example

pytestmark = pytest.mark.both_databases
"""The same API tests on SQLite and on a real PostgreSQL."""

PROBLEM = "application/problem+json"


def test_submit_answers_202_with_id_links_and_location(client):
    response = client.post("/api/v1/documents", json=example("pk-jpt"))
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "queued"
    assert body["links"]["self"] == f"http://docgen.test/api/v1/documents/{body['id']}"
    assert body["links"]["file"] == body["links"]["self"] + "/file"
    assert response.headers["Location"] == body["links"]["self"]


def test_status_moves_from_queued_to_finished_with_timestamps(client, run_worker):
    doc_id = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"]
    queued = client.get(f"/api/v1/documents/{doc_id}").get_json()
    assert queued["status"] == "queued" and queued["file"] is None and queued["started_at"] is None
    assert queued["template"]["version"] == 2
    early = client.get(f"/api/v1/documents/{doc_id}/file")
    assert early.status_code == 409 and early.mimetype == PROBLEM
    run_worker()
    done = client.get(f"/api/v1/documents/{doc_id}").get_json()
    assert done["status"] == "finished" and done["error"] is None and done["attempts"] == 1
    assert done["created_at"] <= done["started_at"] <= done["finished_at"]
    file = client.get(f"/api/v1/documents/{doc_id}/file")
    assert file.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert ('filename=PK-2026-Dinas-Komunikasi-dan-Informatika-Rahmat-Hidayat-Lubis.docx'
            in file.headers["Content-Disposition"])


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/documents", data=b'{"type": "pk",', content_type="application/json")
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert "bukan JSON yang valid" in response.get_json()["detail"]


@pytest.mark.parametrize("payload", [b"NaN", b"\xff\xfe", b"[" * 100000])
def test_non_json_values_are_400_not_500(client, payload):
    response = client.post("/api/v1/documents", data=payload, content_type="application/json")
    assert response.status_code in (400, 422) and response.mimetype == PROBLEM


def test_a_json_array_is_422(client):
    response = client.post("/api/v1/documents", json=[1, 2])
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"loc": "body", "msg": "harus berupa objek JSON"}]


def test_non_json_content_type_is_415(client):
    response = client.post("/api/v1/documents", data="type=pk", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.mimetype == PROBLEM


def test_invalid_fields_are_422_with_every_path(client):
    body = example("pk-jpt")
    body["data"]["pihak_pertama"]["nip"] = "123"
    body["data"]["sasaran"][0]["indikator"][1]["target"] = None
    response = client.post("/api/v1/documents", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 422 and response.mimetype == PROBLEM
    problem = response.get_json()
    assert problem["status"] == 422 and problem["title"] == "Invalid request"
    locs = {e["loc"]: e["msg"] for e in problem["errors"]}
    assert locs["data.pihak_pertama.nip"] == "the NIP must be 18 digits (spaces allowed); this one has 3"
    assert "data.sasaran.0.indikator.1.target" in locs


def test_unknown_type_is_422(client):
    response = client.post("/api/v1/documents", json={"type": "sppd", "data": {}})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["loc"] == "type"


def test_unknown_template_version_is_422(client):
    body = example("pk-jpt")
    body["template_version"] = 7
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"loc": "template_version", "msg": "template version 7 does not exist for 'pk'; available: 1, 2"}]


def test_body_above_the_limit_is_413(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/api/v1/documents", data=b"{" + b" " * limit + b"}", content_type="application/json")
    assert response.status_code == 413 and response.mimetype == PROBLEM


@pytest.mark.parametrize("path", ["/api/v1/documents/nope", "/api/v1/documents/nope/file",
                                  "/api/v1/documents/" + "a" * 500, "/api/v1/unknown"])
def test_unknown_ids_and_paths_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == PROBLEM


def test_wrong_method_is_405_problem(client):
    response = client.delete("/api/v1/documents")
    assert response.status_code == 405 and response.mimetype == PROBLEM


def test_nothing_is_queued_for_a_rejected_request(client, redis, records):
    body = example("pk-jpt")
    body["data"]["tahun"] = 1
    client.post("/api/v1/documents", json=body)
    assert records.count() == 0
    assert redis.llen("rq:queue:documents") == 0
