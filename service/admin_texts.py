"""Every sentence of the /admin pages (sign-in, template administration, bulk documents),
Indonesian first (English with ``?lang=en``, see service.admin_language)."""

from __future__ import annotations

__all__ = ["BULK_TEXTS", "CHECK_NAMES", "TEXTS"]

TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "app": "Layanan dokumen SAKIP · administrasi", "switch": "English",
        "title": "Template", "login_title": "Masuk", "key": "Kunci API administrator", "sign_in": "Masuk",
        "key_hint": "Buat kunci administrator dengan", "sign_out": "Keluar",
        "open": "Belum ada kunci API: halaman ini terbuka",
        "bad_key": "Kunci itu tidak berlaku.",
        "client_key": "Kunci '{name}' milik aplikasi klien, bukan administrator.",
        "stale": "Formulir ini kedaluwarsa atau tidak dikirim dari halaman ini: muat ulang halaman lalu coba lagi.",
        "uploaded": "{type} versi {version} terunggah: semua pemeriksaan lolos",
        "not_active": "Versi ini belum aktif: pratinjau di bawah, lalu aktifkan.",
        "refused": "{name} ditolak: {count} pemeriksaan gagal", "the_upload": "Unggahan",
        "check": "Pemeriksaan", "result": "Hasil", "details": "Keterangan", "passed": "lolos", "failed": "GAGAL",
        "active_version": "versi aktif", "activated": "Versi {version} diaktifkan {at} oleh {by}.",
        "version": "Versi", "uploaded_at": "Diunggah", "by": "Oleh", "note": "Catatan", "actions": "Tindakan",
        "active": "aktif", "download": "Unduh", "preview": "Pratinjau", "activate": "Aktifkan",
        "roll_back": "Kembalikan ke versi ini", "new_version": "Versi baru (.docx yang disunting di Word)",
        "note_label": "Catatan (apa yang berubah, peraturan mana)", "paper": "Kertas",
        "paper_template": "sesuai template", "upload": "Unggah dan periksa",
        "now_active": "{type} versi {version} sekarang aktif.",
        "batches": "Batch", "bulk_link": "Batch dokumen: unduh workbook, unggah, pantau, arsip",
        "type": "Jenis", "client": "Klien", "status": "Status", "progress": "Kemajuan", "finished_count": "Selesai",
        "failed_count": "Gagal", "total": "Jumlah", "created": "Dibuat", "running": "berjalan", "done": "selesai",
        "no_batches": "Tidak ada batch tersimpan saat ini (catatan batch disimpan {days} hari).",
    },
    "en": {
        "app": "SAKIP document service · administration", "switch": "Bahasa Indonesia",
        "title": "Templates", "login_title": "Sign in", "key": "Administrator API key", "sign_in": "Sign in",
        "key_hint": "Create an administrator key with", "sign_out": "Sign out",
        "open": "No API keys configured: this page is open",
        "bad_key": "That key is not valid.",
        "client_key": "The key '{name}' belongs to a client application, not an administrator.",
        "stale": "The form is stale or was not sent by this page: reload it and retry.",
        "uploaded": "{type} version {version} uploaded: every check passed",
        "not_active": "It is not active yet: preview it below, then activate it.",
        "refused": "{name} was refused: {count} check(s) failed", "the_upload": "The upload",
        "check": "Check", "result": "Result", "details": "Details", "passed": "passed", "failed": "FAILED",
        "active_version": "active version", "activated": "Version {version} activated {at} by {by}.",
        "version": "Version", "uploaded_at": "Uploaded", "by": "By", "note": "Note", "actions": "Actions",
        "active": "active", "download": "Download", "preview": "Preview", "activate": "Activate",
        "roll_back": "Roll back to this", "new_version": "New version (.docx edited in Word)",
        "note_label": "Note (what changed, which regulation)", "paper": "Paper",
        "paper_template": "as set in the template", "upload": "Upload and check",
        "now_active": "{type} version {version} is now active.",
        "batches": "Batches", "bulk_link": "Document batches: download the workbook, upload, watch, archive",
        "type": "Type", "client": "Client", "status": "Status", "progress": "Progress", "finished_count": "Finished",
        "failed_count": "Failed", "total": "Total", "created": "Created", "running": "running", "done": "finished",
        "no_batches": "No batches kept now (a batch's record is kept {days} days).",
    },
}
"""The pages' sentences by language; ``{name}`` parts are filled by the template."""

CHECK_NAMES: dict[str, dict[str, str]] = {
    "id": {"size": "ukuran", "docx": "berkas Word", "xml": "XML", "tags": "tag", "sample": "data contoh",
           "variables": "variabel", "render": "render contoh"},
    "en": {"size": "size", "docx": "Word file", "xml": "XML", "tags": "tags", "sample": "sample data",
           "variables": "variables", "render": "sample render"},
}
"""The template checks' names (workers.template_checks) as the page shows them."""

_BULK_ONLY: dict[str, dict[str, str]] = {
    "id": {
        "title": "Batch dokumen", "back": "Kembali ke administrasi", "step1": "1. Unduh workbook",
        "step1_note": "Isi satu baris per dokumen; baris bertanda CONTOH diabaikan.",
        "workbook": "Workbook {jenis} (.xlsx)",
        "step2": "2. Unggah workbook yang sudah diisi", "file": "Berkas workbook", "type": "Jenis dokumen",
        "format": "Format", "submit": "Unggah dan proses", "recent": "Batch terakhir", "none": "Belum ada batch.",
        "batch": "Batch", "errors": "Baris yang gagal", "no_errors": "Tidak ada baris yang gagal.", "row": "Ref",
        "field": "Isian / sel", "message": "Keterangan", "archive": "Unduh arsip (ZIP)",
        "archive_wait": "Arsip tersedia setelah semua baris selesai.", "refused": "Workbook ditolak",
        "eta": "perkiraan sisa waktu",
    },
    "en": {
        "title": "Document batches", "back": "Back to administration", "step1": "1. Download the workbook",
        "step1_note": "Fill one row per document; the row marked CONTOH is ignored.",
        "workbook": "{jenis} workbook (.xlsx)",
        "step2": "2. Upload the filled workbook", "file": "Workbook file", "type": "Document type",
        "format": "Format", "submit": "Upload and process", "recent": "Recent batches", "none": "No batches yet.",
        "batch": "Batch", "errors": "Rows that failed", "no_errors": "No row failed.", "row": "Ref",
        "field": "Field / cell", "message": "Message", "archive": "Download the archive (ZIP)",
        "archive_wait": "The archive is ready once every row has ended.", "refused": "Workbook refused",
        "eta": "time left",
    },
}

BULK_TEXTS: dict[str, dict[str, str]] = {
    lang: {**{key: TEXTS[lang][key] for key in ("switch", "status", "progress", "total", "created", "running",
                                                "done")},
           "finished": TEXTS[lang]["finished_count"], "failed": TEXTS[lang]["failed_count"], **own}
    for lang, own in _BULK_ONLY.items()
}
"""The bulk pages' sentences by language (service.admin_bulk): the batch words the template pages'
batch table uses, and their own."""
