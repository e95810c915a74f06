"""GET /verify/{id}: the public page that tells whether a printed or signed document is genuine.

Reached from the QR code on every document. An HTML page for people, JSON for programs
(Accept: application/json). It shows only: type, year, agency, parties (name and position),
issue time, template version, the sha256 of each file, and whether a signed copy came back
(with its sha256). Documents that were never issued (queued, failed) are unknown: 404.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template_string, request

from service.problems import Problem
from service.state import state
from storage.records import DOWNLOADABLE, signed_file, stored_files

__all__ = ["bp", "verification"]

bp = Blueprint("verify", __name__)

TYPE_TITLES = {"pk": "Perjanjian Kinerja", "lkjip": "Laporan Kinerja Instansi Pemerintah (LKjIP)"}
PARTY_TITLES = {"pihak_pertama": "Pihak Pertama", "pihak_kedua": "Pihak Kedua"}

PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verifikasi dokumen {{ v.id if v else "" }}</title>
<style>
 body{font-family:system-ui,Arial,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
 .ok{background:#e7f6ec;border:1px solid #2e7d32;padding:.8rem 1rem;border-radius:.4rem}
 .no{background:#fdecea;border:1px solid #c62828;padding:.8rem 1rem;border-radius:.4rem}
 th{text-align:left;vertical-align:top;padding:.3rem 1rem .3rem 0;white-space:nowrap} td{padding:.3rem 0}
 code{word-break:break-all;font-size:.85rem}
</style></head><body>
{% if v %}
<h1>Verifikasi dokumen</h1>
<p class="ok"><strong>Dokumen ini tercatat asli</strong>: diterbitkan oleh layanan dokumen SAKIP.
Bandingkan sidik jari (SHA-256) berkas yang Anda pegang dengan yang tertera di bawah.</p>
<table>
<tr><th>ID dokumen</th><td><code>{{ v.id }}</code></td></tr>
<tr><th>Jenis</th><td>{{ v.type_title }}</td></tr>
{% if v.year %}<tr><th>Tahun</th><td>{{ v.year }}</td></tr>{% endif %}
{% if v.agency %}<tr><th>Instansi</th><td>{{ v.agency }}</td></tr>{% endif %}
{% for p in v.parties %}<tr><th>{{ p.title }}</th>
<td>{{ p.nama }}<br><small>{{ p.jabatan }}</small></td></tr>{% endfor %}
<tr><th>Diterbitkan</th><td>{{ v.issued_at }}</td></tr>
<tr><th>Versi templat</th><td>{{ v.template_version }}</td></tr>
{% for f in v.files %}<tr><th>SHA-256 {{ f.format|upper }}</th><td><code>{{ f.sha256 }}</code></td></tr>{% endfor %}
<tr><th>Ditandatangani</th><td>{% if v.signed %}Ya, salinan bertanda tangan diterima {{ v.signed_at }}<br>
SHA-256: <code>{{ v.signed_sha256 }}</code>{% else %}Belum: belum ada salinan bertanda tangan.{% endif %}</td></tr>
</table>
{% else %}
<h1>Dokumen tidak ditemukan</h1>
<p class="no">Tidak ada dokumen terbit dengan ID <code>{{ doc_id }}</code>. Dokumen dengan QR code yang
mengarah ke sini <strong>tidak dapat dipastikan keasliannya</strong>.</p>
{% endif %}
</body></html>
"""


def verification(record: dict[str, str]) -> dict[str, Any]:
    """The public facts of an issued document, and nothing else."""
    summary = json.loads(record.get("summary") or "{}")
    signed = signed_file(record)
    parties = [{"role": role, "title": PARTY_TITLES.get(role, role), **party}
               for role, party in (summary.get("pihak") or {}).items()]
    return {
        "id": record["id"],
        "genuine": True,
        "type": record["type"],
        "type_title": TYPE_TITLES.get(record["type"], record["type"]),
        "year": summary.get("tahun"),
        "agency": summary.get("instansi"),
        "parties": parties,
        "issued_at": record.get("finished_at") or None,
        "template_version": int(record["template_version"]) if record.get("template_version") else None,
        "files": [{"format": f.extension, "sha256": f.sha256} for f in stored_files(record)],
        "signed": signed is not None,
        "signed_sha256": signed.sha256 if signed else None,
        "signed_at": record.get("signed_at") or None if signed else None,
    }


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@bp.get("/verify/<doc_id>")
def verify(doc_id: str) -> Response | tuple[str, int, dict[str, str]]:
    """Whether ``doc_id`` is a genuine issued document. Errors: 404 unknown (or never issued)."""
    record = state().records.get(doc_id) if len(doc_id) <= 64 else None
    issued = record is not None and record["status"] in DOWNLOADABLE
    if _wants_json():
        if not issued:
            raise Problem(404, "Not Found", f"No issued document with id '{doc_id}'.")
        assert record is not None
        response = Response(json.dumps(verification(record), ensure_ascii=False), mimetype="application/json")
    else:
        page = render_template_string(PAGE, v=verification(record) if issued and record else None, doc_id=doc_id)
        response = Response(page, status=200 if issued else 404, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-store"  # the signed status changes
    return response
