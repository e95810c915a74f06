"""Print-ready per agency: a PDF batch with merge_per_agency also delivers one merged PDF per
agency in the archive, in the items' (signing) order, a bookmark per official, in the manifest."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from config.settings import Settings, get_settings
from service.app import create_app
from tests.conftest import example
from workers.convert import converter_state_dir
from workers.converter import stop_converters

pytestmark = pytest.mark.usefixtures("shared_converter")
"""PDFs from the session's warm LibreOffice (conftest.shared_converter)."""


@pytest.fixture
def batch_client(settings, monkeypatch) -> Iterator:
    monkeypatch.setenv("DOCGEN_BATCH_CHUNK_SIZE", "2")
    get_settings.cache_clear()
    yield create_app(Settings()).test_client()
    stop_converters(converter_state_dir(settings.data_dir))


def _person(data: dict, name: str, jabatan: str) -> dict:
    copy = json.loads(json.dumps(data))
    copy["pihak_pertama"]["nama"] = name
    copy["pihak_pertama"]["jabatan"] = jabatan
    return copy


def _items() -> list[dict]:
    jpt, admin = example("pk-jpt")["data"], example("pk-administrator")["data"]
    bad = json.loads(json.dumps(jpt))
    bad["pihak_pertama"]["nip"] = "123"
    return [
        {"ref": "K-1", "data": _person(jpt, "Budi Santoso, S.T.", "Kepala Bidang Aplikasi")},
        {"ref": "P-1", "data": admin},
        {"ref": "K-2", "data": bad},  # fails alone: not in any bundle
        {"ref": "K-3", "data": _person(jpt, "Ani Lestari, S.Kom.", "Kepala Bidang Persandian")},
        {"ref": "S-1", "group": "Sekretariat Daerah", "data": _person(jpt, "Rudi Hartono", "Kepala Bagian Umum")},
    ]


def _page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def _page_sizes(content: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(io.BytesIO(content)).pages]


@pytest.mark.slow
def test_a_pdf_batch_delivers_one_merged_pdf_per_agency_in_order_with_a_bookmark_per_official(
        batch_client, run_bulk_worker):
    response = batch_client.post("/api/v1/batches", json={"type": "pk", "format": "pdf", "merge_per_agency": True,
                                                          "items": _items()})
    assert response.status_code == 202, response.get_json()
    run_bulk_worker()
    batch_id = response.get_json()["id"]
    status = batch_client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (status["finished"], status["failed"], status["archive_ready"]) == (4, 1, True)
    archive = batch_client.get(f"/api/v1/batches/{batch_id}/archive").data
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        csv_text = zipped.read("manifest.csv").decode()
        files = {name: zipped.read(name) for name in zipped.namelist()}
    singles = {m["ref"]: files[m["file"]] for m in manifest if m["status"] == "finished"}
    merged = [m for m in manifest if m["status"] == "merged"]
    assert [(m["group"], m["refs"], m["file"]) for m in merged] == [
        ("Dinas Komunikasi dan Informatika", ["K-1", "K-3"],
         "per-instansi/PK-Dinas-Komunikasi-dan-Informatika.pdf"),
        ("Dinas Kebudayaan & Pariwisata", ["P-1"], "per-instansi/PK-Dinas-Kebudayaan-Pariwisata.pdf"),
        ("Sekretariat Daerah", ["S-1"], "per-instansi/PK-Sekretariat-Daerah.pdf"),
    ]
    for entry in merged:
        assert hashlib.sha256(files[entry["file"]]).hexdigest() == entry["sha256"]
        assert f"{entry['file']};{entry['sha256']};merged" in csv_text

    bundle = files["per-instansi/PK-Dinas-Komunikasi-dan-Informatika.pdf"]
    # every page of each single PDF, in signing order, saying the same and the same size
    assert _page_texts(bundle) == _page_texts(singles["K-1"]) + _page_texts(singles["K-3"])
    assert _page_sizes(bundle) == _page_sizes(singles["K-1"]) + _page_sizes(singles["K-3"])
    first_pages = len(PdfReader(io.BytesIO(singles["K-1"])).pages)
    with pikepdf.Pdf.open(io.BytesIO(bundle)) as pdf:
        with pdf.open_outline() as outline:
            marks = [(item.title, pdf.pages.index(item.destination[0]) if isinstance(item.destination, pikepdf.Array)
                      else None) for item in outline.root]
        assert pdf.Root.PageMode == pikepdf.Name.UseOutlines
    assert marks == [("Budi Santoso, S.T. - Kepala Bidang Aplikasi (K-1)", 0),
                     ("Ani Lestari, S.Kom. - Kepala Bidang Persandian (K-3)", first_pages)]


def test_merged_print_files_are_for_pdf_batches_only(batch_client):
    response = batch_client.post("/api/v1/batches", json={"type": "pk", "format": "docx", "merge_per_agency": True,
                                                          "items": _items()[:1]})
    assert response.status_code == 422
    assert [e["loc"] for e in response.get_json()["errors"]] == ["merge_per_agency"]
    bad = batch_client.post("/api/v1/batches", json={"type": "pk", "format": "pdf", "items": [
        {"ref": "1", "group": "", "data": {}}]})
    assert bad.status_code == 422 and [e["loc"] for e in bad.get_json()["errors"]] == ["items.0.group"]


def test_the_bundle_helper_groups_by_group_then_agency(tmp_path: Path):
    from workers.print_bundle import bundle_title, group_name

    assert group_name({"group": "Bagian Umum", "data": {"instansi": {"nama": "Dinas X"}}}) == "Bagian Umum"
    assert group_name({"data": {"instansi": {"nama": "Dinas X"}}}) == "Dinas X"
    assert bundle_title({"data": {"kepala": {"nama": "Ir. A", "jabatan": "Kepala Dinas"}}}, "L-1") == \
        "Ir. A - Kepala Dinas (L-1)"
