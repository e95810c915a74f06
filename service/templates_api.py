"""/api/v1/templates: the administrators' API for template versions (an admin key; others get 403)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from service import api_models as m
from service import template_admin
from service.api_spec import Response as Answer
from service.api_spec import operation
from service.language import request_language
from service.problems import Problem
from service.state import state

bp = Blueprint("templates", __name__, url_prefix="/api/v1/templates")


@bp.before_request
def _admins_only() -> None:
    template_admin.require_admin()


def _version_links(doc_type: str, version: int) -> dict[str, str]:
    base = f"{state().settings.base_url}/api/v1/templates/{doc_type}/versions/{version}"
    return {"file": f"{base}/file", "preview": f"{base}/preview", "activate": f"{base}/activate"}


def _with_links(history: dict[str, Any]) -> dict[str, Any]:
    versions = [{**v, "links": _version_links(history["type"], v["version"])} for v in history["versions"]]
    return {**history, "versions": versions}


@bp.get("")
@operation(responses={200: Answer("Every type's template versions", m.TemplateList)})
def list_types():
    """Every document type with its versions."""
    return {"templates": [_with_links(template_admin.history(t)) for t in state().templates.types()]}


@bp.get("/<doc_type>")
@operation(responses={200: Answer("The type's template versions", m.TemplateHistory)})
def show(doc_type: str):
    """One type: {type, name, active_version, versions: [{version, sha256, uploaded_at, uploaded_by,
    note, paper, active}], activations: [{version, at, by}]}. Errors: 404 unknown type."""
    return _with_links(template_admin.history(doc_type))


_UPLOAD = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "contentMediaType": "application/octet-stream"},
        "note": {"type": "string", "maxLength": 500}, "paper": {"enum": ["", "F4", "A4"]}}}}}}
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.post("/<doc_type>/versions")
@operation(body=_UPLOAD, responses={201: Answer("The new version (not active yet)", m.TemplateUploaded)})
def upload(doc_type: str):
    """Upload a new version (multipart: file, note, optional paper F4/A4); a worker checks it.
    201 {version, sha256, checks}; 422 naming every failed check; 404 unknown type; 409 the same file
    as an existing version; 503 no worker."""
    file = request.files.get("file")
    outcome = template_admin.upload(doc_type, file.read() if file else None,
                                    request.form.get("note", "").strip(), request.form.get("paper", "").strip(),
                                    request_language())
    if outcome.version is None:
        count = len(outcome.problems)
        failed = outcome.problems
        raise Problem.coded(422, "templat_ditolak",
                            {"jumlah": count, "rincian": "; ".join(f"{c['name']}: {c['message']}" for c in failed)},
                            errors=[{"loc": ["file"], "check": c["name"], "msg": c["message"]} for c in failed],
                            checks=outcome.checks)
    version = outcome.version
    location = f"{state().settings.base_url}/api/v1/templates/{doc_type}/versions/{version.version}"
    return ({"type": doc_type, "version": version.version, "sha256": version.sha256, "active": False,
             "checks": outcome.checks, "links": _version_links(doc_type, version.version)},
            201, {"Location": location})


@bp.get("/<doc_type>/versions/<int:version>")
@operation(responses={200: Answer("One version: sha256, upload, note, paper, active, links", m.TemplateVersion)})
def version_entry(doc_type: str, version: int):
    """One version of the type's template (where an upload's Location points). Errors: 404."""
    template_admin.version_of(doc_type, version)
    history = _with_links(template_admin.history(doc_type))
    return next(v for v in history["versions"] if v["version"] == version)


@bp.get("/<doc_type>/versions/<int:version>/file")
@operation(responses={200: Answer("The version's .docx", content={_DOCX: {"schema": {
    "type": "string", "contentMediaType": _DOCX}}}, headers={"ETag": "The file's sha256"})})
def file(doc_type: str, version: int) -> Response:
    """The version's .docx as uploaded. Errors: 404."""
    return template_admin.version_file(doc_type, version)


@bp.route("/<doc_type>/versions/<int:version>/preview", methods=["GET", "POST"])
@operation(query=m.PreviewQuery)
def preview(doc_type: str, version: int) -> Response:
    """The type's sample data rendered with this version: DOCX, or ``?format=pdf`` (GET, so
    ``links.preview`` opens in a browser; POST as before). Errors: 404, 422 format, 503 no worker
    or no LibreOffice."""
    return template_admin.preview_file(doc_type, version, request.args.get("format", "docx"))


@bp.post("/<doc_type>/versions/<int:version>/activate")
@operation(responses={200: Answer("The type's template versions", m.TemplateHistory)})
def activate(doc_type: str, version: int):
    """Make this version the one new documents use (an older one: the rollback). Errors: 404."""
    template_admin.activate(doc_type, version)
    return _with_links(template_admin.history(doc_type))
