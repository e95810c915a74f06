"""POST /api/v1/documents/{id}/signed: only a real signed copy of the issued PDF is accepted.

Signatures are real: pyHanko signs with certificates from a CA made in the test; the issued PDF
comes from the real converter. Each refusal is asserted with its code, its reason and what the
record and the public verify page then say.
"""

from __future__ import annotations

import hashlib
import html
import io
from collections.abc import Iterator

import pikepdf
import pytest
from rq import Queue

from service.app import create_app
from service.signed import signed_path
from tests.conftest import example
from tests.signing_ca import TestCA
from workers.convert import converter_state_dir
from workers.converter import stop_converters
from workers.submit import enqueue_render

JSON = {"Accept": "application/json"}
PDF = {"Content-Type": "application/pdf"}

pytestmark = [pytest.mark.both_databases, pytest.mark.usefixtures("shared_converter")]
"""The same API tests on SQLite and on a real PostgreSQL."""


@pytest.fixture(autouse=True)
def _stop_converters(settings) -> Iterator[None]:
    yield
    stop_converters(converter_state_dir(settings.data_dir))


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA()


@pytest.fixture
def pdf_document(make_document) -> tuple[dict, bytes]:
    body = example("pk-jpt")
    body["format"] = "pdf"
    return make_document(body)


def _upload(client, doc_id: str, content: bytes):
    return client.post(f"/api/v1/documents/{doc_id}/signed", data=content, headers=PDF)


def _facts(client, doc_id: str) -> dict:
    return client.get(f"/verify/{doc_id}", headers=JSON).get_json()


def _page(client, doc_id: str) -> str:
    return html.unescape(client.get(f"/verify/{doc_id}").get_data(as_text=True))


@pytest.mark.slow
def test_two_parties_sign_in_turn(client, pdf_document, ca, settings, redis, run_worker):
    record, issued = pdf_document
    doc_id = record["id"]
    pertama = ca.issue("Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "Pemerintah Provinsi Sumatera Utara")
    kedua = ca.issue("H. Tengku Amri Nasution, S.H.", "Pemerintah Provinsi Sumatera Utara")
    assert client.get(f"/api/v1/documents/{doc_id}/file?version=signed").status_code == 404

    once = pertama.sign(issued, "ttd_pihak_pertama")
    first = _upload(client, doc_id, once)
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["status"] == "partially_signed"
    assert body["signed"]["sha256"] == hashlib.sha256(once).hexdigest()
    assert body["signed"]["required_signatures"] == 2
    [signature] = body["signed"]["signatures"]
    assert signature["signer_name"] == "Dr. Ir. Rahmat Hidayat Lubis, M.Si."
    assert signature["signer_organisation"] == "Pemerintah Provinsi Sumatera Utara"
    assert signature["issuer"].startswith("Test Root CA BSrE")
    assert signature["integrity"] is True and signature["trust"] == "not_checked"
    assert signature["trust_note"] == "integritas utuh, penanda tangan tidak diperiksa terhadap akar kepercayaan"
    facts = _facts(client, doc_id)
    assert facts["signature_status"] == "partially_signed"
    assert facts["status_text"] == "Asli, baru sebagian ditandatangani (1 dari 2 penanda tangan)"
    page = _page(client, doc_id)
    assert "Integritas utuh, penanda tangan tidak diperiksa terhadap akar kepercayaan" in page
    assert "Tanda tangan valid" not in page  # nothing unchecked is called valid
    assert facts["signatures"][0]["signing_time_local"].endswith(" WIB")

    # pihak kedua signs the issued PDF instead of the copy pihak pertama signed: refused
    beside = _upload(client, doc_id, kedua.sign(issued, "ttd_pihak_kedua"))
    assert beside.status_code == 409 and "salinan bertanda tangan terakhir" in beside.get_json()["detail"]
    assert "latest signed copy" in beside.get_json()["detail_en"]

    twice = kedua.sign(once, "ttd_pihak_kedua")
    second = _upload(client, doc_id, twice)
    assert second.status_code == 200, second.get_json()
    body = second.get_json()
    assert body["status"] == "signed"
    assert [s["signer_name"] for s in body["signed"]["signatures"]] == [
        "Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "H. Tengku Amri Nasution, S.H."]
    assert [s["copy"] for s in body["signed"]["signatures"]] == [1, 2]
    assert [c["sha256"] for c in body["signed"]["copies"]] == [hashlib.sha256(once).hexdigest(),
                                                                hashlib.sha256(twice).hexdigest()]
    # the latest copy downloads; the earlier one is kept, not replaced; the original stays
    assert client.get(f"/api/v1/documents/{doc_id}/file?version=signed").data == twice
    assert signed_path(settings.documents_dir, doc_id, 1).read_bytes() == once
    assert client.get(f"/api/v1/documents/{doc_id}/file").data == issued
    facts = _facts(client, doc_id)
    assert facts["signature_status"] == "signed" and facts["status_text"] == "Asli dan sudah ditandatangani"
    assert facts["signed_sha256"] == hashlib.sha256(twice).hexdigest()
    assert [s["signer_name"] for s in facts["signatures"]] == ["Dr. Ir. Rahmat Hidayat Lubis, M.Si.",
                                                               "H. Tengku Amri Nasution, S.H."]
    page = _page(client, doc_id)
    for expected in ["Asli dan sudah ditandatangani", "H. Tengku Amri Nasution, S.H.",
                     facts["signatures"][1]["signing_time_local"], hashlib.sha256(twice).hexdigest()]:
        assert expected in page, expected

    # the same copy again (a retried upload) changes nothing; an older copy is not the latest
    again = _upload(client, doc_id, twice)
    assert again.status_code == 200 and len(again.get_json()["signed"]["copies"]) == 2
    older = _upload(client, doc_id, once)
    assert older.status_code == 409
    # A late re-run of the render job (at-least-once delivery) leaves the signed document alone.
    enqueue_render(Queue(settings.queue, connection=redis), doc_id, settings)
    run_worker()
    assert client.get(f"/api/v1/documents/{doc_id}").get_json()["status"] == "signed"
    assert client.get(f"/api/v1/documents/{doc_id}/file").data == issued


@pytest.mark.slow
def test_what_is_not_a_signed_copy_of_this_document_is_refused(client, make_document, ca):
    body = example("pk-jpt")
    body["format"] = "pdf"
    record, issued = make_document(body)
    other, other_issued = make_document(body)
    doc_id = record["id"]
    signer = ca.issue("Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "Pemerintah Provinsi Sumatera Utara")
    signed = signer.sign(issued, "ttd_pihak_pertama")

    unsigned = _upload(client, doc_id, issued)
    assert unsigned.status_code == 422
    assert unsigned.get_json()["detail"].startswith("Berkas tidak memuat tanda tangan elektronik")
    assert unsigned.get_json()["errors"] == [{"loc": "file", "msg": unsigned.get_json()["detail_en"]}]

    flipped = bytearray(signed)
    flipped[signed.index(b"/Rect [ 0", len(issued)) + 8] ^= 0x01  # one digit of the signed update
    changed = _upload(client, doc_id, bytes(flipped))
    assert changed.status_code == 422
    assert changed.get_json()["detail"].startswith("Tanda tangan 'ttd_pihak_pertama' tidak utuh")
    flipped_issued = bytearray(signed)
    flipped_issued[len(issued) // 2] ^= 0x01  # one byte of the document itself
    assert _upload(client, doc_id, bytes(flipped_issued)).status_code == 422

    with pikepdf.open(io.BytesIO(signed)) as pdf:
        out = io.BytesIO()
        pdf.save(out)
    resaved = _upload(client, doc_id, out.getvalue())
    assert resaved.status_code == 422 and "tidak utuh" in resaved.get_json()["detail"]

    another = _upload(client, doc_id, signer.sign(other_issued, "ttd_pihak_pertama"))
    assert another.status_code == 422
    assert another.get_json()["detail"].startswith("Berkas ini bukan salinan bertanda tangan dari dokumen ini")

    # none of it counted: still unsigned, on the record and the public page
    assert client.get(f"/api/v1/documents/{doc_id}").get_json()["status"] == "finished"
    assert client.get(f"/api/v1/documents/{doc_id}/file?version=signed").status_code == 404
    facts = _facts(client, doc_id)
    assert facts["signature_status"] == "unsigned" and facts["signed"] is False
    assert "Asli, belum ditandatangani" in _page(client, doc_id)
    # the real signed copy is still welcome
    assert _upload(client, doc_id, signed).status_code == 200
    assert _facts(client, other["id"])["signature_status"] == "unsigned"


@pytest.mark.slow
def test_trust_roots_say_whether_the_signer_is_trusted(settings, pdf_document, ca, tmp_path):
    record, issued = pdf_document
    doc_id = record["id"]
    trusted_app = create_app(settings.model_copy(update={"trust_roots": [ca.write_pem(tmp_path / "root.pem")]}))
    signer = ca.issue("Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "Pemerintah Provinsi Sumatera Utara")
    once = signer.sign(issued, "ttd_pihak_pertama")
    client = trusted_app.test_client()
    answer = _upload(client, doc_id, once).get_json()
    assert answer["signed"]["signatures"][0]["trust"] == "trusted"
    assert "Tanda tangan valid: sertifikat penanda tangan berantai ke akar kepercayaan" in _page(client, doc_id)

    # a signer from a CA that is not a configured root: kept, but said plainly not to be valid
    stranger = TestCA("Unknown CA", "Bukan BSrE").issue("H. Tengku Amri Nasution, S.H.", "Entah")
    twice = stranger.sign(once, "ttd_pihak_kedua")
    answer = _upload(client, doc_id, twice)
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "partially_signed"  # the untrusted signature does not count
    assert [s["trust"] for s in answer.get_json()["signed"]["signatures"]] == ["trusted", "untrusted"]
    facts = _facts(client, doc_id)
    assert facts["signature_status"] == "invalid" and facts["status_text"] == "Tanda tangan tidak valid"
    page = _page(client, doc_id)
    assert "Tanda tangan tidak valid: sertifikat penanda tangan TIDAK berantai ke akar kepercayaan" in page

    # signing on top of an invalid signature can't repair it: the right signer may sign the last
    # valid copy again, and the copy with the stranger's signature stays on file
    kedua = ca.issue("H. Tengku Amri Nasution, S.H.", "Pemerintah Provinsi Sumatera Utara")
    answer = _upload(client, doc_id, kedua.sign(once, "ttd_pihak_kedua"))
    assert answer.status_code == 200 and answer.get_json()["status"] == "signed"
    assert [s["trust"] for s in answer.get_json()["signed"]["signatures"]] == ["trusted", "trusted"]
    assert [c["copy"] for c in answer.get_json()["signed"]["copies"]] == [1, 2, 3]
    assert [s["copy"] for s in answer.get_json()["signed"]["signatures"]] == [1, 3]
    assert _facts(client, doc_id)["signature_status"] == "signed"


@pytest.mark.slow
def test_a_regional_heads_pk_is_signed_by_one(client, make_document, ca):
    body = example("pk-kepala-daerah")
    body["format"] = "pdf"
    record, issued = make_document(body)
    gubernur = ca.issue("H. Tengku Amri Nasution, S.H.", "Pemerintah Provinsi Sumatera Utara")
    answer = _upload(client, record["id"], gubernur.sign(issued, "ttd_kepala_daerah"))
    assert answer.status_code == 200 and answer.get_json()["status"] == "signed"
    assert _facts(client, record["id"])["required_signatures"] == 1


@pytest.mark.slow
def test_pdfa_2b_output_is_archival_and_signable(client, make_document, ca):
    body = example("pk-jpt")
    body.update(format="pdf", pdf_profile="pdfa-2b")
    record, issued = make_document(body)
    with pikepdf.open(io.BytesIO(issued)) as pdf:
        with pdf.open_metadata() as meta:
            assert meta.get("pdfaid:part") == "2" and meta.get("pdfaid:conformance") == "B"
            # PDF/A wants the Info dictionary and the XMP metadata to agree
            assert meta.get("pdf:Producer") == str(pdf.docinfo["/Producer"])
        assert "/AcroForm" in pdf.Root  # ready for signature fields
        fonts = _fonts(pdf)
        assert fonts and all(embedded for _, embedded in fonts), fonts
    signer = ca.issue("Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "Pemerintah Provinsi Sumatera Utara")
    signed = signer.sign(issued, "ttd_pihak_pertama")
    answer = _upload(client, record["id"], signed)
    assert answer.status_code == 200 and answer.get_json()["status"] == "partially_signed"
    with pikepdf.open(io.BytesIO(signed)) as pdf, pdf.open_metadata() as meta:
        assert meta.get("pdfaid:part") == "2"  # the signature goes on top of the PDF/A
    # the default profile stays plain PDF: no PDF/A claim
    _plain, plain_pdf = make_document({**example("pk-jpt"), "format": "pdf"})
    with pikepdf.open(io.BytesIO(plain_pdf)) as pdf, pdf.open_metadata() as meta:
        assert meta.get("pdfaid:part") is None


def _fonts(pdf: pikepdf.Pdf) -> list[tuple[str, bool]]:
    """Every font the pages use, and whether its program is embedded (Type 0 through its descendant)."""
    found = []
    for page in pdf.pages:
        resources = page.obj.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            target = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = target.get("/FontDescriptor")
            programs = ("/FontFile", "/FontFile2", "/FontFile3")
            embedded = descriptor is not None and any(k in descriptor for k in programs)
            found.append((str(font.get("/BaseFont")), embedded))
    return found


def test_pdf_profile_is_validated(client):
    body = {**example("pk-jpt"), "format": "pdf", "pdf_profile": "pdfa-1a"}
    answer = client.post("/api/v1/documents", json=body)
    assert answer.status_code == 422 and answer.get_json()["errors"][0]["loc"] == "pdf_profile"


@pytest.mark.slow
def test_multipart_upload_and_malformed_uploads(client, pdf_document, ca):
    record, original = pdf_document
    url = f"/api/v1/documents/{record['id']}/signed"
    not_pdf = client.post(url, data=b"PK\x03\x04 a docx", headers=PDF)
    assert not_pdf.status_code == 422 and not_pdf.get_json()["errors"][0]["loc"] == "file"
    truncated = client.post(url, data=original[: len(original) // 2], headers=PDF)
    assert truncated.status_code == 422 and "bukan PDF yang utuh" in truncated.get_json()["errors"][0]["msg"]
    wrong_type = client.post(url, data=b"hello", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415 and wrong_type.mimetype == "application/problem+json"
    no_field = client.post(url, data={"other": (io.BytesIO(original), "x.pdf")}, content_type="multipart/form-data")
    assert no_field.status_code == 422 and no_field.get_json()["errors"][0]["loc"] == "file"
    assert client.get(f"/api/v1/documents/{record['id']}").get_json()["status"] == "finished"
    signed = ca.issue("Rahmat", "Pemprov Sumut").sign(original, "ttd_pihak_pertama")
    ok = client.post(url, data={"file": (io.BytesIO(signed), "signed.pdf")}, content_type="multipart/form-data")
    assert ok.status_code == 200 and ok.get_json()["status"] == "partially_signed"
    assert ok.get_json()["signed"]["name"] == record["file"]["name"].removesuffix(".pdf") + "-signed.pdf"
    download = client.get(f"/api/v1/documents/{record['id']}/file?version=signed")
    assert download.data == signed and download.mimetype == "application/pdf"
    assert client.get(f"/api/v1/documents/{record['id']}/file?version=draft").status_code == 422


def test_signing_needs_a_finished_pdf_document(client, make_document):
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\nstartxref\n0\n%%EOF\n"
    unknown = client.post("/api/v1/documents/nope/signed", data=pdf, headers=PDF)
    assert unknown.status_code == 404
    queued = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"]
    early = client.post(f"/api/v1/documents/{queued}/signed", data=pdf, headers=PDF)
    assert early.status_code == 409
    record, _ = make_document(example("pk-jpt"))  # docx only
    docx_only = client.post(f"/api/v1/documents/{record['id']}/signed", data=pdf, headers=PDF)
    assert docx_only.status_code == 409 and "pdf" in docx_only.get_json()["detail"]
