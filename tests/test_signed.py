"""POST /api/v1/documents/{id}/signed: the signed PDF comes back, is stored, downloadable, verifiable."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from rq import Queue

from tests.conftest import example
from workers.converter import stop_converters
from workers.submit import enqueue_render

pytestmark = pytest.mark.both_databases
"""The same API tests on SQLite and on a real PostgreSQL."""


@pytest.fixture(autouse=True)
def _stop_converters(settings) -> Iterator[None]:
    yield
    stop_converters(Path(settings.data_dir) / "libreoffice")


@pytest.fixture
def pdf_document(make_document) -> tuple[dict, bytes]:
    body = example("pk-jpt")
    body["format"] = "pdf"
    return make_document(body)


def _signed_copy(original: bytes) -> bytes:
    """What a TTE client hands back: the same pages, changed (here: a metadata stamp)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    writer.add_metadata({"/Signer": "BSrE test"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.slow
def test_signed_copy_round_trip(client, pdf_document, redis, settings, run_worker):
    record, original = pdf_document
    signed = _signed_copy(original)
    assert client.get(f"/api/v1/documents/{record['id']}/file?version=signed").status_code == 404
    response = client.post(f"/api/v1/documents/{record['id']}/signed", data=signed,
                           headers={"Content-Type": "application/pdf"})
    assert response.status_code == 200, response.get_json()
    after = client.get(f"/api/v1/documents/{record['id']}").get_json()
    assert after["status"] == "signed"
    assert after["signed"]["sha256"] == hashlib.sha256(signed).hexdigest()
    assert after["signed"]["name"] == record["file"]["name"].removesuffix(".pdf") + "-signed.pdf"
    download = client.get(f"/api/v1/documents/{record['id']}/file?version=signed")
    assert download.status_code == 200 and download.data == signed
    assert download.mimetype == "application/pdf"
    # the original stays, unchanged
    assert client.get(f"/api/v1/documents/{record['id']}/file").data == original
    facts = client.get(f"/verify/{record['id']}", headers={"Accept": "application/json"}).get_json()
    assert facts["signed"] is True and facts["signed_sha256"] == hashlib.sha256(signed).hexdigest()
    assert facts["files"] == [{"format": "pdf", "sha256": hashlib.sha256(original).hexdigest()}]
    page = client.get(f"/verify/{record['id']}").get_data(as_text=True)
    assert hashlib.sha256(signed).hexdigest() in page
    # A late re-run of the render job (at-least-once delivery) leaves the signed document alone.
    enqueue_render(Queue(settings.queue, connection=redis), record["id"], settings)
    run_worker()
    again = client.get(f"/api/v1/documents/{record['id']}").get_json()
    assert again["status"] == "signed" and again["signed"] == after["signed"]
    assert client.get(f"/api/v1/documents/{record['id']}/file").data == original


@pytest.mark.slow
def test_signed_copy_as_multipart_and_bad_uploads(client, pdf_document):
    record, original = pdf_document
    url = f"/api/v1/documents/{record['id']}/signed"
    not_pdf = client.post(url, data=b"PK\x03\x04 a docx", headers={"Content-Type": "application/pdf"})
    assert not_pdf.status_code == 422 and not_pdf.get_json()["errors"][0]["loc"] == "file"
    truncated = client.post(url, data=original[: len(original) // 2], headers={"Content-Type": "application/pdf"})
    assert truncated.status_code == 422 and "complete PDF" in truncated.get_json()["detail"]
    wrong_type = client.post(url, data=b"hello", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415 and wrong_type.mimetype == "application/problem+json"
    no_field = client.post(url, data={"other": (io.BytesIO(original), "x.pdf")}, content_type="multipart/form-data")
    assert no_field.status_code == 422 and no_field.get_json()["errors"][0]["loc"] == "file"
    assert client.get(f"/api/v1/documents/{record['id']}").get_json()["status"] == "finished"
    signed = _signed_copy(original)
    ok = client.post(url, data={"file": (io.BytesIO(signed), "signed.pdf")}, content_type="multipart/form-data")
    assert ok.status_code == 200 and ok.get_json()["status"] == "signed"
    assert client.get(f"/api/v1/documents/{record['id']}/file?version=signed").data == signed
    assert client.get(f"/api/v1/documents/{record['id']}/file?version=draft").status_code == 422


def test_signing_needs_a_finished_pdf_document(client, make_document):
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\nstartxref\n0\n%%EOF\n"
    unknown = client.post("/api/v1/documents/nope/signed", data=pdf, headers={"Content-Type": "application/pdf"})
    assert unknown.status_code == 404
    queued = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"]
    early = client.post(f"/api/v1/documents/{queued}/signed", data=pdf, headers={"Content-Type": "application/pdf"})
    assert early.status_code == 409
    record, _ = make_document(example("pk-jpt"))  # docx only
    docx_only = client.post(f"/api/v1/documents/{record['id']}/signed", data=pdf,
                            headers={"Content-Type": "application/pdf"})
    assert docx_only.status_code == 409 and "pdf" in docx_only.get_json()["detail"]
