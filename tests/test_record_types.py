"""Typed records (storage.record_types): every shape a document or batch record was written in is
read by one migration function into one ``formats`` list and StoredFile values; records go to
and from the database row and Redis's hash without losing a field; nothing writes a legacy field."""

from __future__ import annotations

import json
import shutil

import pytest
from redis import Redis
from sqlalchemy import insert, select

from config.settings import REPO_ROOT
from storage.database import Document, database_for
from storage.record_types import BatchRecord, DocumentRecord, StoredFile, migrate_batch, migrate_document
from storage.records import KEY_PREFIX
from storage.redis_server import RedisServer
from tests.conftest import example

pytestmark = pytest.mark.usefixtures("shared_converter")
"""PDFs from the session's warm LibreOffice (conftest.shared_converter)."""

LEGACY = REPO_ROOT / "tests" / "data" / "legacy"
LEGACY_FIELDS = {"format", "file_name", "file_size", "file_sha256", "file_extension", "signed_name", "signed_size",
                 "signed_sha256"}


def test_a_record_of_the_single_format_era_reads_as_one_formats_list_and_its_files():
    record = migrate_document({
        "id": "a" * 32, "type": "pk", "format": "pdf", "status": "signed", "attempts": "2",
        "template_version": "3", "file_name": "PK-2026.pdf", "file_size": "1200", "file_sha256": "f" * 64,
        "file_extension": "pdf", "signed_name": "PK-2026-signed.pdf", "signed_size": "1500",
        "signed_sha256": "e" * 64, "created_at": "2026-01-05T08:00:00Z"})
    assert record.formats == ["pdf"]
    assert record.files == [StoredFile("pdf", "PK-2026.pdf", 1200, "f" * 64)]
    assert record.signed == StoredFile("pdf", "PK-2026-signed.pdf", 1500, "e" * 64)
    assert (record.attempts, record.template_version, record.status) == (2, 3, "signed")
    assert record.extra == {}


def test_a_record_of_several_formats_keeps_their_order_and_each_file():
    record = migrate_document({
        "id": "b" * 32, "type": "pk", "format": "docx,pdf", "formats": "docx,pdf", "status": "finished",
        "file_docx_name": "PK.docx", "file_docx_size": "10", "file_docx_sha256": "1" * 64,
        "file_pdf_name": "PK.pdf", "file_pdf_size": "20", "file_pdf_sha256": "2" * 64,
        "file_name": "PK.docx", "file_size": "10", "file_sha256": "1" * 64, "file_extension": "docx"})
    assert record.formats == ["docx", "pdf"]
    assert [(f.extension, f.name, f.size) for f in record.files] == [("docx", "PK.docx", 10), ("pdf", "PK.pdf", 20)]
    assert record.main_file == record.file("docx") and record.file("pdf").sha256 == "2" * 64
    assert record.extra == {}


def test_fields_no_version_declares_are_kept_through_redis_and_back():
    record = DocumentRecord(id="c" * 32, type="lkjip", status="finished", formats=["docx", "pdf"],
                            files=[StoredFile("docx", "L.docx", 5, "3" * 64), StoredFile("pdf", "L.pdf", 6, "4" * 64)],
                            attempts=1, template_version=2, warnings='[{"code": "x"}]',
                            created_at="2026-01-05T08:00:00Z", extra={"from_a_newer_version": "kept"})
    hashed = record.to_redis()
    assert all(isinstance(v, str) for v in hashed.values()) and not LEGACY_FIELDS & set(hashed)
    assert DocumentRecord.from_redis({k.encode(): v.encode() for k, v in hashed.items()}) == record


def test_a_batch_of_the_version_before_reads_typed_and_goes_through_redis_and_back():
    record = migrate_batch({"id": "d" * 32, "type": "pk", "format": "pdf", "status": "running", "total": "120",
                            "chunk_size": "100", "chunks": "2", "finished": "7", "failed": "1",
                            "template_name": "Perjanjian Kinerja", "template_version": "1", "template_sha256": "0" * 64,
                            "client": "", "created_at": "2026-01-05T08:00:00Z", "strict": "1",
                            "merge_per_agency": "0"})
    assert (record.formats, record.format, record.total, record.finished, record.failed) == (["pdf"], "pdf", 120, 7, 1)
    assert record.strict is True and record.merge_per_agency is False and record.extra == {}
    hashed = record.to_redis()
    assert "format" not in hashed and hashed["formats"] == "pdf"
    assert BatchRecord.from_redis(hashed) == record


@pytest.mark.both_databases
def test_a_row_an_earlier_version_wrote_reads_through_the_same_migration(settings, records):
    """``formats`` left empty and a field kept in ``extra`` by an earlier writer: both read, and an
    update keeps the field this version does not know."""
    doc_id = "e" * 32
    database = database_for(settings.database_url)
    with database.write() as connection:
        connection.execute(insert(Document.__table__).values(
            id=doc_id, client="", type="pk", format="docx,pdf", formats=None, status="failed", attempts=1,
            created_at="2026-01-05T08:00:00Z", error="x",
            extra=json.dumps({"signed_copies": "[]", "from_a_newer_version": "kept"})))
    record = records.get(doc_id)
    assert record is not None and record.formats == ["docx", "pdf"] and record.files == []
    assert record.signed_copies == "[]" and record.extra == {"from_a_newer_version": "kept"}
    records.mark_retrying(doc_id, "again")
    assert records.get(doc_id).extra == {"from_a_newer_version": "kept"}


@pytest.mark.both_databases
def test_nothing_writes_a_legacy_field(make_document, settings):
    finished, _ = make_document({**example("pk-jpt"), "format": ["docx", "pdf"]})
    with database_for(settings.database_url).read() as connection:
        row = connection.execute(select(Document.format, Document.formats, Document.extra)
                                 .where(Document.id == finished["id"])).one()
    assert row.format == row.formats == "docx,pdf"
    assert not LEGACY_FIELDS & set(json.loads(row.extra or "{}"))
    assert finished["format"] == ["docx", "pdf"] and set(finished["files"]) == {"docx", "pdf"}


def test_every_record_the_version_before_left_in_redis_reads_without_a_legacy_field(tmp_path):
    shutil.copytree(LEGACY / "var" / "redis", tmp_path / "redis")
    expected = json.loads((LEGACY / "expected.json").read_text())
    server = RedisServer(tmp_path / "redis").start()
    try:
        redis = Redis.from_url(server.url)
        read = {key.decode().removeprefix(KEY_PREFIX): DocumentRecord.from_redis(redis.hgetall(key))
                for key in redis.scan_iter(f"{KEY_PREFIX}*")}
        batches = [BatchRecord.from_redis(redis.hgetall(key)) for key in redis.scan_iter("docgen:batch:*")
                   if key.count(b":") == 2]
        redis.close()
    finally:
        server.stop()
    assert set(expected) <= set(read)
    for doc_id, before in expected.items():
        record = read[doc_id]
        assert not LEGACY_FIELDS & set(record.extra), record.extra
        assert record.formats == before["status"]["format"].split(",")
        if before["status"]["file"]:
            assert record.main_file.sha256 == before["status"]["file"]["sha256"]
        assert (record.signed.sha256 if record.signed else None) == before["verify"].get("signed_sha256")
    assert [(b.formats, b.total, b.finished, b.strict) for b in batches] == [(["docx"], 3, 2, False)]
