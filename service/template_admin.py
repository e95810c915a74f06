"""Template administration shared by the API and the /admin page: who may, uploading a version
(checked by a worker, since the web never renders), previewing one, activating one."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Response, send_file
from redis import Redis
from rq.command import send_stop_job_command
from rq.job import JobStatus
from rq.results import Result

from sakip.errors import FieldProblem, InvalidPayload
from sakip.messages import DEFAULT_LANGUAGE, message
from service.auth import current_client
from service.problems import Problem
from service.state import state
from storage.files import CONTENT_TYPES, write_atomic
from storage.templates import TemplateVersion, UnknownTemplate
from workers.paper import PAPER_SIZES_MM

__all__ = ["MAX_NOTE", "Upload", "activate", "history", "preview", "preview_file", "require_admin", "upload",
           "version_file", "version_of"]

MAX_NOTE = 500
"""Longest note an upload may carry."""


@dataclass(frozen=True)
class Upload:
    """What an upload came to: the checks, and the new version when they all passed."""

    checks: list[dict[str, Any]]
    version: TemplateVersion | None

    @property
    def problems(self) -> list[dict[str, Any]]:
        return [check for check in self.checks if not check["ok"]]


def require_admin() -> None:
    """Raise 403 unless the caller is an administrator."""
    if not current_client().admin:
        raise Problem(403, "Forbidden", "Template administration needs an administrator's key.")


def history(doc_type: str) -> dict[str, Any]:
    """The type's versions; 404 for a type without templates."""
    try:
        return state().templates.history(doc_type)
    except UnknownTemplate as exc:
        raise Problem(404, "Not Found", str(exc)) from None


def version_of(doc_type: str, version: int) -> TemplateVersion:
    """One version; 404 when the type or the version does not exist."""
    try:
        return state().templates.get(doc_type, version)
    except UnknownTemplate as exc:
        raise Problem(404, "Not Found", str(exc)) from None


def _on_worker(function: str, *args: Any, what: str) -> Any:
    """Run ``function`` on a document worker (ahead of queued documents) and wait for its result."""
    st = state()
    wait = st.settings.admin_wait_seconds
    limit = st.settings.template_render_timeout
    job = st.queue.enqueue(function, *args, at_front=True, job_timeout=limit,
                           result_ttl=120, failure_ttl=3600, description=what)
    # The wait is one blocking read: on a connection whose socket timeout outlasts it (the shared one's
    # few seconds would cut it short).
    job.connection = Redis.from_url(st.settings.redis_url, socket_timeout=wait + 10, socket_connect_timeout=2)
    try:
        result = job.latest_result(timeout=wait)
        if result is None:
            if job.get_status() == JobStatus.STARTED:
                send_stop_job_command(job.connection, job.id)  # nobody waits for it any more
            job.cancel()
            raise Problem(503, "Service Unavailable", f"No document worker finished {what} within {wait} s; is a "
                          "worker running on the documents queue? Nothing was changed.", headers={"Retry-After": "30"})
        job.delete()
    finally:
        job.connection.close()
    if result.type != Result.Type.SUCCESSFUL and "JobTimeoutException" in (result.exc_string or ""):
        raise InvalidPayload([FieldProblem("file", f"rendering the sample data with this template took longer than "
                                                   f"{limit} s (DOCGEN_TEMPLATE_RENDER_TIMEOUT): a loop too large?")])
    if result.type != Result.Type.SUCCESSFUL:
        last_line = (result.exc_string or "").strip().splitlines()[-1:] or ["unknown error"]
        raise Problem(500, "Internal Server Error", f"The worker failed {what}: {last_line[0]}")
    return result.return_value


def upload(doc_type: str, content: bytes | None, note: str, paper: str, lang: str = DEFAULT_LANGUAGE) -> Upload:
    """Check ``content`` on a worker and store it as the type's next version when every check passes.
    Raises InvalidPayload for a missing file or a bad note or paper, Problem 404 for an unknown type
    and 409 for a file identical to an existing version."""
    versions = history(doc_type)["versions"]
    problems = []
    if not content:
        problems.append(FieldProblem("file", "template_berkas_wajib"))
    if len(note) > MAX_NOTE:
        problems.append(FieldProblem("note", "catatan_terlalu_panjang", {"maks": MAX_NOTE}))
    if paper and paper not in PAPER_SIZES_MM:
        problems.append(FieldProblem("paper", "ukuran_kertas", {"pilihan": ", ".join(PAPER_SIZES_MM)}))
    if problems:
        raise InvalidPayload(problems)
    st = state()
    sha256 = hashlib.sha256(content).hexdigest()
    same = next((v["version"] for v in versions if v["sha256"] == sha256), None)
    if same is not None:
        raise Problem(409, "Conflict", f"This file is identical to {doc_type} version {same}; activate that "
                      "version instead of uploading it again.", version=same)
    staged = st.settings.template_store_dir / doc_type / "uploads" / f"{uuid.uuid4().hex}.docx"
    write_atomic(staged, content)
    try:
        found = _on_worker("workers.template_jobs.check_upload", doc_type, str(staged),
                           what=f"checking the {doc_type} template upload")
    finally:
        staged.unlink(missing_ok=True)
    # Each check's sentence in the reader's language (the worker gives codes, sakip/messages.py words them).
    checks = [{"name": c["name"], "ok": c["ok"], "code": c["code"], "message": message(c["code"], c["params"], lang)}
              for c in found]
    if not all(check["ok"] for check in checks):
        return Upload(checks=checks, version=None)
    version = st.templates.add_version(doc_type, content, uploaded_by=current_client().name or "anonymous",
                                       note=note, paper=paper or None)
    return Upload(checks=checks, version=version)


def _download(content: bytes, extension: str, name: str, etag: str | None = None) -> Response:
    return send_file(io.BytesIO(content), mimetype=CONTENT_TYPES[extension], as_attachment=True, download_name=name,
                     etag=etag or False)


def version_file(doc_type: str, version: int) -> Response:
    """The version's .docx as uploaded, as a download; 404 when it does not exist."""
    found = version_of(doc_type, version)
    # a version's file never changes: its hash is its ETag (If-None-Match answers 304)
    return _download(found.content, "docx", f"{doc_type}-v{version}.docx", etag=found.sha256)


def preview_file(doc_type: str, version: int, extension: str) -> Response:
    """The preview as a download; 422 for a format other than docx or pdf."""
    if extension not in CONTENT_TYPES:
        raise InvalidPayload([FieldProblem("format", "literal_error", {"expected": ", ".join(CONTENT_TYPES)})])
    return _download(preview(doc_type, version, extension), extension,
                     f"preview-{doc_type}-v{version}.{extension}")


def preview(doc_type: str, version: int, extension: str) -> bytes:
    """The type's sample data rendered with ``version`` as ``extension``, made by a worker."""
    version_of(doc_type, version)
    made = _on_worker("workers.template_jobs.preview_version", doc_type, version, extension,
                      what=f"the preview of {doc_type} template version {version}")
    if isinstance(made, dict):
        raise Problem(503, "Service Unavailable", made["unavailable"], headers={"Retry-After": "30"})
    return made


def activate(doc_type: str, version: int) -> TemplateVersion:
    """Make ``version`` the type's active one; 404 when it does not exist."""
    version_of(doc_type, version)
    return state().templates.activate(doc_type, version, activated_by=current_client().name or "anonymous")
