"""POST /api/v1/documents/{id}/signed: the signed PDF comes back (from a TTE client or a scan).

It is checked to be a PDF, stored beside the original, and the document's status becomes
"signed"; GET .../file?version=signed downloads it and /verify/{id} shows its sha256.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, request

from sakip.errors import FieldProblem, InvalidPayload
from service.problems import Problem
from service.state import state
from storage.files import document_path, write_atomic
from storage.records import DOWNLOADABLE, DocumentStatus

__all__ = ["bp", "signed_name", "signed_path"]

bp = Blueprint("signed", __name__, url_prefix="/api/v1/documents")


def signed_path(documents_dir: Path, doc_id: str) -> Path:
    """Beside the original: documents/ab/abcdef....signed.pdf."""
    return document_path(documents_dir, doc_id, "signed.pdf")


def signed_name(original_name: str) -> str:
    """PK-2026-...-Nama.pdf -> PK-2026-...-Nama-signed.pdf."""
    stem = original_name.rsplit(".", 1)[0]
    return f"{stem}-signed.pdf"


def _uploaded_pdf() -> bytes:
    """The PDF bytes, sent raw (application/pdf) or as multipart field "file"."""
    if request.mimetype == "application/pdf":
        return request.get_data(cache=False)
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise InvalidPayload([FieldProblem("file", "pdf_bertanda_tangan_wajib")])
        return upload.read()
    raise Problem.coded(415, "ttd_bukan_pdf_atau_multipart")


def _check_pdf(content: bytes) -> None:
    """A whole PDF: the header, and a cross-reference pointer and end marker at the end (a
    truncated upload or another file type fails; signing tools append incremental updates,
    which end the same way)."""
    if not re.match(rb"%PDF-\d\.\d", content):
        raise InvalidPayload([FieldProblem("file", "bukan_pdf")])
    if b"%%EOF" not in content[-2048:] or b"startxref" not in content[-4096:]:
        raise InvalidPayload([FieldProblem("file", "pdf_terpotong")])


@bp.post("/<doc_id>/signed")
def upload_signed(doc_id: str):
    """Store the signed copy; answers the document's record. Errors: 404 unknown id, 409 the
    document is not finished or was not made as PDF, 413 too large, 415 not a PDF upload,
    422 a body that is not a readable PDF."""
    from service.documents import _public, _record_or_404

    record = _record_or_404(doc_id)
    if record["status"] not in DOWNLOADABLE:
        raise Problem.coded(409, "ttd_belum_selesai", {"status": record["status"]})
    if "pdf" not in (record.get("formats") or record.get("format") or "").split(","):
        raise Problem.coded(409, "ttd_bukan_pdf")
    content = _uploaded_pdf()
    _check_pdf(content)
    st = state()
    write_atomic(signed_path(st.settings.documents_dir, doc_id), content)
    name = signed_name(record.get("file_pdf_name") or record["file_name"])
    st.records.mark_signed(doc_id, name, content)
    updated = st.records.get(doc_id)
    assert updated is not None and updated["status"] == DocumentStatus.SIGNED.value
    return _public(updated), 200
