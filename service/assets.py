"""/api/v1/assets: pictures an administrator uploads once per agency (a logo, the Garuda) and
document requests then name by id (``{"asset": "<id>"}``) instead of sending them every time.

Upload as the raw body (``Content-Type: image/png`` or ``image/jpeg``, the name in ``?name=``)
or as multipart (``file``, ``name``). Each picture is checked as the base64 ones in a request
are (sakip.images.check_image: PNG/JPEG, whole, at most 1 MB and 2,000 px); a bad one is a 422
naming ``file``. Listing and reading are for administrators too: the ids are what clients need.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, send_file
from pydantic import BaseModel, ConfigDict

from sakip.errors import FieldProblem, InvalidPayload, ReadError
from sakip.images import asset_refs, check_image
from service.api_spec import Response as Answer
from service.api_spec import operation
from service.auth import current_client
from service.problems import Problem
from service.state import state
from service.template_admin import require_admin
from storage.assets import MAX_ASSET_NAME, AssetInfo, AssetStore

__all__ = ["AssetEntry", "AssetList", "asset_store", "bp", "check_asset_refs"]

bp = Blueprint("assets", __name__, url_prefix="/api/v1/assets")

_ID = "5d41402abc4b2a76b9719d911017c592"


class AssetEntry(AssetInfo):
    """An uploaded picture: its id (to name in requests as ``{"asset": id}``), name, type, size."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": _ID, "name": "Logo Kabupaten Deli Serdang", "media_type": "image/png", "size": 48213, "width": 600,
        "height": 720, "sha256": "9f2c...", "uploaded_by": "admin", "created_at": "2026-11-28T10:00:00Z",
        "links": {"self": f"http://127.0.0.1:8000/api/v1/assets/{_ID}",
                  "file": f"http://127.0.0.1:8000/api/v1/assets/{_ID}/file"}}]})

    links: dict[str, str]


class AssetList(BaseModel):
    """Every uploaded picture, newest first."""

    assets: list[AssetEntry]


def asset_store() -> AssetStore:
    """The app's asset store (the record store's database, the data folder's assets/)."""
    st = state()
    return AssetStore(st.records.database, st.settings.assets_dir)


def check_asset_refs(data: BaseModel, prefix: str = "data") -> None:
    """InvalidPayload naming each field whose asset id no picture has (``data.instansi.logo.asset``)."""
    refs = asset_refs(data, prefix)
    if not refs:
        return
    known = asset_store().exists({asset_id for _, asset_id in refs})
    problems = [FieldProblem(loc, "aset_tidak_dikenal", {"id": asset_id}) for loc, asset_id in refs
                if asset_id not in known]
    if problems:
        raise InvalidPayload(problems)


@bp.before_request
def _admins_only() -> None:
    require_admin()


def _entry(info: AssetInfo) -> dict[str, Any]:
    base = f"{state().settings.base_url}/api/v1/assets/{info.id}"
    return {**info.as_dict(), "links": {"self": base, "file": f"{base}/file"}}


def _found(asset_id: str) -> AssetInfo:
    info = asset_store().get(asset_id) if len(asset_id) <= 64 else None
    if info is None:
        raise Problem.coded(404, "aset_tidak_ada", {"id": asset_id})
    return info


def _uploaded() -> tuple[bytes, str]:
    """The picture's bytes and name, from a multipart form or the raw body."""
    if request.mimetype == "multipart/form-data":
        file = request.files.get("file")
        data = file.read() if file else b""
        name = request.form.get("name") or (file.filename if file else "") or ""
    else:
        data = request.get_data(cache=False)
        name = request.args.get("name", "")
    return data, name.strip()


_PICTURE = {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}
_UPLOAD = {"required": True, "description": "The picture (PNG or JPEG, at most 1 MB and 2,000 px): raw, with its "
           "name in ?name=, or multipart with fields file and name.", "content": {
               "image/png": _PICTURE, "image/jpeg": _PICTURE,
               "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                   "file": {"type": "string", "contentMediaType": "application/octet-stream"},
                   "name": {"type": "string", "maxLength": MAX_ASSET_NAME}}}}}}


@bp.post("")
@operation(body=_UPLOAD, responses={201: Answer("The stored picture and its id", AssetEntry,
                                                headers={"Location": "The asset's URL"})})
def upload():
    """Store a picture once; requests then name it as ``{"asset": id}``. 201 with its id. Errors:
    422 naming ``file`` (missing, not PNG/JPEG, larger than 1 MB or 2,000 px, truncated) or
    ``name`` (too long); 403 without an administrator's key."""
    data, name = _uploaded()
    problems = []
    if len(name) > MAX_ASSET_NAME:
        problems.append(FieldProblem("name", "string_too_long", {"max_length": MAX_ASSET_NAME}))
    if not data:
        problems.append(FieldProblem("file", "aset_berkas_wajib"))
    image = None
    if data:
        try:
            image = check_image(data)
        except ReadError as exc:
            problems.append(FieldProblem("file", exc.code, exc.params))
    if problems or image is None:
        raise InvalidPayload(problems)
    info = asset_store().add(image, name, current_client().name or "anonymous")
    entry = _entry(info)
    return entry, 201, {"Location": entry["links"]["self"]}


@bp.get("")
@operation(responses={200: Answer("Every uploaded picture, newest first", AssetList)})
def list_assets():
    """Every uploaded picture with its id, newest first."""
    return {"assets": [_entry(info) for info in asset_store().all()]}


@bp.get("/<asset_id>")
@operation(responses={200: Answer("One uploaded picture", AssetEntry)})
def show(asset_id: str):
    """One picture's record. Errors: 404."""
    return _entry(_found(asset_id))


@bp.get("/<asset_id>/file")
@operation(responses={200: Answer("The picture as uploaded", content={
    "image/png": _PICTURE, "image/jpeg": _PICTURE}, headers={"ETag": "The picture's sha256"})})
def file(asset_id: str):
    """The picture as uploaded. Errors: 404."""
    info = _found(asset_id)
    path = asset_store().path(info.id)
    if not path.exists():
        raise Problem.coded(404, "aset_tidak_ada", {"id": asset_id})
    return send_file(path, mimetype=info.media_type, etag=info.sha256, max_age=0)


@bp.delete("/<asset_id>")
@operation(responses={204: Answer("Deleted")})
def remove(asset_id: str):
    """Delete the picture. Documents already made keep it; new requests naming it get a 422.
    Errors: 404."""
    _found(asset_id)
    asset_store().delete(asset_id)
    return "", 204

