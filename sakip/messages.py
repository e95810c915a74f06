"""Every message about a request's content, in Indonesian (default) and English, keyed by
error type: pydantic's own types and the codes of this service (sakip.numbers, the models,
the envelopes, the workbook, the quality warnings).

Validator text never reaches a user: an unknown pydantic type gets the generic sentence.
A code that is not in the table is shown as it is: that is a sentence one of our modules
wrote (code written before this table); tests keep every code of ours in the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "MESSAGES", "at_cell", "entry_message", "message"]

LANGUAGES = ("id", "en")
"""Languages messages are written in; the first is the default."""
DEFAULT_LANGUAGE = "id"

GENERIC = "nilai_tidak_valid"
"""The code of the sentence shown for a pydantic error type this table does not know."""

MESSAGES: dict[str, tuple[str, str]] = {
    # code: (Indonesian, English); {name} is filled from the error's parameters.
    GENERIC: ("nilai tidak valid", "is not valid"),
    # --- pydantic error types
    "missing": ("wajib diisi", "is required"),
    "extra_forbidden": ("isian ini tidak dikenal; periksa ejaan namanya", "is not a known field; check its spelling"),
    "string_type": ("harus berupa teks", "must be text"),
    "string_too_long": ("paling banyak {max_length} karakter", "must have at most {max_length} characters"),
    "string_too_short": ("tidak boleh kosong", "must not be empty"),
    "too_short": ("harus berisi paling sedikit {min_length} isian", "must list at least {min_length} item(s)"),
    "too_long": ("paling banyak {max_length} isian", "must list at most {max_length} items"),
    "list_type": ("harus berupa daftar (list)", "must be a list"),
    "dict_type": ("harus berupa objek", "must be an object"),
    "model_type": ("harus berupa objek", "must be an object"),
    "model_attributes_type": ("harus berupa objek", "must be an object"),
    "int_type": ("harus berupa bilangan bulat", "must be a whole number"),
    "int_parsing": ("harus berupa bilangan bulat", "must be a whole number"),
    "int_from_float": ("harus berupa bilangan bulat", "must be a whole number"),
    "bool_type": ("harus true atau false", "must be true or false"),
    "bool_parsing": ("harus true atau false", "must be true or false"),
    "gabung_hanya_pdf": ("berkas cetak gabungan per instansi hanya dibuat untuk format 'pdf'",
                         "merged print files per agency are made for format 'pdf' only"),
    "decimal_type": ("harus berupa angka", "must be a number"),
    "decimal_parsing": ("harus berupa angka", "must be a number"),
    "decimal_max_digits": ("paling banyak {max_digits} digit", "must have at most {max_digits} digits"),
    "decimal_max_places": ("paling banyak {decimal_places} angka di belakang koma",
                           "must have at most {decimal_places} decimals"),
    "decimal_whole_digits": ("paling banyak {whole_digits} digit sebelum koma",
                             "must have at most {whole_digits} digits before the decimal mark"),
    "greater_than_equal": ("paling kecil {ge}", "must be at least {ge}"),
    "less_than_equal": ("paling besar {le}", "must be at most {le}"),
    "greater_than": ("harus lebih besar dari {gt}", "must be greater than {gt}"),
    "less_than": ("harus lebih kecil dari {lt}", "must be less than {lt}"),
    "literal_error": ("harus salah satu dari: {expected}", "must be one of: {expected}"),
    "enum": ("harus salah satu dari: {expected}", "must be one of: {expected}"),
    "date_type": ("harus berupa tanggal", "must be a date"),
    "date_parsing": ("harus berupa tanggal", "must be a date"),
    "finite_number": ("harus berupa angka yang terhingga", "must be a finite number"),
    # --- figures, dates, NIP (sakip.numbers)
    "angka_ambigu": ('"{nilai}" tidak dapat dibaca tanpa menebak: tulis angka cara Indonesia, titik untuk ribuan '
                     'dan koma untuk desimal, misalnya {contoh}',
                     '"{nilai}" can\'t be read without guessing: write it the Indonesian way, a dot between '
                     "thousands and a comma before decimals, e.g. {contoh}"),
    "angka_terlalu_besar": ("angka {nilai} terlalu besar: paling banyak {maks} digit sebelum koma",
                            "the number {nilai} is too large: at most {maks} digits before the decimal mark"),
    "angka_terlalu_banyak_desimal": ("angka {nilai} memiliki terlalu banyak desimal: paling banyak {maks} angka "
                                     "di belakang koma",
                                     "the number {nilai} has too many decimals: at most {maks}"),
    "angka_tidak_terhingga": ("harus berupa angka yang terhingga", "must be a finite number"),
    "angka_wajib": ("harus berupa angka, misalnya 1.250 atau 88,5", "must be a number, e.g. 1.250 or 88,5"),
    "rupiah_wajib": ("harus berupa jumlah rupiah, misalnya Rp 1.500.000 atau 1500000",
                     "must be an amount of rupiah, e.g. Rp 1.500.000 or 1500000"),
    "nilai_wajib": ('harus berupa angka (misalnya 1.250 atau 88,5) atau teks (misalnya "WTP")',
                    'must be a number (e.g. 1.250 or 88,5) or a text (e.g. "WTP")'),
    "tanggal_format": ("tanggal tidak dikenali; tulis misalnya 2026-01-05, 05/01/2026 atau 5 Januari 2026",
                       "not a date this service reads; write e.g. 2026-01-05, 05/01/2026 or 5 Januari 2026"),
    "tanggal_tidak_ada": ('tanggal "{nilai}" tidak ada di kalender (tanggal ditulis hari dulu, lalu bulan)',
                          'the date "{nilai}" does not exist (dates are written day first, then month)'),
    "tanggal_bulan": ('bulan "{nilai}" tidak dikenal; gunakan {bulan}',
                      'unknown month "{nilai}"; use {bulan}'),
    "nip_angka": ("NIP harus ditulis sebagai teks, bukan angka: sebagai angka ({nilai}) digit terakhirnya bisa "
                  "sudah berubah; di Excel format sel sebagai Teks atau awali dengan tanda '",
                  "the NIP must be sent as text, not as a number: as a number ({nilai}) its last digits may "
                  "already have changed; in Excel format the cell as Text or start it with '"),
    "nip_teks": ("NIP harus berupa teks 18 digit", "the NIP must be a text of 18 digits"),
    "nip_panjang": ("NIP harus 18 digit (spasi boleh); yang diisi {jumlah} digit",
                    "the NIP must be 18 digits (spaces allowed); this one has {jumlah}"),
    "nip_tanggal_lahir": ("digit 1-8 NIP ({bagian}) bukan tanggal lahir yang ada (TTTTBBHH)",
                          "digits 1-8 of the NIP ({bagian}) are not a real birth date (YYYYMMDD)"),
    "nip_tmt": ("digit 9-14 NIP ({bagian}) bukan tahun dan bulan pengangkatan yang ada (TTTTBB)",
                "digits 9-14 of the NIP ({bagian}) are not a real year and month of appointment (YYYYMM)"),
    "nip_jenis_kelamin": ("digit ke-15 NIP harus 1 (pria) atau 2 (wanita), bukan {digit}",
                          "digit 15 of the NIP must be 1 (male) or 2 (female), not {digit}"),
    # --- template checks (workers/template_checks.py)
    "cek_berkas_besar": ("berkas lebih besar dari {maks} MiB", "the file is larger than {maks} MiB"),
    "cek_bukan_zip": ("bukan berkas .docx (bukan arsip zip)", "not a .docx file (not a zip archive)"),
    "cek_arsip_besar": ("arsip berisi {bagian} bagian yang terurai menjadi {mib} MiB: terlalu besar",
                        "the archive holds {bagian} parts unpacking to {mib} MiB: too large"),
    "cek_bukan_word": ("bukan dokumen Word: tidak ada {bagian}", "not a Word document: missing {bagian}"),
    "cek_ukuran_ok": ("{bagian} bagian, {kib} KiB setelah diurai", "{bagian} parts, {kib} KiB unpacked"),
    "cek_xml_gagal": ("bagian berkas tidak sah atau tidak aman (DTD, entitas, sumber luar): {rincian}",
                      "parts that are invalid or unsafe (DTDs, entities, external resources): {rincian}"),
    "cek_xml_ok": ("setiap bagian terbaca; tanpa DTD, entitas atau sumber luar",
                   "every part parses; no DTDs, entities or external resources"),
    "cek_tag_gagal": ("tag templat tidak dapat dibaca: {rincian}", "a template tag does not parse: {rincian}"),
    "cek_tag_ok": ("setiap tag terbaca di sandbox", "every tag parses in the sandbox"),
    "cek_sampel_tidak_sah": ("data contoh jenis dokumen ini tidak sah: {rincian}",
                             "the type's sample data is invalid: {rincian}"),
    "cek_variabel_asing": ("variabel yang tidak dikenal untuk jenis '{jenis}': {variabel}",
                           "unknown variables for type '{jenis}': {variabel}"),
    "cek_variabel_ok": ("{jumlah} variabel, semuanya disediakan oleh '{jenis}'",
                        "{jumlah} variables, all provided by '{jenis}'"),
    "cek_render_gagal": ("data contoh gagal dirender: {rincian}", "rendering the sample failed: {rincian}"),
    "cek_render_lama": ("merender data contoh lebih lama dari {batas} detik (DOCGEN_TEMPLATE_RENDER_TIMEOUT): "
                        "perulangan terlalu besar untuk satu dokumen?",
                        "rendering the sample took longer than {batas} s (DOCGEN_TEMPLATE_RENDER_TIMEOUT): "
                        "a loop too large for one document?"),
    "cek_render_besar": ("hasil render data contoh terurai menjadi {mb} MB, lebih dari {maks} MB "
                         "(DOCGEN_TEMPLATE_MAX_RENDER_MB): perulangan atau gambar terlalu besar?",
                         "the sample unpacks to {mb} MB, more than {maks} MB (DOCGEN_TEMPLATE_MAX_RENDER_MB): "
                         "a loop or picture too large?"),
    "templat_ditolak": ("templat ditolak: {jumlah} pemeriksaan gagal: {rincian}",
                        "template refused: {jumlah} check(s) failed: {rincian}"),
    "cek_render_ok": ("data contoh berhasil dirender ({kib} KiB)", "the sample renders ({kib} KiB)"),
    # --- pictures (sakip/images.py)
    "gambar_terlalu_besar": ("gambar paling besar {maks_kb} KB; yang dikirim {ukuran_kb} KB",
                             "the picture may be at most {maks_kb} KB; this one is {ukuran_kb} KB"),
    "gambar_terlalu_lebar": ("sisi terpanjang gambar paling banyak {maks} piksel; yang dikirim {lebar} x {tinggi}",
                             "the picture's longer side may be at most {maks} px; this one is {lebar} x {tinggi}"),
    "gambar_jenis": ("gambar harus PNG atau JPEG, bukan {jenis}", "the picture must be PNG or JPEG, not {jenis}"),
    "gambar_rusak": ("bukan gambar PNG/JPEG yang utuh (berkas rusak atau terpotong)",
                     "not a whole PNG/JPEG picture (the file is damaged or cut short)"),
    "gambar_url": ("gambar tidak diambil dari URL; kirim isinya sebagai base64 atau unggah sebagai aset",
                   "pictures are never fetched from a URL; send it as base64 or upload it as an asset"),
    "gambar_base64": ("bukan teks base64 yang sah", "not valid base64 text"),
    "gambar_jenis_tidak_cocok": ("data URI menyebut {disebut}, isinya {isi}",
                                 "the data URI says {disebut} but the content is {isi}"),
    "struktur_satu_sumber": ("isi salah satu: gambar (bagan jadi) atau unit (daftar unit), tidak keduanya",
                             "give one of gambar (a ready chart) or unit (a list of units), not both"),
    "unit_ganda": ("nama unit \"{nama}\" sudah dipakai unit lain; setiap unit bernama unik",
                   "the unit name \"{nama}\" is used twice; every unit needs its own name"),
    "unit_induk_tidak_ada": ("unit induk \"{induk}\" tidak ada dalam daftar unit",
                             "the parent unit \"{induk}\" is not in the list of units"),
    "unit_siklus": ("rantai unit induk berputar: {siklus}", "the chain of parent units goes round: {siklus}"),
    "anggaran_sasaran_tidak_ada": ("sasaran nomor {nomor} tidak ada; laporan ini memuat {jumlah} sasaran",
                                   "there is no objective number {nomor}; this report has {jumlah}"),
    "gambar_satu_sumber": ("isi tepat satu dari data (base64) atau asset (id aset)",
                           "give exactly one of data (base64) or asset (an asset id)"),
    "aset_tidak_dikenal": ("tidak ada aset gambar dengan id '{id}'; unggah dulu lewat /api/v1/assets",
                           "no picture asset has id '{id}'; upload it first through /api/v1/assets"),
    "aset_berkas_wajib": ("kirim gambarnya (PNG atau JPEG) sebagai isi permintaan atau kolom file",
                          "send the picture (PNG or JPEG) as the request body or the file field"),
    "pk_awal_tidak_dikenal": ("tidak ada PK dari layanan ini dengan id '{id}' yang dapat Anda akses",
                              "no PK of this service with id '{id}' that you can see"),
    "pk_awal_bukan_pk": ("dokumen '{id}' bukan Perjanjian Kinerja (jenisnya {jenis})",
                         "document '{id}' is not a Perjanjian Kinerja (its type is {jenis})"),
    "pk_awal_belum_terbit": ("PK '{id}' belum diterbitkan atau sudah dicabut (status {status}); yang diubah harus "
                             "PK yang sudah terbit",
                             "PK '{id}' was not issued or was revoked (status {status}); only an issued PK can be "
                             "amended"),
    "pk_awal_tahun_lain": ("PK awal untuk tahun {tahun_awal}, PK Perubahan ini untuk tahun {tahun}; PK Perubahan "
                           "mengubah PK tahun yang sama",
                           "the earlier PK is for {tahun_awal}, this PK Perubahan for {tahun}; a PK Perubahan "
                           "amends a PK of the same year"),
    "pk_awal_pihak_lain": ("PK awal ditandatangani {nama_awal} sebagai pihak pertama, PK Perubahan ini oleh {nama}; "
                           "benar ada pergantian pejabat?",
                           "the earlier PK's first party is {nama_awal}, this PK Perubahan's is {nama}; was the "
                           "official replaced?"),
    "pk_awal_instansi_lain": ("PK awal dari {instansi_awal}, PK Perubahan ini dari {instansi}; benar PK yang dimaksud?",
                              "the earlier PK is from {instansi_awal}, this PK Perubahan from {instansi}; is it the "
                              "right PK?"),
    "tidak_dicetak": ("templat {templat} versi {versi} tidak mencetak isian ini (tidak memakai variabel "
                      "{variabel}); pilih versi templat yang memuatnya, atau kosongkan isian ini",
                      "template {templat} version {versi} does not print this field (it doesn't use the variable "
                      "{variabel}); choose a template version that has it, or leave the field out"),
    "garuda_hanya_kepala_daerah": ("lambang Garuda hanya dicetak pada PK kepala daerah (tingkat kepala_daerah)",
                                   "the Garuda is printed only on a regional head's PK (tingkat kepala_daerah)"),
    # --- text
    "teks_kosong": ("tidak boleh kosong", "must not be empty"),
    "teks_karakter_kendali": ("berisi karakter kendali yang tidak dapat dimuat dalam dokumen",
                              "contains a control character that cannot appear in a document"),
    "teks_terlalu_panjang": ("paling banyak {maks} karakter", "must have at most {maks} characters"),
    # --- rules across fields (the models)
    "pihak_kedua_tunggal": ("PK kepala_daerah hanya ditandatangani satu pihak: kosongkan pihak_kedua",
                            "a kepala_daerah PK has a single signer: leave pihak_kedua out"),
    "wajib_untuk_tingkat": ("wajib diisi untuk tingkat {tingkat}", "required for tingkat {tingkat}"),
    "riwayat_tahun_ganda": ("tahun {tahun} tercantum dua kali", "year {tahun} is listed twice"),
    "riwayat_sebelum_tahun": ("harus sebelum tahun laporan {tahun}", "must be before the report year {tahun}"),
    "realisasi_melebihi_pagu": ("tidak boleh melebihi pagu", "must not exceed pagu"),
    "skala_tidak_dikenal": ("skala '{nilai}' tidak dikenal; tersedia: {tersedia}",
                            "unknown scale '{nilai}'; available: {tersedia}"),
    # --- envelopes
    "body_objek": ("harus berupa objek JSON", "must be a JSON object"),
    "jenis_dokumen_belum_tersedia": ("jenis dokumen '{nilai}' belum tersedia; tersedia: {tersedia}",
                                     "document type '{nilai}' is not available yet; available: {tersedia}"),
    "jenis_dokumen_tidak_dikenal": ("jenis dokumen '{nilai}' tidak dikenal; tersedia: {tersedia}",
                                    "unknown document type '{nilai}'; available: {tersedia}"),
    "format_tidak_dikenal": ("harus 'docx' atau 'pdf', atau daftar keduanya seperti [\"docx\", \"pdf\"]",
                             "must be 'docx' or 'pdf', or a list of them such as [\"docx\", \"pdf\"]"),
    "format_ganda": ("format yang sama disebut dua kali", "lists a format twice"),
    "versi_template": ("{alasan}", "{alasan}"),
    "callback_nonaktif": ("callback tidak diaktifkan pada layanan ini (DOCGEN_WEBHOOK_SECRET belum diatur); "
                          "periksa status dokumen secara berkala",
                          "callbacks are not enabled on this service (DOCGEN_WEBHOOK_SECRET is not set); "
                          "poll the document"),
    "callback_tidak_aman": ("alamat callback ditolak: {alasan}", "callback address refused: {alasan}"),
    "batch_terlalu_banyak": ("satu batch paling banyak {maks} item", "a batch holds at most {maks} items"),
    "ref_ganda": ("setiap ref harus unik dalam batch; berulang: {refs}",
                  "each ref must be unique in the batch; repeated: {refs}"),
    "bilangan_bulat": ("harus berupa bilangan bulat", "must be a whole number"),
    "peringatan_strict": ("{pesan} (peringatan {kode}; permintaan memakai strict)",
                          "{pesan} (warning {kode}; the request is strict)"),
    "versi_berkas": ("harus 'original' atau 'signed'", "must be 'original' or 'signed'"),
    "format_tidak_diminta": ("dokumen ini dibuat sebagai {dibuat}; '{nilai}' tidak diminta",
                             "this document was made as {dibuat}; '{nilai}' was not requested"),
    "pdf_bertanda_tangan_wajib": ("kirim PDF yang telah ditandatangani pada isian multipart 'file'",
                                  "send the signed PDF in the multipart field 'file'"),
    "bukan_pdf": ("berkas yang diunggah bukan PDF (tidak diawali %PDF-)",
                  "the uploaded file is not a PDF (it does not start with %PDF-)"),
    "pdf_terpotong": ("berkas yang diunggah bukan PDF yang utuh (tanpa penanda akhir berkas): apakah unggahan "
                      "terpotong?", "the uploaded file is not a complete PDF (no end of file marker): was the "
                      "upload cut short?"),
    # --- HTTP answers (service/problems.py): http_{status} is the title
    "http_400": ("Permintaan salah", "Bad Request"),
    "http_401": ("Tidak berwenang", "Unauthorized"),
    "http_404": ("Tidak ditemukan", "Not Found"),
    "http_405": ("Metode tidak diizinkan", "Method Not Allowed"),
    "http_409": ("Belum dapat diproses", "Conflict"),
    "http_410": ("Sudah tidak tersedia", "Gone"),
    "http_413": ("Permintaan terlalu besar", "Request Entity Too Large"),
    "http_415": ("Jenis isi tidak didukung", "Unsupported Media Type"),
    "http_429": ("Terlalu banyak permintaan", "Too Many Requests"),
    "http_404_detail": ("Alamat ini tidak ada.", "There is nothing at this address."),
    "http_405_detail": ("Alamat ini tidak menerima metode tersebut.", "This address does not accept that method."),
    "http_413_detail": ("Isi permintaan melebihi batas ukuran layanan.",
                        "The request body is larger than the service accepts."),
    "kunci_api_wajib": ("Kirim kunci API Anda pada header 'Authorization: Bearer KEY'.",
                        "Send your API key in the header 'Authorization: Bearer KEY'."),
    "kunci_api_salah": ("Kunci API tidak valid.", "The API key is not valid."),
    "batas_permintaan": ("Klien ini membuat lebih dari {batas} permintaan dalam satu menit; coba lagi dalam "
                         "{detik} detik.", "This client made more than {batas} requests this minute; retry in "
                         "{detik} s."),
    "redis_tidak_terjangkau": ("Antrean layanan (Redis) sedang tidak dapat dihubungi; permintaan ini tidak diterima. "
                               "Coba lagi dalam {detik} detik.",
                               "The service's queue (Redis) can't be reached; this request was not accepted. Retry "
                               "in {detik} s."),
    "disk_penuh": ("Disk layanan hampir penuh ({sisa} MB tersisa, minimum {minimum} MB); permintaan belum dapat "
                   "diterima. Coba lagi setelah ruang disk dikosongkan.",
                   "The service's disk is nearly full ({sisa} MB free, minimum {minimum} MB); requests can't be "
                   "accepted until space is freed."),
    "antrean_penuh": ("Antrean dokumen penuh ({jumlah} dokumen menunggu, batas {batas}). Coba lagi dalam {detik} "
                      "detik, atau kirim dokumen dalam jumlah banyak sebagai batch (POST /api/v1/batches).",
                      "The document queue is full ({jumlah} waiting, limit {batas}). Retry in {detik} s, or send "
                      "many documents as a batch (POST /api/v1/batches)."),
    "buku_kerja_terlalu_banyak_bagian": ("Buku kerja berisi {jumlah} bagian (paling banyak {maks}).",
                                         "The workbook holds {jumlah} parts (at most {maks})."),
    "buku_kerja_terlalu_besar": ("Buku kerja terurai menjadi {mb} MB (paling banyak {maks} MB, "
                                 "DOCGEN_MAX_WORKBOOK_UNPACKED_MB): bagi menjadi beberapa batch.",
                                 "The workbook unpacks to {mb} MB (at most {maks} MB, "
                                 "DOCGEN_MAX_WORKBOOK_UNPACKED_MB): split it into several batches."),
    "buku_kerja_terlalu_banyak_baris": ("Buku kerja berisi lebih dari {maks} baris (DOCGEN_MAX_WORKBOOK_ROWS): bagi "
                                        "menjadi beberapa batch.",
                                        "The workbook holds more than {maks} rows (DOCGEN_MAX_WORKBOOK_ROWS): split it "
                                        "into several batches."),
    "bukan_xlsx": ("berkas bukan buku kerja Excel .xlsx", "not an Excel .xlsx workbook"),
    "terlalu_banyak_gagal": ("Terlalu banyak percobaan masuk yang gagal dari alamat ini; coba lagi dalam {detik} "
                             "detik.", "Too many failed sign-in attempts from this address; retry in {detik} s."),
    "idempotency_key_format": ("Header {header} harus berisi 1 sampai {maks} karakter yang dapat dicetak.",
                               "The {header} header must be 1 to {maks} printable characters."),
    "idempotency_key_dipakai": ("{header} '{kunci}' sudah dipakai untuk isi permintaan lain; kirim kunci baru "
                                "untuk permintaan baru.", "The {header} '{kunci}' was already used with a different "
                                "request body; send a new key for a new request."),
    "bukan_json": ("Kirim permintaan sebagai application/json.", "Send the request as application/json."),
    "json_rusak": ("Isi permintaan bukan JSON yang valid: {alasan}", "The request body is not valid JSON: {alasan}"),
    "dokumen_tidak_ada": ("Tidak ada dokumen dengan id '{id}'.", "No document with id '{id}'."),
    "aset_tidak_ada": ("Tidak ada aset gambar dengan id '{id}'.", "No picture asset with id '{id}'."),
    "dokumen_belum_selesai": ("Dokumen berstatus {status}; berkasnya tersedia setelah selesai.{alasan}",
                              "The document is {status}; its file is available once it is finished.{alasan}"),
    "salinan_ttd_belum_ada": ("Belum ada salinan bertanda tangan yang diunggah untuk dokumen ini.",
                              "No signed copy of this document has been uploaded yet."),
    "berkas_dokumen_hilang": ("Berkas dokumen sudah tidak disimpan.", "The document's file is no longer stored."),
    "batch_tidak_ada": ("Tidak ada batch dengan id '{id}'.", "No batch with id '{id}'."),
    "batch_berjalan": ("Batch masih berjalan ({selesai} dari {total} item selesai); arsipnya dibuat setelah item "
                       "terakhir selesai.", "The batch is still running ({selesai} of {total} items ended); its "
                       "archive is built when the last item ends."),
    "keselarasan_hanya_pk": ("Keselarasan dan ekspor target hanya untuk PK; {objek} ini berjenis {jenis}.",
                             "Alignment and the targets export are for PKs only; this {objek} is of type {jenis}."),
    "data_batch_hilang": ("Data item batch ini sudah tidak disimpan.", "This batch's item data is no longer stored."),
    "data_dokumen_hilang": ("Data dokumen ini sudah tidak disimpan.", "This document's data is no longer stored."),
    "arsip_batch_hilang": ("Arsip batch sudah tidak disimpan.", "The batch's archive is no longer stored."),
    "alasan_pencabutan": ("tuliskan alasan pencabutan (1 sampai {maks} karakter)",
                          "give the reason for the revocation (1 to {maks} characters)"),
    "cabut_belum_terbit": ("Dokumen berstatus {status}; hanya dokumen yang sudah terbit dapat dicabut.",
                           "The document is {status}; only an issued document can be revoked."),
    "dokumen_dicabut": ("Dokumen ini dicabut pada {waktu}: {alasan}", "This document was revoked at {waktu}: {alasan}"),
    "ttd_bukan_pdf_atau_multipart": ("Kirim PDF bertanda tangan sebagai application/pdf, atau multipart/form-data "
                                     "dengan isian 'file'.", "Send the signed PDF as application/pdf, or as "
                                     "multipart/form-data with the field 'file'."),
    "ttd_belum_selesai": ("Dokumen berstatus {status}; hanya dokumen yang selesai dapat ditandatangani.",
                          "The document is {status}; only a finished document can be signed."),
    "ttd_bukan_pdf": ("Dokumen ini tidak dibuat sebagai PDF; minta format 'pdf' untuk menandatanganinya.",
                      "This document was not made as PDF; request format 'pdf' to sign it."),
    # --- workbook
    "berkas_wajib": ("unggah workbook yang telah diisi pada isian multipart 'file'",
                     "upload the filled workbook in the multipart field 'file'"),
    "workbook_jenis": ("workbook tersedia untuk jenis: {tersedia}", "workbooks are available for type: {tersedia}"),
    "workbook_rusak": ("bukan workbook XLSX yang dapat dibaca ({alasan})", "not a readable XLSX workbook ({alasan})"),
    "workbook_sheet_hilang": ("workbook tidak memiliki sheet '{sheet}'", "the workbook has no sheet '{sheet}'"),
    "workbook_header_berubah": ("baris judul kolom diubah; seharusnya: {harapan}",
                                "the header row was changed; expected: {harapan}"),
    "workbook_kosong": ("workbook tidak berisi baris dokumen (baris bertanda CONTOH diabaikan)",
                        "the workbook holds no document rows (the row marked CONTOH is ignored)"),
    "ref_wajib": ("Ref wajib diisi", "Ref is required"),
    "ref_dua_kali": ("Ref '{ref}' muncul dua kali di sheet {sheet} (baris {baris})",
                     "Ref '{ref}' appears twice in sheet {sheet} (rows {baris})"),
    "ref_tidak_dikenal": ("Ref '{ref}' tidak ada di sheet {sheet}", "Ref '{ref}' is not in sheet {sheet}"),
    "riwayat_indikator_tidak_dikenal": ("indikator \"{indikator}\" tidak ada di sheet {sheet} untuk Ref ini",
                                        "the indicator \"{indikator}\" is not in sheet {sheet} for this Ref"),
    "triwulan_tidak_lengkap": ("isi keempat target TW I-IV, atau kosongkan semuanya",
                               "fill all four targets TW I-IV, or none of them"),
    # --- template administration
    "template_berkas_wajib": ("unggah template sebagai isian multipart 'file' (berkas .docx)",
                              "upload the template as the multipart field 'file' (a .docx)"),
    "catatan_terlalu_panjang": ("paling banyak {maks} karakter", "at most {maks} characters"),
    "ukuran_kertas": ("salah satu dari {pilihan}, atau kosong untuk mempertahankan ukuran halaman template",
                      "one of {pilihan}, or empty to keep the template's own page size"),
    # --- quality warnings (sakip.quality)
    "indikator_tanpa_satuan": ("indikator \"{indikator}\" tidak memiliki satuan",
                               "the indicator \"{indikator}\" has no unit"),
    "target_bukan_angka": ("target indikator \"{indikator}\" bukan angka (\"{nilai}\"): capaiannya tidak dapat "
                           "diukur", "the target of \"{indikator}\" is not a number (\"{nilai}\"): its "
                           "achievement can't be measured"),
    "triwulan_tw4_beda": ("target TW IV ({tw4}) berbeda dengan target tahunan ({target}); target triwulan yang "
                          "kumulatif berakhir pada target tahunan", "the TW IV target ({tw4}) differs from the annual "
                          "target ({target}); cumulative quarterly targets end at the annual target"),
    "indikator_ganda": ("indikator \"{indikator}\" sudah tercantum di {pertama}",
                        "the indicator \"{indikator}\" is already listed at {pertama}"),
    "anggaran_sen": ("jumlah anggaran {jumlah} memuat sen; anggaran APBD biasanya rupiah penuh",
                     "the budget amount {jumlah} has sen; APBD amounts are usually whole rupiah"),
    "target_negatif": ("target bernilai negatif ({nilai})", "the target is negative ({nilai})"),
    "tanggal_di_luar_tahun": ("tanggal penandatanganan {tanggal} tidak berada di tahun PK {tahun}",
                              "the signing date {tanggal} is not in the PK's year {tahun}"),
    "capaian_tanpa_analisis": ("indikator \"{indikator}\" di bawah target (capaian {capaian}) tanpa analisis "
                               "maupun faktor penghambat", "the indicator \"{indikator}\" is below target "
                               "(achievement {capaian}) with no analysis or hindering factors"),
    # --- alignment findings (sakip.cascade)
    "pk_tanpa_atasan": ("PK {pk} tidak menyebut PK atasan (atasan): keselarasannya tidak dapat diperiksa",
                        "the PK {pk} names no superior's PK (atasan): its alignment can't be checked"),
    "atasan_tidak_ada": ("PK atasan \"{atasan}\" tidak ditemukan (bukan ref di batch ini maupun id dokumen)",
                         "the superior's PK \"{atasan}\" was not found (not a ref of this batch, nor a document id)"),
    "atasan_tingkat_salah": ("PK atasan \"{atasan}\" bertingkat {tingkat_atasan}, tidak di atas tingkat {tingkat}",
                             "the superior's PK \"{atasan}\" is of level {tingkat_atasan}, not above level {tingkat}"),
    "atasan_siklus": ("rantai atasan berputar: {siklus}", "the chain of superiors goes round: {siklus}"),
    "sasaran_tanpa_induk": ("sasaran \"{sasaran}\" tidak menyebut sasaran atasan yang didukungnya (mendukung)",
                            "the objective \"{sasaran}\" names no superior's objective it serves (mendukung)"),
    "mendukung_tidak_ada": ("PK atasan \"{atasan}\" tidak memiliki sasaran \"{mendukung}\" (nomor atau kode)",
                            "the superior's PK \"{atasan}\" has no objective \"{mendukung}\" (number or code)"),
    "sasaran_tanpa_pendukung": ("tidak ada sasaran bawahan yang mendukung sasaran \"{sasaran}\"",
                                "no subordinate's objective serves the objective \"{sasaran}\""),
    "predikat_ejaan": ("\"{ditulis}\" ditulis lain dari skala predikat (\"{predikat}\"); teks dicetak apa adanya",
                       "\"{ditulis}\" is spelled unlike the predicate scale (\"{predikat}\"); the text prints as sent"),
    "bagian_kosong": ("bagian \"{bagian}\" kosong dan tidak akan muncul di dokumen",
                      "the section \"{bagian}\" is empty and will be left out of the document"),
}


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _shown(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return value


def message(code: str, params: Mapping[str, Any] | None = None, lang: str = DEFAULT_LANGUAGE) -> str:
    """The sentence for ``code`` in ``lang`` ("id" or "en"), filled from ``params``."""
    texts = MESSAGES.get(code)
    if texts is None:
        return code
    text = texts[1] if lang == "en" else texts[0]
    return text.format_map(_Params({k: _shown(v) for k, v in (params or {}).items()}))


def at_cell(cell: str, header: str | None, text: str) -> str:
    """A message about a workbook cell, as an Excel user reads it:
    "Dokumen!L10 (Pihak Pertama - Jabatan): wajib diisi"."""
    return f"{cell} ({header}): {text}" if header else f"{cell}: {text}"


def entry_message(entry: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> str:
    """The sentence of a stored error or warning ({code, params, cell, header} or, stored by an
    older version, {msg}), naming its cell and column when it came from a workbook."""
    text = message(entry["code"], entry.get("params"), lang) if entry.get("code") else str(entry.get("msg", ""))
    return at_cell(entry["cell"], entry.get("header"), text) if entry.get("cell") else text
