"""A render job's start and finish run as SQLite's own SQL (storage.driver_sql): the records they
leave are the ones SQLAlchemy's path leaves, a signed document is not started again, and a finish
that fails half-way changes nothing."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc

from storage.database import database_for
from storage.database.engine import Database
from storage.records import DocumentStatus, RecordStore, StoredFile, stored_file

REQUEST = (Path(__file__).resolve().parent.parent / "examples" / "pk-jpt.json").read_text()
FINISHED = {
    "formats": ["docx", "pdf"],
    "files": [stored_file("docx", "PK_2026.docx", b"d" * 100), stored_file("pdf", "PK_2026.pdf", b"p" * 10)],
    "template_name": "pk", "template_version": 2, "template_sha256": "ab" * 32,
    "summary": json.dumps({"tahun": 2026, "instansi": "Dinas Komunikasi dan Informatika",
                           "pihak": [{"nama": "Dr. Ir. Rahmat Hidayat Lubis, M.Si."}]}),
}


def _store(path: Path) -> RecordStore:
    store = RecordStore(None, 0, database=database_for(f"sqlite:///{path}"))
    store.create("doc1", {"type": "pk", "formats": ["docx", "pdf"], "request": REQUEST, "client": "dinas",
                          "callback_url": "https://example.go.id/hook"})
    return store


def _without_times(record: Any) -> dict[str, Any]:
    fields = dataclasses.asdict(record)
    return {k: (bool(v) if k.endswith("_at") else v) for k, v in fields.items()}


def _life(store: RecordStore) -> list[Any]:
    """Two attempts, each started and finished, and the record read back."""
    first = store.mark_started_unless_signed("doc1", "worker-a", 101)
    store.mark_finished("doc1", FINISHED)
    second = store.mark_started_unless_signed("doc1", "worker-b", 102)
    store.mark_finished("doc1", FINISHED)
    return [first, second, store.get("doc1")]


def test_start_and_finish_leave_the_records_sqlalchemy_leaves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fast = _life(_store(tmp_path / "fast.db"))
    with monkeypatch.context() as patch:  # the path every other database takes
        patch.setattr(Database, "dialect", property(lambda self: "sqlalchemy"))
        reference = _life(_store(tmp_path / "reference.db"))
    assert [_without_times(r) for r in fast] == [_without_times(r) for r in reference]
    first, second, final = fast
    assert (first.status, first.attempts, first.worker, first.pid) == ("started", 1, "worker-a", 101)
    assert first.request == REQUEST and first.callback_url == "https://example.go.id/hook"
    assert first.started_at.endswith("Z") and first.files == []
    assert (second.attempts, second.worker) == (2, "worker-b")
    assert final.status == "finished" and final.finished_at.endswith("Z") and final.error in ("", None)
    assert final.files == [StoredFile("docx", "PK_2026.docx", 100, FINISHED["files"][0].sha256),
                           StoredFile("pdf", "PK_2026.pdf", 10, FINISHED["files"][1].sha256)]
    assert (final.template_version, final.formats) == (2, ["docx", "pdf"])
    listed = store_listing(tmp_path / "fast.db")
    assert (listed.year, listed.agency) == (2026, "Dinas Komunikasi dan Informatika")


def store_listing(path: Path) -> Any:
    from storage.records import DOCUMENTS

    with database_for(f"sqlite:///{path}").read() as connection:
        return connection.execute(DOCUMENTS.select().where(DOCUMENTS.c.id == "doc1")).one()


def test_a_signed_document_is_not_started_again(tmp_path: Path):
    store = _store(tmp_path / "records.db")
    store.mark_started_unless_signed("doc1", "worker-a", 101)
    store.mark_finished("doc1", FINISHED)
    store.mark_signed("doc1", "PK_2026_signed.pdf", b"%PDF signed")
    assert store.mark_started_unless_signed("doc1", "worker-b", 102) is None
    record = store.get("doc1")
    assert (record.status, record.attempts, record.worker) == (DocumentStatus.SIGNED.value, 1, "worker-a")
    assert store.mark_started_unless_signed("no-such-document", "worker-b", 102) is None


def test_a_finish_that_fails_half_way_changes_nothing(tmp_path: Path):
    store = _store(tmp_path / "records.db")
    store.mark_started_unless_signed("doc1", "worker-a", 101)
    twice = {**FINISHED, "files": [FINISHED["files"][0], FINISHED["files"][0]]}  # one format's file twice
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        store.mark_finished("doc1", twice)
    record = store.get("doc1")
    assert (record.status, record.files, record.finished_at) == ("started", [], None)
    store.mark_finished("doc1", FINISHED)  # the connection went back to the pool usable
    assert store.get("doc1").status == "finished"


def test_finishing_a_document_without_a_record_writes_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    store = _store(tmp_path / "records.db")
    store.mark_finished("no-such-document", FINISHED)
    assert store.get("no-such-document") is None
    assert "document no-such-document has no record" in caplog.text
