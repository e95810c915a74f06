"""A client sees only its own documents and batches; another client's id is 404; admins see all."""

from __future__ import annotations

import io
import json
import zipfile

from tests.conftest import bearer, example

MINIMAL_PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\nstartxref\n0\n%%EOF\n"


def test_another_clients_document_file_and_signed_upload_are_404(keyed_client, run_worker):
    doc_id = keyed_client.post("/api/v1/documents", json=example("pk-jpt"), headers=bearer("a")).get_json()["id"]
    upload = {"data": MINIMAL_PDF, "content_type": "application/pdf"}
    assert keyed_client.post(f"/api/v1/documents/{doc_id}/signed", headers=bearer("b"), **upload).status_code == 404
    assert keyed_client.post(f"/api/v1/documents/{doc_id}/signed", headers=bearer("a"), **upload).status_code == 409
    run_worker()
    for path in (f"/api/v1/documents/{doc_id}", f"/api/v1/documents/{doc_id}/file"):
        other = keyed_client.get(path, headers=bearer("b"))
        assert other.status_code == 404 and other.get_json()["detail"] == f"Tidak ada dokumen dengan id '{doc_id}'."
        assert keyed_client.get(path, headers=bearer("a")).status_code == 200
        assert keyed_client.get(path, headers=bearer("boss")).status_code == 200


def test_admins_see_every_clients_documents(keyed_client):
    ids = {name: keyed_client.post("/api/v1/documents", json=example("pk-jpt"), headers=bearer(name)).get_json()["id"]
           for name in ("a", "b")}
    for name, doc_id in ids.items():
        assert keyed_client.get(f"/api/v1/documents/{doc_id}", headers=bearer("boss")).status_code == 200
        other = "b" if name == "a" else "a"
        assert keyed_client.get(f"/api/v1/documents/{doc_id}", headers=bearer(other)).status_code == 404


def test_another_clients_batch_its_errors_archive_and_items_are_404(keyed_client, run_bulk_worker):
    body = {"type": "pk", "items": [{"ref": "R-1", "data": example("pk-jpt")["data"]}]}
    batch_id = keyed_client.post("/api/v1/batches", json=body, headers=bearer("a")).get_json()["id"]
    run_bulk_worker()
    archive = keyed_client.get(f"/api/v1/batches/{batch_id}/archive", headers=bearer("a")).data
    item = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("manifest.json"))[0]["id"]
    for path in (f"/api/v1/batches/{batch_id}", f"/api/v1/batches/{batch_id}/errors",
                 f"/api/v1/batches/{batch_id}/archive", f"/api/v1/documents/{item}",
                 f"/api/v1/documents/{item}/file"):
        assert keyed_client.get(path, headers=bearer("b")).status_code == 404, path
        assert keyed_client.get(path, headers=bearer("a")).status_code == 200, path
        assert keyed_client.get(path, headers=bearer("boss")).status_code == 200, path


def test_verification_stays_public_for_every_clients_documents(keyed_client, run_worker):
    doc_id = keyed_client.post("/api/v1/documents", json=example("pk-jpt"), headers=bearer("a")).get_json()["id"]
    run_worker()
    assert keyed_client.get(f"/verify/{doc_id}").status_code == 200
