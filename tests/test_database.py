"""The database is the system of record: an issued document outlives Redis (its TTL, a FLUSHALL),
and work accepted but not ended is queued again from the database after Redis was lost."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from redis import Redis
from sqlalchemy import update

from config.settings import REPO_ROOT, Settings, get_settings
from service.app import create_app
from storage.database import Document, database_for
from storage.records import RecordStore
from tests.conftest import bearer, every_page, example
from tests.docx_reading import full_text, open_docx
from tests.processes import stop_group, wait_for
from workers.reconcile import MARKER, reconcile_if_redis_was_lost

pytestmark = pytest.mark.both_databases
"""The same tests on SQLite and on a real PostgreSQL."""

JSON = {"Accept": "application/json"}


def _backdate(settings: Settings, doc_id: str, days: int) -> str:
    """Make a record as old as if it had been issued ``days`` ago; returns its issue time."""
    then = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).replace(microsecond=0)
    stamp = then.isoformat().replace("+00:00", "Z")
    with database_for(settings.database_url).write() as connection:
        connection.execute(update(Document).where(Document.id == doc_id).values(
            created_at=stamp, started_at=stamp, finished_at=stamp))
    return stamp


def test_verify_answers_for_a_record_older_than_the_redis_ttl(make_document, client, redis, settings):
    record, content = make_document(example("pk-jpt"))
    issued = _backdate(settings, record["id"], days=400)
    assert 400 > settings.record_ttl_days
    redis.flushall()  # everything Redis kept with a TTL is gone by now
    facts = client.get(f"/verify/{record['id']}", headers=JSON)
    assert facts.status_code == 200, facts.get_json()
    facts = facts.get_json()
    assert facts["genuine"] is True and facts["issued_at"] == issued
    assert facts["files"] == [{"format": "docx", "sha256": hashlib.sha256(content).hexdigest()}]
    assert facts["agency"] == "Dinas Komunikasi dan Informatika"
    page = client.get(f"/verify/{record['id']}")
    assert page.status_code == 200 and "Asli, belum ditandatangani" in page.get_data(as_text=True)
    status = client.get(f"/api/v1/documents/{record['id']}").get_json()
    assert status["status"] == "finished" and status["created_at"] == issued
    assert client.get(f"/api/v1/documents/{record['id']}/file").data == content


def test_no_document_record_is_kept_in_redis(make_document, redis):
    record, _ = make_document(example("pk-jpt"))
    assert redis.keys("docgen:doc:*") == []
    assert not any(record["id"].encode() in key for key in redis.keys("*") if not key.startswith(b"rq:"))


@pytest.fixture
def batch_client(settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_BATCH_CHUNK_SIZE", "2")
    get_settings.cache_clear()
    return create_app(Settings()).test_client()


def _batch_items() -> list[dict]:
    jpt, admin = example("pk-jpt")["data"], example("pk-administrator")["data"]
    bad = {**jpt, "tahun": 1}
    return [{"ref": "B-1", "data": jpt}, {"ref": "B-2", "data": bad}, {"ref": "B-3", "data": admin}]


def test_flushall_loses_no_issued_document_and_no_verification(make_document, batch_client, client, redis,
                                                               run_bulk_worker):
    single, content = make_document(example("pk-administrator"))
    batch_id = batch_client.post("/api/v1/batches", json={"type": "pk", "items": _batch_items()}).get_json()["id"]
    run_bulk_worker()
    before = batch_client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert before["status"] == "finished" and (before["finished"], before["failed"]) == (2, 1)
    archive = batch_client.get(f"/api/v1/batches/{batch_id}/archive")
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(archive.data)).read("manifest.json"))
    item_ids = [m["id"] for m in manifest if m["status"] == "finished"]

    redis.flushall()

    assert client.get(f"/api/v1/documents/{single['id']}").get_json() == single
    assert client.get(f"/api/v1/documents/{single['id']}/file").data == content
    assert client.get(f"/verify/{single['id']}", headers=JSON).get_json()["files"][0]["sha256"] == \
        hashlib.sha256(content).hexdigest()
    for entry in manifest:
        if entry["status"] != "finished":
            continue
        facts = client.get(f"/verify/{entry['id']}", headers=JSON)
        assert facts.status_code == 200 and facts.get_json()["files"][0]["sha256"] == entry["sha256"]
        item = client.get(f"/api/v1/documents/{entry['id']}").get_json()
        assert item["status"] == "finished" and item["file"]["sha256"] == entry["sha256"]
    assert len(item_ids) == 2
    after = batch_client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (after["status"], after["total"], after["finished"], after["failed"]) == ("finished", 3, 2, 1)
    assert batch_client.get(f"/api/v1/batches/{batch_id}/archive").data == archive.data
    failed = batch_client.get(f"/api/v1/batches/{batch_id}/errors").get_json()["failed"]
    assert [(f["ref"], [e["loc"] for e in f["errors"]]) for f in failed] == [("B-2", ["data.tahun"])]


def _worker(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "workers", *args], cwd=REPO_ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(process: subprocess.Popen[bytes]) -> None:
    stop_group(process, timeout=30)


@pytest.mark.slow
def test_work_accepted_and_not_ended_is_queued_again_by_a_worker_after_redis_was_lost(
        batch_client, client, redis: Redis, records: RecordStore, settings):
    queued = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"]
    started = client.post("/api/v1/documents", json=example("pk-kepala-daerah")).get_json()["id"]
    records.mark_started(started, "a worker that died with Redis", 1)
    batch_id = batch_client.post("/api/v1/batches", json={"type": "pk", "items": _batch_items()}).get_json()["id"]
    assert redis.llen("rq:queue:documents") == 2

    redis.flushall()  # the queue, the jobs and the batch's Redis state are gone

    assert client.get(f"/api/v1/documents/{queued}").get_json()["status"] == "queued"
    workers = [_worker(), _worker("--bulk")]
    try:
        wait_for(lambda: all(client.get(f"/api/v1/documents/{d}").get_json()["status"] == "finished"
                             for d in (queued, started)), timeout=120, interval=0.2)
        wait_for(lambda: batch_client.get(f"/api/v1/batches/{batch_id}").get_json()["status"] == "finished",
                 timeout=120, interval=0.2)
    finally:
        for worker in workers:
            _stop(worker)
    first = open_docx(client.get(f"/api/v1/documents/{queued}/file").data)
    assert "Dr. Ir. Rahmat Hidayat Lubis, M.Si." in full_text(first)
    again = client.get(f"/api/v1/documents/{started}").get_json()
    assert again["attempts"] == 2 and again["error"] is None
    batch = batch_client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (batch["finished"], batch["failed"]) == (2, 1)


def test_docgen_db_reconcile_queues_again_only_what_redis_lacks(client, redis, settings, run_worker):
    lost = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"]
    redis.flushall()
    kept = client.post("/api/v1/documents", json=example("pk-administrator")).get_json()["id"]
    command = subprocess.run([sys.executable, "-m", "cli.main", "db", "reconcile"], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=60)
    assert command.returncode == 0, command.stderr
    assert "queued again: 1 documents, 0 batches" in command.stdout
    assert redis.llen("rq:queue:documents") == 2  # the lost one back, the kept one not twice
    again = subprocess.run([sys.executable, "-m", "cli.main", "db", "reconcile"], cwd=REPO_ROOT,
                           capture_output=True, text=True, timeout=60)
    assert "queued again: 0 documents, 0 batches" in again.stdout
    run_worker()
    for doc_id in (lost, kept):
        record = client.get(f"/api/v1/documents/{doc_id}").get_json()
        assert record["status"] == "finished" and record["attempts"] == 1


def test_a_worker_starting_on_a_new_redis_reconciles_once(client, redis, settings):
    client.post("/api/v1/documents", json=example("pk-jpt"))
    redis.flushall()
    assert not redis.exists(MARKER)
    done = reconcile_if_redis_was_lost(redis, settings)
    assert done is not None and len(done.documents) == 1 and redis.exists(MARKER)
    assert reconcile_if_redis_was_lost(redis, settings) is None  # Redis has been reconciled: nothing more
    assert redis.llen("rq:queue:documents") == 1


def test_listing_pages_through_the_clients_own_documents_newest_first(keyed_client, run_worker):
    ids = [keyed_client.post("/api/v1/documents", json=example("pk-jpt"), headers=bearer("a")).get_json()["id"]
           for _ in range(5)]
    other = keyed_client.post("/api/v1/documents", json=example("pk-jpt"), headers=bearer("b")).get_json()["id"]
    run_worker()
    seen = every_page(keyed_client, "/api/v1/documents?limit=2&status=finished", bearer("a"))
    assert sorted(seen) == sorted(ids) and other not in seen  # each once, client b's not among them
    first = keyed_client.get("/api/v1/documents?limit=1", headers=bearer("a")).get_json()["items"][0]
    assert first["status"] == "finished" and first["file"]["sha256"]
    everyone = keyed_client.get("/api/v1/documents?year=2026", headers=bearer("boss")).get_json()["items"]
    assert {d["id"] for d in everyone} == {*ids, other}
    assert keyed_client.get("/api/v1/documents?year=2025", headers=bearer("boss")).get_json()["items"] == []


@pytest.mark.parametrize(("query", "loc"), [("limit=0", "query.limit"), ("limit=abc", "query.limit"),
                                            ("limit=500", "query.limit"), ("before=%%%", "query.before"),
                                            ("before=bm90LWEtY3Vyc29y", "query.before"), ("year=12", "query.year")])
def test_listing_refuses_bad_query_parameters_by_name(client, query, loc):
    response = client.get(f"/api/v1/documents?{query}")
    assert response.status_code == 422 and [e["loc"] for e in response.get_json()["errors"]] == [loc]


def test_retention_deletes_old_records_and_earlier_only_files_keeping_their_hashes(make_document, client,
                                                                                     settings):
    expired, _ = make_document(example("pk-kepala-daerah"))
    filed, content = make_document(example("pk-jpt"))
    fresh, fresh_content = make_document(example("pk-kepala-daerah"))
    _backdate(settings, expired["id"], days=int(365.25 * settings.retention_years) + 2)
    _backdate(settings, filed["id"], days=100)
    docx = settings.documents_dir / filed["id"][:2] / f"{filed['id']}.docx"
    assert docx.is_file()
    env = dict(os.environ, DOCGEN_FILE_RETENTION_DAYS="30")
    command = [sys.executable, "-m", "cli.main", "db", "purge"]
    dry = subprocess.run([*command, "--dry-run"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "would delete: 1 records past 10 years, 2 files" in dry.stdout and docx.is_file()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert "deleted: 1 records past 10 years, 2 files" in done.stdout, done.stdout + done.stderr

    assert client.get(f"/api/v1/documents/{expired['id']}").status_code == 404
    assert client.get(f"/verify/{expired['id']}", headers=JSON).status_code == 404
    assert not (settings.documents_dir / expired["id"][:2] / f"{expired['id']}.docx").exists()
    # "berkas dihapus, sidik tetap": the file is gone, the record and its hash still verify
    assert not docx.exists()
    facts = client.get(f"/verify/{filed['id']}", headers=JSON).get_json()
    assert facts["files"] == [{"format": "docx", "sha256": hashlib.sha256(content).hexdigest()}]
    assert client.get(f"/api/v1/documents/{filed['id']}/file").status_code == 410
    assert client.get(f"/api/v1/documents/{fresh['id']}/file").data == fresh_content


LEGACY = REPO_ROOT / "tests" / "data" / "legacy"
"""A data folder written by the version before the database (tests/data/legacy/make_legacy.py)."""


def _as_before(now: object, before: object) -> object:
    """``now`` cut down to the fields ``before`` has (at every depth): the facts both versions know."""
    if isinstance(now, dict) and isinstance(before, dict):
        return {k: _as_before(now.get(k), v) for k, v in before.items()}
    if isinstance(now, list) and isinstance(before, list) and len(now) == len(before):
        return [_as_before(n, b) for n, b in zip(now, before, strict=True)]
    return now


@pytest.mark.slow
def test_docgen_db_upgrade_imports_a_data_folder_of_the_version_before_exactly_and_once(
        tmp_path, settings, redis, monkeypatch, run_worker, run_bulk_worker):
    data_dir = tmp_path / "legacy"
    shutil.copytree(LEGACY / "var", data_dir)
    expected = json.loads((LEGACY / "expected.json").read_text())
    env = {k: v for k, v in os.environ.items() if k != "DOCGEN_REDIS_URL"} | {"DOCGEN_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "cli.main", "db", "upgrade"]
    first = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    # three single documents and the two items the running batch had made
    assert "imported 5 document records from Redis (0 already in the database, 0 with files missing" in first.stdout
    assert "imported 1 batches from Redis (0 already in the database; 1 running" in first.stdout
    again = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "imported 0 document records from Redis (5 already in the database" in again.stdout, again.stderr
    assert "imported 0 batches from Redis (1 already in the database" in again.stdout

    monkeypatch.setenv("DOCGEN_DATA_DIR", str(data_dir))  # the workers' settings too
    get_settings.cache_clear()
    client = create_app(get_settings()).test_client()  # on a new, empty Redis: the records are in the database
    for doc_id, before in expected.items():
        # every fact the version before answered is answered alike; later versions only add facts
        assert _as_before(client.get(f"/api/v1/documents/{doc_id}").get_json(), before["status"]) == before["status"]
        verify = client.get(f"/verify/{doc_id}", headers=JSON).get_json()
        assert _as_before(verify, before["verify"]) == before["verify"], doc_id
    signed = next(d for d, e in expected.items() if e["status"]["status"] == "signed")
    assert hashlib.sha256(client.get(f"/api/v1/documents/{signed}/file?version=signed").data).hexdigest() == \
        expected[signed]["verify"]["signed_sha256"]
    # the one accepted and never rendered is queued again on the new Redis and ends finished
    queued = next(d for d, e in expected.items() if e["status"]["status"] == "queued")
    # the batch that was running: read from the database as that version answered it ...
    (batch_id, before_batch), = json.loads((LEGACY / "expected_batches.json").read_text()).items()
    status = client.get(f"/api/v1/batches/{batch_id}").get_json()
    del status["documents_per_second"], before_batch["status"]["documents_per_second"]  # measured until now
    assert _as_before(status, before_batch["status"]) == before_batch["status"]
    def by_ref() -> dict[str, dict]:
        return {ref: found[0] for ref in ("opd-1", "opd-2", "opd-3") if (found := client.get(
            f"/api/v1/documents?batch={batch_id}&ref={ref}").get_json()["items"])}

    made = by_ref()
    assert sorted(made) == ["opd-1", "opd-2"]
    reconcile_if_redis_was_lost(redis, get_settings())
    run_worker()
    run_bulk_worker()
    assert client.get(f"/api/v1/documents/{queued}").get_json()["status"] == "finished"
    # ... and going on after the upgrade: the third item made, the two made before kept as they were
    status = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (status["status"], status["finished"], status["failed"]) == ("finished", 3, 0), \
        client.get(f"/api/v1/batches/{batch_id}/errors").get_json()
    items = by_ref()
    assert sorted(items) == ["opd-1", "opd-2", "opd-3"]
    for ref, before_item in made.items():
        assert items[ref]["finished_at"] == before_item["finished_at"]
        assert items[ref]["file"]["sha256"] == before_item["file"]["sha256"]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/batches/{batch_id}/archive").data))
    manifest = json.loads(archive.read("manifest.json"))
    assert [(e["ref"], e["status"]) for e in manifest] == [("opd-1", "finished"), ("opd-2", "finished"),
                                                          ("opd-3", "finished")]
    for entry in manifest:
        assert "Dinas Komunikasi dan Informatika" in full_text(open_docx(archive.read(entry["file"])))
