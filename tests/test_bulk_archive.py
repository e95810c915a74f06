"""The batch archive written while chunks end (workers/bulk_archive.py) is the archive one pass at
the end made: same entries, names, order, bytes, headers and manifests; also after an appender
was killed mid-append, and after Redis lost the archive's token (a fresh start)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings, get_settings
from sakip import exactjson
from service.app import create_app
from storage.batches import BatchStore
from storage.database import database_for
from storage.files import document_path
from tests.conftest import example
from workers.archive_files import (
    ShareableZip,
    manifest_csv,
    manifest_json,
    manifest_json_piece,
    manifest_xlsx,
    signatory,
)
from workers.bulk_archive import append_ended_chunks, finish_archive, public_entry
from workers.produce import verify_url


@pytest.fixture
def batch_client(settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_BATCH_CHUNK_SIZE", "2")
    get_settings.cache_clear()
    return create_app(Settings()).test_client()


def _items() -> list[dict[str, Any]]:
    """Seven items in four chunks of 2: the same official three times (names made unique across
    chunks: X, X-2, X-3), two bad items, one with a warning-free other official."""
    jpt, admin = example("pk-jpt")["data"], example("pk-administrator")["data"]
    bad = json.loads(json.dumps(jpt))
    bad["pihak_pertama"]["nip"] = "123"
    return [{"ref": "R1", "data": jpt}, {"ref": "R2", "data": bad}, {"ref": "R3", "data": jpt},
            {"ref": "R4", "data": admin}, {"ref": "R5", "data": bad}, {"ref": "R6", "data": jpt},
            {"ref": "R7", "data": admin}]


def _reference(store: BatchStore, settings: Settings, batch_id: str, target: Path) -> None:
    """The archive as build_archive wrote it in one pass before (ed3a86d's code)."""
    results = store.results(batch_id)
    people = {i: signatory(item.get("data")) for i, item in enumerate(store.items(batch_id))}
    manifest, taken = [], set()
    with ShareableZip(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for result in results:
            name_nip = people.get(result["index"], ("", ""))
            entry = {"ref": result["ref"], "id": result.get("doc_id", ""), "nama": name_nip[0], "nip": name_nip[1],
                     "file": "", "sha256": "", "status": result["status"], "error": result.get("error", ""),
                     "warnings": [public_entry(w) for w in result.get("warnings") or []], "verify_url": ""}
            if result["status"] == "finished":
                name, counter = result["file"], 2
                stem, dot, extension = name.rpartition(".")
                while name in taken:
                    name, counter = f"{stem}-{counter}{dot}{extension}", counter + 1
                taken.add(name)
                archive.write(document_path(settings.documents_dir, result["doc_id"], extension), name)
                entry.update(file=name, sha256=result["sha256"],
                             verify_url=verify_url(settings.base_url, result["doc_id"]))
            else:
                entry["errors"] = [public_entry(e) for e in result.get("errors") or []]
            manifest.append(entry)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1),
                         compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("manifest.csv", manifest_csv(manifest), compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("manifest.xlsx", manifest_xlsx(manifest))


def _workbook_parts(content: bytes) -> dict[str, bytes]:
    """A workbook's parts but docProps/core.xml (openpyxl dates it when it writes it)."""
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return {i.filename: workbook.read(i) for i in workbook.infolist() if i.filename != "docProps/core.xml"}


def _same_archive(ours: Path, reference: Path) -> None:
    """Byte for byte up to the manifests (headers and documents); the same manifests; the same
    central directory fields (the manifests' dates aside: each pass dates them when it writes, and
    manifest.xlsx holds the time it was made)."""
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(reference) as b:
        assert a.testzip() is None
        fields = ("filename", "CRC", "file_size", "compress_size", "header_offset", "external_attr",
                  "compress_type", "create_version", "extract_version", "flag_bits", "create_system", "extra")
        for x, y in zip(a.infolist(), b.infolist(), strict=True):
            if x.filename == "manifest.xlsx":
                assert x.filename == y.filename
                assert _workbook_parts(a.read(x)) == _workbook_parts(b.read(y))
                continue
            assert [getattr(x, f) for f in fields] == [getattr(y, f) for f in fields]
            if not x.filename.startswith("manifest."):
                assert x.date_time == y.date_time
            assert a.read(x) == b.read(y), x.filename
        documents_end = a.getinfo("manifest.json").header_offset
    assert ours.read_bytes()[:documents_end] == reference.read_bytes()[:documents_end]


def test_the_archive_written_while_chunks_end_is_the_one_pass_archive(batch_client, run_bulk_worker, settings,
                                                                       redis, tmp_path):
    batch_id = batch_client.post("/api/v1/batches", json={"type": "pk", "items": _items()}).get_json()["id"]
    run_bulk_worker()
    status = batch_client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (status["archive_ready"], status["finished"], status["failed"]) == (True, 5, 2)
    store = BatchStore(redis, 86400, database_for(settings.database_url))
    ours = tmp_path / "ours.zip"
    ours.write_bytes(batch_client.get(f"/api/v1/batches/{batch_id}/archive").data)
    _reference(store, settings, batch_id, tmp_path / "reference.zip")
    _same_archive(ours, tmp_path / "reference.zip")
    with zipfile.ZipFile(ours) as zipped:
        files = [m["file"] for m in json.loads(zipped.read("manifest.json")) if m["file"]]
    jpt = files[0]
    assert files[1] == jpt.replace(".docx", "-2.docx") and files[3] == jpt.replace(".docx", "-3.docx")
    # nothing of the work in progress is left beside the archive
    assert sorted(p.name for p in (settings.data_dir / "batches" / batch_id).iterdir()) == ["archive.zip"]


def test_an_appender_killed_mid_chunk_and_a_lost_token_leave_the_same_archive(batch_client, run_bulk_worker,
                                                                             settings, redis, tmp_path):
    batch_id = batch_client.post("/api/v1/batches", json={"type": "pk", "items": _items()}).get_json()["id"]
    run_bulk_worker()
    store = BatchStore(redis, 86400, database_for(settings.database_url))
    _reference(store, settings, batch_id, tmp_path / "reference.zip")
    batch = store.get(batch_id)
    folder = settings.data_dir / "batches" / batch_id
    (folder / "archive.zip").unlink()
    items = store.items(batch_id)  # back as they were while the batch ran (the archived batch dropped them)
    for number in range(batch.chunks):
        redis.set(store.key(batch_id, f"chunk:{number}"), exactjson.dumps(items[2 * number:2 * number + 2]))

    # The first chunk appended and committed; then an appender killed while writing the second:
    # its header and part of a document in the ZIP, half a line in the parts file.
    first_only = type(batch)(**{**batch.__dict__, "chunks": 1})
    state = append_ended_chunks(store, settings, first_only)
    assert state is not None and state.chunks == 1
    with open(folder / "archive.zip.tmp", "ab") as handle:
        handle.write(b"PK\x03\x04" + os.urandom(5000))
    with open(folder / "archive.parts", "ab") as handle:
        handle.write(b'{"chunk": 1, "infos": [["PK-')
    target, failed, documents = finish_archive(store, settings, batch)
    assert (documents, [f["ref"] for f in failed]) == (5, ["R2", "R5"])
    _same_archive(target, tmp_path / "reference.zip")

    # Redis lost the archive's token (a batch restored after Redis was lost): a fresh start, same archive
    target.unlink()
    append_ended_chunks(store, settings, first_only)
    redis.delete(store.key(batch_id, "archive"))
    target, _, _ = finish_archive(store, settings, batch)
    _same_archive(target, tmp_path / "reference.zip")


TRICKY_ENTRIES = [
    {"ref": "P1", "id": "ab" * 16, "nama": 'Dr. Şé "x" \\ \n\t\u2028 <>&', "nip": "19800101 200501 1 001",
     "file": "a.docx", "sha256": "f" * 64, "status": "finished", "error": "", "warnings": [], "verify_url": "http://x/v"},
    {"ref": "P2", "status": "failed", "error": "x", "warnings": [{"code": "c", "loc": "l", "msg": "m"}],
     "errors": [{"loc": "a", "msg": "b\nc"}]},
    {"ref": "", "file": "per-instansi/x.pdf", "status": "merged", "group": "g", "refs": ["a", "b"]},
    {"ref": "\x00\x1f\x7f", "warnings": []},
]


@pytest.mark.parametrize("count", range(len(TRICKY_ENTRIES) + 1))
def test_manifest_json_from_pieces_is_json_dumps_of_the_list(count):
    entries = TRICKY_ENTRIES[:count]
    assert manifest_json([manifest_json_piece(e) for e in entries]) == json.dumps(entries, ensure_ascii=False,
                                                                                  indent=1)
