"""The Pohon Kinerja: a province's PKs (the generated batch, links broken on purpose) drawn as a
tree on landscape pages, read back from the PDF (pdftotext finds every node on its diagram page and
in the Matriks Cascading), every drawing printed at a readable size, with the id and QR code."""

from __future__ import annotations

import copy
import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from PIL import Image

from doctypes.pohon_kinerja.context import FONT_PT, MIN_SCALE, pohon_kinerja_context
from doctypes.pohon_kinerja.model import PohonKinerjaData
from sakip.media import DIAGRAM_DPI
from tests.province import province

pytestmark = pytest.mark.usefixtures("shared_converter")
"""PDFs from the session's warm LibreOffice (conftest.shared_converter)."""

INSTANSI = {"pemerintah": "Pemerintah Provinsi Sumatera Utara", "nama": "Pemerintah Provinsi Sumatera Utara"}
EMU_PER_MM = 36000


def _body(items: list[dict[str, Any]], fmt: str = "pdf") -> dict[str, Any]:
    return {"type": "pohon_kinerja", "format": fmt, "data": {"tahun": 2026, "instansi": INSTANSI, "pk": items}}


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "pohon.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
def test_the_province_tree_renders_and_every_node_reads_back(make_document, tmp_path):
    items = province()
    record, pdf = make_document(_body(items))
    assert record["file"]["name"] == "Pohon-Kinerja-2026-Pemerintah-Provinsi-Sumatera-Utara.pdf"
    pages = [_squash(p) for p in _pages(pdf, tmp_path)]
    diagram_pages = [p for p in pages if p.startswith("Diagram ")]
    matrix = " ".join(p for p in pages if "MATRIKS CASCADING" in p or p.startswith("No Jabatan"))
    for item in items:
        person = item["data"]["pihak_pertama"]
        on_diagram = [p for p in diagram_pages if f"{person['jabatan']} ({person['nama']})" in p]
        assert on_diagram, item["ref"]  # every PK is drawn on a diagram page, and named there as text
        assert person["nama"] in matrix and f"Indikator 2.2 {item['ref']}" in matrix, item["ref"]
    assert "181 Perjanjian Kinerja pada 4 tingkat jabatan" in pages[0]
    notes = pages[-1] if "CATATAN KESELARASAN" in pages[-1] else pages[-2]
    assert 'D0-A0-P0: PK atasan "TIDAK-ADA" tidak ditemukan' in notes
    assert "D2-A0-P0 → D2-A0-P1 → D2-A0-P0" in notes
    assert f"ID dokumen {record['id']}" in pages[1] and f"verify/{record['id']}" in pages[-2]
    # landscape F4 pages
    info = subprocess.run(["pdfinfo", str(tmp_path / "pohon.pdf")], capture_output=True, text=True).stdout
    assert "936 x 609" in info


def _drawings(docx: bytes) -> list[tuple[float, Image.Image]]:
    """(printed width in mm, PNG) of every picture in the body that is a diagram (not the QR)."""
    doc = Document(io.BytesIO(docx))
    out = []
    for inline in doc.element.body.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}inline"):
        extent = inline.find("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent")
        blip = next(inline.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"))
        rid = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
        image = Image.open(io.BytesIO(doc.part.related_parts[rid].blob))
        out.append((int(extent.get("cx")) / EMU_PER_MM, image))
    return out


def _big_tree(subordinates: int) -> list[dict[str, Any]]:
    """A regional head with many heads of agency, one of them with a long title and many objectives."""
    items = [i for i in province() if i["ref"] == "KD"]
    template = next(i for i in province() if i["ref"] == "D0")
    for n in range(subordinates):
        item = copy.deepcopy(template)
        item["ref"] = f"D{n}"
        item["data"]["pihak_pertama"]["nama"] = f"Kepala Dinas Nomor {n}"
        item["data"]["pihak_pertama"]["jabatan"] = f"Kepala Dinas Pemberdayaan Masyarakat dan Desa Nomor {n}"
        items.append(item)
    many = items[1]["data"]["sasaran"]
    many += [copy.deepcopy(many[0]) for _ in range(4)]
    return items


def test_a_big_tree_is_split_across_pages_and_stays_readable(make_document, tmp_path):
    items = _big_tree(40)
    data = PohonKinerjaData.model_validate(_body(items)["data"])
    context = pohon_kinerja_context(data)
    assert len(context["diagram"]) >= 7  # 40 subordinates: at most six under their superior per diagram
    _, docx = make_document(_body(items, "docx"))
    drawings = [(w, im) for w, im in _drawings(docx) if im.size[0] > 400]  # the footer's QR is small
    assert len(drawings) == len(context["diagram"])
    for width_mm, image in drawings:
        natural_mm = image.size[0] / DIAGRAM_DPI * 25.4
        printed_pt = FONT_PT * width_mm / natural_mm
        assert printed_pt >= FONT_PT * MIN_SCALE - 0.01, (width_mm, natural_mm)
    pages = [_squash(p) for p in _pages(_pdf_of(make_document, items), tmp_path)]
    for n in range(40):
        assert any(f"Kepala Dinas Nomor {n})" in p for p in pages if p.startswith("Diagram ")), n


def _pdf_of(make_document, items: list[dict[str, Any]]) -> bytes:
    return make_document(_body(items))[1]


def test_the_shipped_sample_renders_with_its_tree_and_matrix(make_document, tmp_path):
    import json

    sample = json.loads((Path(__file__).resolve().parent.parent / "doctypes" / "pohon_kinerja" / "sample.json")
                        .read_text(encoding="utf-8"))
    _, docx = make_document({"type": "pohon_kinerja", "format": "docx", "data": sample})
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "MATRIKS CASCADING" in xml and "Diagram 1. Gubernur Sumatera Utara" in xml
    assert "S1 [M1]: Sasaran 1 KD" in xml  # the head of agency's objective serves the governor's M1


@pytest.mark.parametrize(("change", "loc"), [
    (lambda d: d["pk"].append(copy.deepcopy(d["pk"][0])), "data.pk"),
    (lambda d: d["pk"].clear(), "data.pk"),
    (lambda d: d["pk"][1]["data"].pop("tingkat"), "data.pk.1.data.tingkat"),
    (lambda d: d.pop("instansi"), "data.instansi"),
])
def test_bad_input_is_422_naming_the_field(client, change, loc):
    body = _body([i for i in province() if i["ref"] in ("KD", "D0")])
    change(body["data"])
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 422
    assert loc in [e["loc"] for e in response.get_json()["errors"]], response.get_json()


def test_a_tree_from_a_batch_id_draws_the_batchs_valid_pks(client, make_document, tmp_path):
    items = [i for i in province() if i["ref"] in ("KD", "D0", "D1", "D0-A0", "D0-A1", "D0-A0-P1")]
    items.append({"ref": "RUSAK", "data": {"tahun": 2026}})  # fails validation: left out of the tree
    batch = client.post("/api/v1/batches", json={"type": "pk", "items": items})
    assert batch.status_code == 202, batch.get_json()
    body = {"type": "pohon_kinerja", "format": "pdf",
            "data": {"tahun": 2026, "instansi": INSTANSI, "batch": batch.get_json()["id"]}}
    _, pdf = make_document(body)
    text = _squash(" ".join(_pages(pdf, tmp_path)))
    assert "6 Perjanjian Kinerja pada 4 tingkat jabatan" in text
    for item in items[:-1]:
        assert item["data"]["pihak_pertama"]["nama"] in text, item["ref"]
    unknown = client.post("/api/v1/documents", json={**body, "data": {**body["data"], "batch": "0" * 32}})
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"][0]["loc"] == "data.batch"
    assert "Tidak ada batch dengan id" in unknown.get_json()["errors"][0]["msg"]
