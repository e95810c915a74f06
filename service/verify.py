"""GET /verify/{id}: the public page that tells whether a printed or signed document is genuine.

Reached from the QR code on every document. An HTML page for people (Indonesian, times in
DOCGEN_TIMEZONE), JSON for programs (Accept: application/json), with the same facts: type, year,
agency, parties (name, position, NIP masked), issue time, template version, the sha256 of each
issued file, and the signatures: a plain status, each signer with the time, integrity and trust
of the signature, and the sha256 of every signed copy. The page hashes a file the reader picks,
in the browser (Web Crypto), and says which of these it is. Documents that were never issued
(queued, failed) are unknown: 404.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template, request

from sakip.doctypes import DOCUMENT_TYPES
from sakip.publik import format_waktu
from service.amendments import amendment_links
from service.problems import Problem
from service.signed import record_signatures, signatures_required
from service.state import state
from storage.records import DOWNLOADABLE, DocumentRecord, DocumentStatus

__all__ = ["ISSUED", "STATUS_TEXTS", "bp", "verification"]

bp = Blueprint("verify", __name__)

ISSUED = DOWNLOADABLE | {DocumentStatus.REVOKED.value}
"""Statuses of a document that was issued: the page knows it (a revoked one says so)."""

PARTY_TITLES = {"pihak_pertama": "Pihak Pertama", "pihak_kedua": "Pihak Kedua", "kepala": "Kepala Instansi"}

STATUS_TEXTS = {
    "signed": "Asli dan sudah ditandatangani",
    "partially_signed": "Asli, baru sebagian ditandatangani",
    "unsigned": "Asli, belum ditandatangani",
    "invalid": "Tanda tangan tidak valid",
    "unchecked": "Asli; salinan bertanda tangan diterima sebelum layanan memeriksa tanda tangan: belum diperiksa",
}
"""The plain status a reader sees, by ``signature_status``."""


def _signature_status(record: DocumentRecord, signatures: list[Any], required: int) -> str:
    if record.signed is None:
        return "unsigned"
    if not signatures:  # a copy stored before signatures were checked: never call it signed
        return "unchecked"
    if not all(s.valid for s in signatures):
        return "invalid"
    return "signed" if record.status == DocumentStatus.SIGNED.value else "partially_signed"


def verification(record: DocumentRecord) -> dict[str, Any]:
    """The public facts of an issued document, and nothing else."""
    zone = state().settings.timezone
    summary = json.loads(record.summary or "{}")
    signed = record.signed
    parties = [{"role": role, "title": PARTY_TITLES.get(role, role), "nama": party.get("nama"),
                "jabatan": party.get("jabatan"), "nip": party.get("nip")}
               for role, party in (summary.get("pihak") or {}).items()]
    signatures = record_signatures(record)
    required = signatures_required(record)
    status = _signature_status(record, signatures, required)
    text = STATUS_TEXTS[status]
    if status == "partially_signed":
        text += f" ({len({s.certificate_sha256 for s in signatures})} dari {required} penanda tangan)"
    copies = json.loads(record.signed_copies or "[]")
    revoked = record.status == DocumentStatus.REVOKED.value
    if revoked:
        text = "Dokumen ini DICABUT dan tidak berlaku lagi"
    return {
        "id": record.id,
        "genuine": True,
        "type": record.type,
        "type_title": DOCUMENT_TYPES[record.type].title if record.type in DOCUMENT_TYPES else record.type,
        "year": summary.get("tahun"),
        "agency": summary.get("instansi"),
        "parties": parties,
        "issued_at": record.finished_at or None,
        "issued_at_local": format_waktu(record.finished_at, zone),
        "template_version": int(record.template_version) if record.template_version else None,
        "files": [{"format": f.extension, "sha256": f.sha256} for f in record.files],
        "signature_status": status,
        "status_text": text,
        "required_signatures": required,
        "signatures": [{
            "signer_name": s.signer_name, "signer_organisation": s.signer_organisation, "issuer": s.issuer,
            "signing_time": s.signing_time, "signing_time_local": format_waktu(s.signing_time, zone),
            "integrity": s.integrity, "trust": s.trust, "trust_note": s.trust_note, "valid": s.valid,
        } for s in signatures],
        "signed": signed is not None,
        "signed_sha256": signed.sha256 if signed else None,
        "signed_at": (record.signed_at or None) if signed else None,
        "signed_at_local": format_waktu(record.signed_at, zone) if signed else None,
        "signed_copies": [{"copy": c["copy"], "sha256": c["sha256"], "received_at": c["received_at"]}
                          for c in copies],
        "revoked": revoked,
        "revoked_at": record.revoked_at if revoked else None,
        "revoked_at_local": format_waktu(record.revoked_at, zone) if revoked else None,
        "revoked_reason": record.revoked_reason if revoked else None,
        **_amendments(record, summary, zone),
    }


def _amendments(record: DocumentRecord, summary: dict[str, Any], zone: str) -> dict[str, Any]:
    """A PK Perubahan's link to the earlier PK of ours it amends ("mengubah PK nomor ..."), and a
    PK's links to the issued PK Perubahan that amend it ("diubah oleh ...")."""
    if not getattr(DOCUMENT_TYPES.get(record.type), "amendable", False):
        return {"amends": None, "amended_by": []}
    links = amendment_links(record, ISSUED)
    base = state().settings.base_url
    awal = summary.get("pk_awal") or {}
    amends = None
    if links["amends"]:
        amends = {"id": links["amends"], "nomor": awal.get("nomor"), "tanggal": awal.get("tanggal"),
                  "verify_url": f"{base}/verify/{links['amends']}"}
    later = [{"id": a["id"], "verify_url": a["verify_url"], "issued_at": a["finished_at"] or None,
              "issued_at_local": format_waktu(a["finished_at"] or None, zone)} for a in links["amended_by"]]
    return {"amends": amends, "amended_by": later}


def known_files(facts: dict[str, Any]) -> dict[str, dict[str, str]]:
    """sha256 -> what that file is, for the page's in-browser check of a chosen file."""
    known: dict[str, dict[str, str]] = {}
    for f in facts["files"]:
        known[f["sha256"]] = {"kind": "issued", "text": f"Cocok: berkas ini adalah {f['format'].upper()} yang "
                                                        "diterbitkan (salinan tanpa tanda tangan)."}
    copies = facts["signed_copies"]
    for c in copies:
        known[c["sha256"]] = {"kind": "signed_earlier",
                              "text": f"Cocok: berkas ini adalah salinan bertanda tangan ke-{c['copy']}; "
                                      "sesudahnya ada salinan dengan tanda tangan berikutnya."}
    if facts["signed_sha256"]:
        known[facts["signed_sha256"]] = {"kind": "signed", "text": "Cocok: berkas ini adalah salinan bertanda "
                                                                   "tangan terakhir yang diterima layanan."}
    return known


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@bp.get("/verify/<doc_id>")
def verify(doc_id: str) -> Response:
    """Whether ``doc_id`` is a genuine issued document. Errors: 404 unknown (or never issued)."""
    record = state().records.get(doc_id) if len(doc_id) <= 64 else None
    issued = record is not None and record.status in ISSUED
    if _wants_json():
        if not issued:
            raise Problem(404, "Not Found", f"No issued document with id '{doc_id}'.")
        assert record is not None
        response = Response(json.dumps(verification(record), ensure_ascii=False), mimetype="application/json")
    else:
        facts = verification(record) if issued and record else None
        page = render_template("verify/page.html", v=facts, known=known_files(facts) if facts else {},
                               doc_id=doc_id)
        response = Response(page, status=200 if issued else 404, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-store"  # the signed status changes
    return response
