"""POST /api/v1/documents/{id}/signed: a signed copy of the issued PDF comes back (from a TTE client).

The upload is checked by signing.check_signed_copy (pyHanko): it must carry intact PDF
signatures, start with the issued PDF's bytes (422 otherwise) and extend the previous signed
copy (409 otherwise; unless that copy holds a signature that is not valid, when signing may
start again from the issued PDF). Every copy is kept (signed-1.pdf, signed-2.pdf, ...; the latest also as
signed.pdf); the record lists each signature (``signatures``) and each copy (``signed_copies``).
The status is ``partially_signed`` until every party that signs this document has a valid
signature, then ``signed``. GET .../file?version=signed downloads the latest copy.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from flask import Blueprint, request

from sakip.errors import FieldProblem, InvalidPayload
from service.api_spec import operation
from service.problems import Problem
from service.state import state
from signing import SignatureFacts, SignedCopyRejected, check_signed_copy, load_trust_roots, required_signatures
from storage.files import document_path, write_atomic
from storage.records import DOWNLOADABLE, DocumentRecord, DocumentStatus, utcnow

__all__ = ["bp", "record_signatures", "signed_name", "signed_path"]

bp = Blueprint("signed", __name__, url_prefix="/api/v1/documents")

UPLOAD_LOCK_SECONDS = 120
"""Longest an upload may hold its document's lock (validation takes well under a second)."""


def signed_path(documents_dir: Path, doc_id: str, copy: int | None = None) -> Path:
    """Beside the original: documents/ab/abcdef....signed.pdf (the latest copy), or
    ...signed-N.pdf (copy N, kept when a later one arrives)."""
    return document_path(documents_dir, doc_id, "signed.pdf" if copy is None else f"signed-{copy}.pdf")


def signed_name(original_name: str) -> str:
    """PK-2026-...-Nama.pdf -> PK-2026-...-Nama-signed.pdf."""
    stem = original_name.rsplit(".", 1)[0]
    return f"{stem}-signed.pdf"


def record_signatures(record: DocumentRecord) -> list[SignatureFacts]:
    """The signatures the record lists (none before the first signed copy)."""
    return [SignatureFacts.from_dict(raw) for raw in json.loads(record.signatures or "[]")]


def signatures_required(record: DocumentRecord) -> int:
    """How many parties sign this document: from the stored request, or for a batch item (whose
    record keeps no request) from its summary: a PK without pihak kedua is a regional head's."""
    data = (json.loads(record.request or "{}") or {}).get("data")
    if not isinstance(data, dict):
        parties = (json.loads(record.summary or "{}").get("pihak") or {})
        data = {"tingkat": "jpt" if "pihak_kedua" in parties else "kepala_daerah"}
    return required_signatures(record.type, data)


def signing_state(record: DocumentRecord) -> dict[str, Any]:
    """The record's signatures as clients see them: each signature, the copies, how many must sign."""
    return {"required_signatures": signatures_required(record),
            "signatures": [s.as_dict() for s in record_signatures(record)],
            "copies": json.loads(record.signed_copies or "[]")}


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


def _numbered(facts: list[SignatureFacts], known: list[SignatureFacts], copy: int) -> list[SignatureFacts]:
    """Each signature with the copy that brought it: earlier ones keep theirs, new ones get ``copy``."""
    earlier = {(s.field, s.certificate_sha256): s.copy for s in known}
    return [SignatureFacts.from_dict({**f.as_dict(), "copy": earlier.get((f.field, f.certificate_sha256), copy)})
            for f in facts]


@bp.post("/<doc_id>/signed")
@operation(body={"required": True, "content": {"application/pdf": {"schema": {
    "type": "string", "contentMediaType": "application/pdf"}}}})
def upload_signed(doc_id: str):
    """Check and store a signed copy; answers the document's record. Errors: 404 unknown id,
    409 the document is not finished or not a PDF, or the file does not extend the latest
    signed copy, 410 the issued PDF is no longer stored, 413 too large, 415 not a PDF upload,
    422 not a readable PDF, no intact signature, not this document, or changed beyond signing."""
    from service.documents import _public, _record_or_404

    record = _record_or_404(doc_id)
    if record.status not in DOWNLOADABLE:
        raise Problem.coded(409, "ttd_belum_selesai", {"status": record.status})
    if "pdf" not in record.formats:
        raise Problem.coded(409, "ttd_bukan_pdf")
    content = _uploaded_pdf()
    _check_pdf(content)
    st = state()
    issued_path = document_path(st.settings.documents_dir, doc_id, "pdf")
    if not issued_path.is_file():
        raise Problem(410, "Gone", "The issued PDF is no longer stored: the signed copy can't be checked against it.")
    # One upload per document at a time: each must extend the copy the previous one stored.
    lock = st.redis.lock(f"docgen:signing:{doc_id}", timeout=UPLOAD_LOCK_SECONDS)
    if not lock.acquire(blocking_timeout=UPLOAD_LOCK_SECONDS):
        raise Problem(409, "Conflict", "Another signed copy of this document is being checked; try again.")
    try:
        record = _record_or_404(doc_id)
        previous = signed_path(st.settings.documents_dir, doc_id).read_bytes() if record.signed else None
        known = record_signatures(record)
        if previous is not None and not content.startswith(previous) and any(not s.valid for s in known):
            # The latest copy holds a signature that is not valid (its signer is not trusted): a copy
            # can't be repaired by signing on top of it, so signing may start again from the issued PDF.
            previous = None
        try:
            checked = check_signed_copy(content, issued_path.read_bytes(), previous,
                                        load_trust_roots(st.settings.trust_roots))
        except SignedCopyRejected as exc:
            title = "Conflict" if exc.status == 409 else "Invalid signed copy"
            raise Problem(exc.status, title, exc.message, detail_en=exc.message_en,
                          errors=[{"loc": "file", "msg": exc.message_en}]) from None
        if checked.unchanged:  # the same copy again (a retried upload): nothing changes
            return _public(record), 200
        copies = json.loads(record.signed_copies or "[]")
        number = len(copies) + 1
        facts = _numbered(checked.signatures, known, number)  # a signature keeps the copy that brought it
        write_atomic(signed_path(st.settings.documents_dir, doc_id, number), content)
        write_atomic(signed_path(st.settings.documents_dir, doc_id), content)
        signers = {s.certificate_sha256 for s in facts if s.valid}  # one person signing twice is one party
        status = (DocumentStatus.SIGNED if len(signers) >= signatures_required(record)
                  else DocumentStatus.PARTIALLY_SIGNED)
        copies.append({"copy": number, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content),
                       "received_at": utcnow(), "new_signatures": checked.new_signatures})
        name = signed_name((record.file("pdf") or record.files[0]).name)
        st.records.mark_signed(doc_id, name, content, status=status,
                               signatures=json.dumps([f.as_dict() for f in facts], ensure_ascii=False),
                               signed_copies=json.dumps(copies))
    finally:
        lock.release()
    updated = st.records.get(doc_id)
    assert updated is not None and updated.status == status.value
    return _public(updated), 200
