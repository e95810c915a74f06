"""Pictures uploaded once through /api/v1/assets (an agency's logo, the Garuda) and named by id in
document requests: stored with a database row, refused when they are not whole PNG/JPEG within
the limits, resolved by a real worker into the rendered document."""

from __future__ import annotations

import copy
import hashlib
import io

import pytest
from PIL import Image

from sakip.messages import MESSAGES
from tests.conftest import bearer, example
from tests.docx_reading import open_docx
from tests.pictures import logo_jpeg, logo_png, noise_png
from workers.images import asset_store_for, resolve_image

BOSS = bearer("boss")


def _upload_raw(client, data: bytes, media_type: str = "image/png", name: str = "Logo Provinsi", headers=BOSS):
    return client.post(f"/api/v1/assets?name={name}", data=data, content_type=media_type, headers=headers)


def _upload_form(client, data: bytes, filename: str = "logo.jpg", name: str = "", headers=BOSS):
    form = {"file": (io.BytesIO(data), filename), **({"name": name} if name else {})}
    return client.post("/api/v1/assets", data=form, content_type="multipart/form-data", headers=headers)


def _pictures(docx: bytes) -> list[bytes]:
    """The bytes of every inline picture of the body (python-docx inline shapes)."""
    document = open_docx(docx)
    found = []
    for shape in document.inline_shapes:
        rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        found.append(document.part.related_parts[rid].blob)
    return found


def test_an_uploaded_picture_is_listed_read_and_deleted(keyed_client, keyed_settings):
    png = logo_png()
    created = _upload_raw(keyed_client, png, name="Logo Provinsi Sumatera Utara")
    assert created.status_code == 201, created.get_json()
    entry = created.get_json()
    assert entry["name"] == "Logo Provinsi Sumatera Utara" and entry["media_type"] == "image/png"
    assert (entry["width"], entry["height"], entry["size"]) == (300, 360, len(png))
    assert entry["sha256"] == hashlib.sha256(png).hexdigest() and entry["uploaded_by"] == "boss"
    assert created.headers["Location"] == f"http://docgen.test/api/v1/assets/{entry['id']}"
    jpeg = _upload_form(keyed_client, logo_jpeg(), name="Logo Dinas")
    assert jpeg.status_code == 201 and jpeg.get_json()["media_type"] == "image/jpeg"

    listed = keyed_client.get("/api/v1/assets", headers=BOSS).get_json()["assets"]
    assert {a["id"] for a in listed} == {entry["id"], jpeg.get_json()["id"]}
    assert keyed_client.get(f"/api/v1/assets/{entry['id']}", headers=BOSS).get_json()["name"] == entry["name"]
    file = keyed_client.get(f"/api/v1/assets/{entry['id']}/file", headers=BOSS)
    assert file.status_code == 200 and file.data == png and file.mimetype == "image/png"
    # the bytes are in the data folder, where a worker reads them
    assert resolve_image_by_id(keyed_settings, entry["id"]).data == png

    assert keyed_client.delete(f"/api/v1/assets/{entry['id']}", headers=BOSS).status_code == 204
    gone = keyed_client.get(f"/api/v1/assets/{entry['id']}", headers=BOSS)
    assert gone.status_code == 404 and entry["id"] in gone.get_json()["detail"]
    assert not asset_store_for(keyed_settings).path(entry["id"]).exists()
    assert keyed_client.delete(f"/api/v1/assets/{entry['id']}", headers=BOSS).status_code == 404


def resolve_image_by_id(settings, asset_id: str):
    from sakip.images import ImageRef

    return resolve_image(ImageRef(asset=asset_id), asset_store_for(settings))


def test_only_an_administrator_manages_assets(keyed_client):
    assert _upload_raw(keyed_client, logo_png(), headers=bearer("a")).status_code == 403
    assert _upload_raw(keyed_client, logo_png(), headers={}).status_code == 401
    assert keyed_client.get("/api/v1/assets", headers=bearer("a")).status_code == 403
    assert keyed_client.get("/api/v1/assets", headers=BOSS).get_json() == {"assets": []}


def _truncated_png() -> bytes:
    data = logo_png(600, 600)
    return data[: len(data) * 2 // 3]


def _wide_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3000, 40), "white").save(out, "PNG")
    return out.getvalue()


BAD_PICTURES = {
    "a text file renamed logo.png": (b"PEMERINTAH PROVINSI\n" * 50, "gambar_rusak"),
    "3 MB": (noise_png(1100, 1000), "gambar_terlalu_besar"),
    "3000 px wide": (_wide_png(), "gambar_terlalu_lebar"),
    "a truncated PNG": (_truncated_png(), "gambar_rusak"),
    "a GIF": (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00"
              b"\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", "gambar_jenis"),
}


@pytest.mark.parametrize("case", list(BAD_PICTURES))
def test_a_bad_upload_is_a_422_naming_the_file(keyed_client, case):
    data, code = BAD_PICTURES[case]
    if case == "3 MB":
        assert len(data) >= 3 * 1024 * 1024
    for response in (_upload_raw(keyed_client, data), _upload_form(keyed_client, data, filename="logo.png")):
        assert response.status_code == 422, (case, response.get_json())
        errors = response.get_json()["errors"]
        assert [e["loc"] for e in errors] == ["file"], errors
        assert MESSAGES[code][0].split("{")[0] in errors[0]["msg"], errors
    assert keyed_client.get("/api/v1/assets", headers=BOSS).get_json() == {"assets": []}


def test_an_empty_upload_is_a_422(keyed_client):
    response = _upload_raw(keyed_client, b"")
    assert response.status_code == 422 and response.get_json()["errors"][0]["loc"] == "file"


def test_an_unknown_asset_id_is_a_422_at_intake_naming_the_field(keyed_client):
    body = example("pk-jpt")
    body["data"]["instansi"]["logo"] = {"asset": "0" * 32}
    response = keyed_client.post("/api/v1/documents", json=body, headers=bearer("a"))
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert [e["loc"] for e in errors] == ["data.instansi.logo.asset"], errors
    assert "0" * 32 in errors[0]["msg"] and "aset" in errors[0]["msg"]


def test_a_logo_named_by_asset_id_is_in_the_rendered_document(keyed_client, run_worker):
    png = logo_png()
    asset_id = _upload_raw(keyed_client, png).get_json()["id"]
    body = example("pk-jpt")
    body["data"]["instansi"]["logo"] = {"asset": asset_id}
    accepted = keyed_client.post("/api/v1/documents", json=body, headers=bearer("a"))
    assert accepted.status_code == 202, accepted.get_json()
    run_worker()
    doc_id = accepted.get_json()["id"]
    record = keyed_client.get(f"/api/v1/documents/{doc_id}", headers=bearer("a")).get_json()
    assert record["status"] == "finished", record
    docx = keyed_client.get(f"/api/v1/documents/{doc_id}/file", headers=bearer("a")).data
    assert png in _pictures(docx)


def test_an_asset_deleted_after_acceptance_fails_the_document_with_the_reason(keyed_client, run_worker):
    asset_id = _upload_raw(keyed_client, logo_png()).get_json()["id"]
    body = copy.deepcopy(example("pk-jpt"))
    body["data"]["instansi"]["logo"] = {"asset": asset_id}
    accepted = keyed_client.post("/api/v1/documents", json=body, headers=bearer("a"))
    assert accepted.status_code == 202
    assert keyed_client.delete(f"/api/v1/assets/{asset_id}", headers=BOSS).status_code == 204
    run_worker()
    record = keyed_client.get(f"/api/v1/documents/{accepted.get_json()['id']}", headers=bearer("a")).get_json()
    assert record["status"] == "failed" and "data.instansi.logo.asset" in record["error"], record
    assert asset_id in record["error"]
