"""`docgen render` offline, without Redis, through the workers' own code."""

from __future__ import annotations

import subprocess
import sys

from config.settings import REPO_ROOT
from tests.docx_reading import full_text, open_docx


def _docgen(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)}, timeout=120)


def test_render_writes_the_same_document_as_the_service(tmp_path, make_document):
    out = tmp_path / "pk.docx"
    result = _docgen("render", str(REPO_ROOT / "examples" / "pk-jpt.json"), "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    offline = out.read_bytes()
    from tests.conftest import example

    record, served = make_document(example("pk-jpt"))
    # A served document also carries its identity (id, verification QR code and address);
    # offline there is no id, so no verification note: everything else is the same.
    served_text = full_text(open_docx(served))
    assert f"ID dokumen: {record['id']}" in served_text
    identity = ("Dokumen ini diterbitkan", "ID dokumen", "http://docgen.test/verify/")
    def lines(text: str) -> list[str]:
        return [line for line in text.split("\n") if line and not line.startswith(identity)]

    assert lines(full_text(open_docx(offline))) == lines(served_text)
    assert "Dr. Ir. Rahmat Hidayat Lubis, M.Si." in full_text(open_docx(offline))


def test_render_without_output_uses_the_readable_name(tmp_path):
    result = _docgen("render", str(REPO_ROOT / "examples" / "pk-kepala-daerah.json"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    made = tmp_path / "PK-2026-Pemerintah-Provinsi-Sumatera-Utara-Tengku-Amri-Nasution.docx"
    assert made.is_file() and made.stat().st_mode & 0o777 == 0o644  # readable like any saved file


def test_render_reports_each_invalid_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "pk", "data": {"tahun": 1800}}', encoding="utf-8")
    result = _docgen("render", str(bad), "-o", str(tmp_path / "x.docx"), cwd=tmp_path)
    assert result.returncode == 1
    assert "invalid: data.tahun:" in result.stderr
    assert "invalid: data.pihak_pertama: wajib diisi" in result.stderr
    assert not (tmp_path / "x.docx").exists()
