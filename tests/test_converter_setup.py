"""What the warm converter's LibreOffice runs with: jemalloc (unless DOCGEN_CONVERTER_MALLOC=glibc),
a scratch folder of its own for its temporary files, removed with it, and a profile whose word
completion collects no words; the PDF says the same either way. Real LibreOffice."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from config.settings import REPO_ROOT, Settings
from sakip.envelope import parse_document_request
from storage.templates import TemplateRegistry
from tests.conftest import example
from workers.convert import warm_converter
from workers.converter import WarmConverter
from workers.render import render_prepared


def _docx() -> bytes:
    template = TemplateRegistry(REPO_ROOT / "doctypes").get("pk")
    valid = parse_document_request(example("pk-jpt"))
    return render_prepared(template.content, template.sha256, valid.doctype.context(valid.data))


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")


def _libreoffice(converter: WarmConverter) -> tuple[str, dict[str, str]]:
    """LibreOffice's memory map and environment."""
    state = converter.state()
    assert state is not None and state.soffice_pid
    environ = Path(f"/proc/{state.soffice_pid}/environ").read_bytes().split(b"\0")
    pairs = dict(entry.decode().partition("=")[::2] for entry in environ if b"=" in entry)
    return Path(f"/proc/{state.soffice_pid}/maps").read_text(), pairs


@pytest.mark.slow
def test_libreoffice_runs_with_jemalloc_its_own_scratch_and_no_word_collection(tmp_path):
    settings = Settings(data_dir=tmp_path / "var")
    converter = warm_converter(settings)
    try:
        with_jemalloc = _pages(converter.convert(_docx()), tmp_path)
        memory_map, environment = _libreoffice(converter)
        assert "libjemalloc" in memory_map  # scripts/system-deps.sh installs libjemalloc2
        scratch = converter.scratch_dir()
        assert environment["TMPDIR"] == str(scratch)
        assert scratch.is_dir() and scratch.stat().st_mode & 0o077 == 0
        profile = converter.state_dir / f"profile-{converter.name}" / "user" / "registrymodifications.xcu"
        completion = [line for line in profile.read_text(encoding="utf-8").splitlines()
                      if "AutoFunction/Completion" in line]
        assert len(completion) == 2 and all("<value>false</value>" in line for line in completion)
    finally:
        converter.stop()
    assert not scratch.exists()  # removed with its host, even killed

    plain = warm_converter(Settings(data_dir=tmp_path / "var", converter_malloc="glibc"))
    try:
        with_glibc = _pages(plain.convert(_docx()), tmp_path)
        memory_map, _ = _libreoffice(plain)
        assert "libjemalloc" not in memory_map
    finally:
        plain.stop()
    assert with_glibc == with_jemalloc
    assert "PERJANJIAN KINERJA" in with_jemalloc[0]


def test_the_scratch_folder_stays_on_disk_where_memory_has_no_room(tmp_path, monkeypatch):
    converter = WarmConverter(tmp_path / "state", owner=1234, slot=2)
    monkeypatch.setattr("workers.converter.SCRATCH_MIN_FREE", 1 << 62)
    assert converter.scratch_dir() == tmp_path / "state" / "scratch-1234-2"
    monkeypatch.setattr("workers.converter.SCRATCH_MIN_FREE", 0)
    in_memory = converter.scratch_dir()
    assert in_memory.parent == Path("/dev/shm") and in_memory.name.endswith("-converter-1234-2")
    # another deployment's converter of the same owner and slot has another folder
    assert WarmConverter(tmp_path / "other", owner=1234, slot=2).scratch_dir() != in_memory
