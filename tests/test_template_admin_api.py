"""Template administration over /api/v1/templates: versions uploaded, checked by a real worker,
previewed, activated and rolled back, with every document naming the version it came from."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import time

import pytest
from pypdf import PdfReader

from config.settings import REPO_ROOT
from storage.templates import TemplateRegistry
from tests.conftest import bearer, example
from tests.docx_reading import document_xml, full_text, open_docx, patched_docx
from tests.processes import wait_for

SHIPPED_PK = (REPO_ROOT / "doctypes" / "pk" / "pk-v1.docx").read_bytes()
SHIPPED_PK_V2 = (REPO_ROOT / "doctypes" / "pk" / "pk-v2.docx").read_bytes()
BOSS = bearer("boss")
MARK = "(Format Gubernur 2027)"


def _variant(text: bytes = MARK.encode()) -> bytes:
    """The shipped PK template with ``text`` after the opening sentence's first words."""
    return patched_docx(SHIPPED_PK, "word/document.xml",
                        lambda xml: xml.replace(b"rangka mewujudkan", b"rangka " + text + b" mewujudkan", 1))


def _upload(client, content: bytes, note: str = "", doc_type: str = "pk", headers=BOSS, **fields):
    data = {"file": (io.BytesIO(content), "pk-baru.docx"), "note": note, **fields}
    return client.post(f"/api/v1/templates/{doc_type}/versions", data=data, headers=headers,
                       content_type="multipart/form-data")


def _finished(client, doc_id: str) -> dict:
    return wait_for(lambda: (r := client.get(f"/api/v1/documents/{doc_id}", headers=BOSS).get_json())["status"]
                    in ("finished", "failed") and r, timeout=60)


def _document(client, body: dict) -> tuple[dict, str]:
    response = client.post("/api/v1/documents", json=body, headers=BOSS)
    assert response.status_code == 202, response.get_json()
    record = _finished(client, response.get_json()["id"])
    assert record["status"] == "finished", record
    content = client.get(f"/api/v1/documents/{record['id']}/file", headers=BOSS).data
    return record, full_text(open_docx(content))


def test_a_client_key_gets_403_and_no_key_401(keyed_client):
    for method, path in [("get", "/api/v1/templates"), ("get", "/api/v1/templates/pk"),
                         ("get", "/api/v1/templates/pk/versions/1/file"),
                         ("post", "/api/v1/templates/pk/versions/1/activate"),
                         ("post", "/api/v1/templates/pk/versions/1/preview")]:
        assert getattr(keyed_client, method)(path, headers=bearer("a")).status_code == 403, path
        assert getattr(keyed_client, method)(path).status_code == 401, path
    refused = _upload(keyed_client, _variant(), headers=bearer("a"))
    assert refused.status_code == 403 and "administrator" in refused.get_json()["detail"]


def test_the_shipped_templates_are_versions_1_and_2(keyed_client):
    listing = keyed_client.get("/api/v1/templates", headers=BOSS).get_json()["templates"]
    assert [t["type"] for t in listing] == ["lkjip", "pk", "pohon_kinerja"]
    pk = keyed_client.get("/api/v1/templates/pk", headers=BOSS).get_json()
    assert pk["type"] == "pk" and pk["active_version"] == 2
    v1, v2 = pk["versions"]
    assert v1["version"] == 1 and v1["active"] is False and v1["uploaded_by"] == "shipped"
    assert v2["version"] == 2 and v2["active"] is True and v2["uploaded_by"] == "shipped"
    assert v2["sha256"] == hashlib.sha256(SHIPPED_PK_V2).hexdigest()
    assert v1["sha256"] == hashlib.sha256(SHIPPED_PK).hexdigest() and v1["uploaded_at"]
    download = keyed_client.get(v1["links"]["file"].removeprefix("http://docgen.test"), headers=BOSS)
    assert download.data == SHIPPED_PK
    assert "pk-v1.docx" in download.headers["Content-Disposition"]
    assert keyed_client.get("/api/v1/templates/sk", headers=BOSS).status_code == 404
    assert keyed_client.get("/api/v1/templates/pk/versions/9/file", headers=BOSS).status_code == 404


def test_upload_activate_and_roll_back(keyed_client, live_worker):
    new = _variant()
    uploaded = _upload(keyed_client, new, note="Format baru dari Biro Organisasi")
    assert uploaded.status_code == 201, uploaded.get_json()
    body = uploaded.get_json()
    assert body["version"] == 3 and body["sha256"] == hashlib.sha256(new).hexdigest() and body["active"] is False
    assert [c["name"] for c in body["checks"]] == ["size", "xml", "tags", "variables", "render"]
    assert all(c["ok"] for c in body["checks"])

    history = keyed_client.get("/api/v1/templates/pk", headers=BOSS).get_json()
    v3 = history["versions"][2]
    assert (v3["version"], v3["uploaded_by"], v3["note"], v3["active"]) == (
        3, "boss", "Format baru dari Biro Organisasi", False)
    assert keyed_client.get("/api/v1/templates/pk/versions/3/file", headers=BOSS).data == new
    again = _upload(keyed_client, new, note="sekali lagi")
    assert again.status_code == 409 and again.get_json()["version"] == 3
    assert "identical to pk version 3" in again.get_json()["detail"]

    before, text = _document(keyed_client, example("pk-jpt"))
    assert before["template"]["version"] == 2 and MARK not in text

    activated = keyed_client.post("/api/v1/templates/pk/versions/3/activate", headers=BOSS)
    assert activated.status_code == 200 and activated.get_json()["active_version"] == 3
    # The same worker process, not restarted, renders with the new version.
    after, text = _document(keyed_client, example("pk-jpt"))
    assert after["template"]["version"] == 3 and after["template"]["sha256"] == body["sha256"]
    assert MARK in text
    pinned = {**example("pk-jpt"), "template_version": 1}
    old, text = _document(keyed_client, pinned)
    assert old["template"]["version"] == 1 and MARK not in text

    assert keyed_client.post("/api/v1/templates/pk/versions/2/activate", headers=BOSS).status_code == 200
    log = keyed_client.get("/api/v1/templates/pk", headers=BOSS).get_json()["activations"]
    assert [(a["version"], a["by"]) for a in log] == [(3, "boss"), (2, "boss")] and all(a["at"] for a in log)
    rolled_back, text = _document(keyed_client, example("pk-jpt"))
    assert rolled_back["template"]["version"] == 2 and MARK not in text
    # Every earlier document still names its own version.
    assert keyed_client.get(f"/api/v1/documents/{after['id']}", headers=BOSS).get_json()["template"]["version"] == 3
    assert keyed_client.get(f"/api/v1/documents/{before['id']}", headers=BOSS).get_json()["template"]["version"] == 2


def test_a_bad_upload_is_422_naming_every_problem_and_stores_nothing(keyed_client, live_worker):
    bad = _variant(b"{{ nomor_surat_keputusan }} {{ kop.alamat_email }}")
    response = _upload(keyed_client, bad)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["errors"][0]["check"] == "variables"
    assert "nomor_surat_keputusan" in problem["detail"]
    assert {c["name"] for c in problem["checks"] if c["ok"]} >= {"size", "xml", "tags"}

    not_docx = _upload(keyed_client, b"%PDF-1.4 not a template")
    assert not_docx.status_code == 422 and "bukan berkas .docx" in not_docx.get_json()["detail"]
    in_english = _upload(keyed_client, b"%PDF-1.4 x", headers={**BOSS, "Accept-Language": "en"})
    assert in_english.status_code == 422 and "not a .docx file" in in_english.get_json()["detail"]

    broken_tag = _upload(keyed_client, _variant(b"{% for x in %}"))
    assert broken_tag.status_code == 422 and broken_tag.get_json()["errors"][0]["check"] == "tags"

    internals = _upload(keyed_client, _variant(b"{{ ''.__class__.__mro__[1].__subclasses__() }}"))
    assert internals.status_code == 422
    assert {e["check"] for e in internals.get_json()["errors"]} <= {"variables", "render"}

    missing = keyed_client.post("/api/v1/templates/pk/versions", data={"note": "x"}, headers=BOSS,
                                content_type="multipart/form-data")
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["loc"] == "file"
    bad_paper = _upload(keyed_client, _variant(), paper="Letter")
    assert bad_paper.status_code == 422 and bad_paper.get_json()["errors"][0]["loc"] == "paper"
    assert _upload(keyed_client, _variant(), doc_type="sk").status_code == 404
    versions = keyed_client.get("/api/v1/templates/pk", headers=BOSS).get_json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]


def test_preview_renders_the_sample_with_that_version(keyed_client, live_worker):
    assert _upload(keyed_client, _variant()).status_code == 201
    docx = keyed_client.post("/api/v1/templates/pk/versions/3/preview", headers=BOSS)
    assert docx.status_code == 200 and docx.mimetype.endswith("wordprocessingml.document")
    text = full_text(open_docx(docx.data))
    sample = TemplateRegistry(REPO_ROOT / "doctypes").sample("pk")
    assert MARK in text and sample["pihak_pertama"]["nama"] in text
    assert MARK not in full_text(open_docx(keyed_client.post("/api/v1/templates/pk/versions/1/preview",
                                                             headers=BOSS).data))
    pdf = keyed_client.post("/api/v1/templates/pk/versions/3/preview?format=pdf", headers=BOSS)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) >= 2 and MARK in " ".join(reader.pages[0].extract_text().split())
    assert keyed_client.post("/api/v1/templates/pk/versions/3/preview?format=odt", headers=BOSS).status_code == 422
    assert _upload(keyed_client, _variant(b"(A4)"), paper="A4").get_json()["version"] == 4
    a4 = keyed_client.post("/api/v1/templates/pk/versions/4/preview", headers=BOSS).data
    assert 'w:w="11906"' in document_xml(a4) and 'w:w="12189"' in document_xml(docx.data)  # A4, F4 widths
    assert keyed_client.post("/api/v1/templates/pk/versions/9/preview", headers=BOSS).status_code == 404


def test_without_a_worker_the_upload_is_503_and_nothing_changes(keyed_settings):
    from service.app import create_app

    client = create_app(keyed_settings.model_copy(update={"admin_wait_seconds": 1})).test_client()
    started = time.monotonic()
    response = _upload(client, _variant())
    assert response.status_code == 503 and "worker" in response.get_json()["detail"]
    assert time.monotonic() - started < 10
    assert len(client.get("/api/v1/templates/pk", headers=BOSS).get_json()["versions"]) == 2


_ADD_VERSIONS = """
import json, sys
from pathlib import Path
from config.settings import REPO_ROOT
from storage.templates import TemplateRegistry
registry = TemplateRegistry(REPO_ROOT / "doctypes", Path(sys.argv[1]))
shipped = (REPO_ROOT / "doctypes" / "pk" / "pk-v1.docx").read_bytes()
print(json.dumps([registry.add_version("pk", shipped, uploaded_by=f"p{n}", note="").version for n in range(5)]))
"""


def test_processes_adding_versions_at_once_never_share_a_number(tmp_path):
    # Separate processes (not a fork inside pytest, which has threads and can hang).
    adders = [subprocess.Popen([sys.executable, "-c", _ADD_VERSIONS, str(tmp_path)], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, text=True) for _ in range(4)]
    numbers = [n for adder in adders for n in json.loads(adder.communicate(timeout=120)[0])]
    assert sorted(numbers) == list(range(3, 23))
    registry = TemplateRegistry(REPO_ROOT / "doctypes", tmp_path)
    assert registry.versions("pk") == list(range(1, 23)) and registry.get("pk").version == 2


@pytest.mark.parametrize("doc_type", ["pk", "lkjip"])
def test_each_type_has_its_own_history(tmp_path, doc_type):
    registry = TemplateRegistry(REPO_ROOT / "doctypes", tmp_path)
    registry.add_version("pk", SHIPPED_PK, uploaded_by="boss", note="")
    assert registry.versions(doc_type) == ([1, 2, 3] if doc_type == "pk" else [1, 2])  # pk: two shipped + one uploaded


@pytest.fixture
def worker_without_libreoffice(settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_SOFFICE", "/nonexistent/soffice")  # read by the worker started next


def test_a_pdf_preview_without_libreoffice_is_503_saying_why(keyed_client, worker_without_libreoffice, live_worker):
    response = keyed_client.post("/api/v1/templates/pk/versions/1/preview?format=pdf", headers=BOSS)
    assert response.status_code == 503 and "LibreOffice ('/nonexistent/soffice')" in response.get_json()["detail"]
    assert keyed_client.post("/api/v1/templates/pk/versions/1/preview", headers=BOSS).status_code == 200
