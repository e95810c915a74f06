"""/admin/batches: bulk documents in the browser, in Indonesian (``?lang=en`` for English).

Download the workbook, upload it filled, watch the batch's progress live (the page polls a JSON
status), read the failed rows as a table, download the archive. Every page sits behind the admin
sign-in of service/admin_page.py (the same session, guard and CSRF token); the work itself is
the API's: the upload goes through the batch intake of service/batches.py.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, redirect, url_for

from sakip.doctypes import DOCUMENT_TYPES
from sakip.errors import InvalidPayload
from service import admin_page, batches
from service.admin_language import page_language as _lang
from service.admin_language import problem_sentence, render_page
from service.admin_texts import BULK_TEXTS
from service.problems import Problem

__all__ = ["bp"]

bp = Blueprint("admin_bulk", __name__, url_prefix="/admin/batches", template_folder="templates")
bp.before_request(admin_page._guard)
bp.context_processor(admin_page._csrf)


def _render(name: str, status: int = 200, **context: Any) -> tuple[str, int]:
    workbook_types = [(t.name, t.short or t.title) for t in DOCUMENT_TYPES.values() if t.workbook is not None]
    return render_page(name, BULK_TEXTS, status, workbook_types=workbook_types, **context)


@bp.get("")
def index():
    """The bulk page: workbook downloads, the upload form, the recent batches."""
    recent = [batches.public_batch(r) for r in batches._store().list(limit=20)]
    return _render("admin/batches.html", recent=recent)


@bp.post("")
def upload():
    """The filled workbook through the batch intake; then the batch's page. A refused workbook
    is shown as a table of its errors (sheet, cell, message) on this page."""
    try:
        answer = batches.submit()
    except InvalidPayload as exc:
        errors = [{"loc": p.loc, "msg": p.message(_lang())} for p in exc.problems]
        recent = [batches.public_batch(r) for r in batches._store().list(limit=20)]
        return _render("admin/batches.html", 422, recent=recent, refused=errors)
    body = answer[0] if isinstance(answer, tuple) else answer.get_json()
    return redirect(url_for("admin_bulk.show", batch_id=body["id"], lang=_lang()))


@bp.get("/template.xlsx")
def workbook() -> Response:
    return batches.workbook_template()


@bp.get("/<batch_id>")
def show(batch_id: str):
    """One batch: live progress, the failed rows, the archive link."""
    status = batches.status(batch_id)
    return _render("admin/batch.html", b=status, failed=_failed(batch_id))


@bp.get("/<batch_id>/status")
def status_json(batch_id: str):
    """The batch's status and (once it has ended) its failed rows, for the page's live view."""
    status = batches.status(batch_id)
    return {"batch": status, "failed": _failed(batch_id) if status["archive_ready"] else []}


@bp.get("/<batch_id>/archive")
def archive(batch_id: str) -> Response:
    return batches.archive(batch_id)


def _failed(batch_id: str) -> list[dict[str, Any]]:
    """Each failed row's errors in the page's language: ref, sheet cell (or field path), message."""
    lang = _lang()
    rows = []
    for item in batches._store().failed(batch_id):
        errors = [batches._public_entry(e, lang) for e in item.get("errors", [])]
        for error in errors or [{"loc": "", "msg": item.get("error", "")}]:
            rows.append({"ref": item["ref"], "where": error.get("cell") or error.get("loc") or "",
                         "msg": error["msg"]})
    return rows


@bp.errorhandler(Problem)
def _problem(exc: Problem):
    if "docgen_client" not in g:
        page, status = admin_page.login(problem_sentence(exc), exc.status)
        return page, status, exc.headers
    return _render("admin/batches.html", exc.status, recent=[], error=problem_sentence(exc))
