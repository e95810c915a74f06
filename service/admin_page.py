"""/admin: the administrators' page (server-rendered, in Indonesian; ``?lang=en`` English, see
service.admin_language and the sentences in service.admin_texts): template versions with upload,
checks, preview and activation, and the batches running now. Signing in takes an administrator's API
key; the session lives in Redis (storage.admin_sessions) and the signed cookie holds only its random
id and the CSRF token every form carries. Failed sign-ins are limited per address (service.signin_guard)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import Blueprint, Response, g, redirect, request, session, url_for

from sakip.errors import InvalidPayload
from service import template_admin
from service.admin_language import page_language, problem_sentence, render_page
from service.admin_texts import CHECK_NAMES, TEXTS
from service.auth import ANONYMOUS, Client
from service.problems import Problem
from service.signin_guard import check_not_blocked, note_failure
from service.state import state
from storage.admin_sessions import AdminSessions
from storage.batches import BatchStore, progress

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

PUBLIC_ENDPOINTS = {"admin.login", "admin.sign_in"}

SESSION_HOURS = 8
"""An admin session ends after this many hours without a request."""


def _sessions() -> AdminSessions:
    return AdminSessions(state().redis, SESSION_HOURS * 3600)


def _signed_in() -> Client | None:
    ring = state().keys
    if not ring.configured:
        return ANONYMOUS
    sid = session.get("sid")
    found = _sessions().get(sid)
    if found is None:
        return None
    for key in ring.keys():
        if key.admin and hmac.compare_digest(key.digest, found["digest"]):
            return Client(name=key.name, admin=True)
    _sessions().end(sid)  # the key was revoked (or lost its admin role): the session ends with it
    return None


@bp.before_request
def _guard() -> Response | None:
    if request.endpoint not in PUBLIC_ENDPOINTS:
        client = _signed_in()
        if client is None:
            session.pop("sid", None)
            return redirect(url_for("admin.login", **_keep_language()))
        g.docgen_client = client
    if request.method == "POST" and not hmac.compare_digest(request.form.get("csrf", ""), session.get("csrf", "-")):
        raise Problem(400, "Bad Request", TEXTS[page_language()]["stale"])
    return None


def _keep_language() -> dict[str, str]:
    """The ``lang`` argument that keeps an English page English across a redirect."""
    return {"lang": "en"} if page_language() == "en" else {}


@bp.context_processor
def _csrf() -> dict[str, Any]:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return {"csrf": session["csrf"]}


@bp.get("/login")
def login(message: str = "", status: int = 200) -> tuple[str, int]:
    return render_page("admin/login.html", TEXTS, status, message=message)


@bp.post("/login")
def sign_in():
    """Raises Problem 429 (shown on the sign-in page) while this address has failed too often."""
    check_not_blocked()
    key = state().keys.check(request.form.get("key", "").strip())
    if key is None:
        note_failure("admin sign-in")
        return login(TEXTS[page_language()]["bad_key"], 401)
    if not key.admin:
        check_not_blocked(key.name)
        note_failure("admin sign-in", key.name)
        return login(TEXTS[page_language()]["client_key"].format(name=key.name), 403)
    _sessions().end(session.get("sid"))
    session.clear()  # fresh id and token at every sign-in: anything planted before it is worth nothing
    session.update(sid=_sessions().create(key.name, key.digest), csrf=secrets.token_urlsafe(24))
    return redirect(url_for("admin.index", **_keep_language()))


@bp.post("/logout")
def sign_out():
    _sessions().end(session.get("sid"))
    session.clear()
    return redirect(url_for("admin.login", **_keep_language()))


def _batches() -> list[dict[str, Any]]:
    st = state()
    return [{**record.to_fields(), "progress": progress(record)}
            for record in BatchStore(st.redis, st.settings.record_ttl_days * 86400).recent()]


def _page(status: int = 200, **extra: Any) -> tuple[str, int]:
    st = state()
    templates = [template_admin.history(t) for t in st.templates.types()]
    return render_page("admin/index.html", TEXTS, status, templates=templates, batches=_batches(),
                       client=g.docgen_client, keys_configured=st.keys.configured,
                       ttl_days=st.settings.record_ttl_days, message=request.args.get("message", ""),
                       check_names=CHECK_NAMES[page_language()], **extra)


@bp.get("")
def index():
    return _page()


@bp.errorhandler(Problem)
def _problem(exc: Problem):
    if "docgen_client" not in g:
        page, status = login(problem_sentence(exc), exc.status)
        return page, status, exc.headers
    return _page(exc.status, error=problem_sentence(exc))


@bp.post("/templates/<doc_type>/upload")
def upload(doc_type: str):
    file = request.files.get("file")
    try:
        outcome = template_admin.upload(doc_type, file.read() if file else None,
                                        request.form.get("note", "").strip(), request.form.get("paper", ""),
                                        page_language())
    except InvalidPayload as exc:
        return _page(422, error="; ".join(f"{p.loc}: {p.message(page_language())}" for p in exc.problems))
    return _page(201 if outcome.version else 422, upload={"type": doc_type, "outcome": outcome,
                                                          "filename": file.filename if file else ""})


@bp.get("/templates/<doc_type>/versions/<int:version>/file")
def download(doc_type: str, version: int) -> Response:
    return template_admin.version_file(doc_type, version)


@bp.post("/templates/<doc_type>/versions/<int:version>/preview")
def preview(doc_type: str, version: int) -> Response:
    return template_admin.preview_file(doc_type, version, request.form.get("format", "docx"))


@bp.post("/templates/<doc_type>/versions/<int:version>/activate")
def activate(doc_type: str, version: int):
    template_admin.activate(doc_type, version)
    done = TEXTS[page_language()]["now_active"].format(type=doc_type, version=version)
    return redirect(url_for("admin.index", message=done, _anchor=f"type-{doc_type}", **_keep_language()))
