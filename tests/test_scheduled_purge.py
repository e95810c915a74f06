"""Retention runs by itself: a worker's maintenance purges once per DOCGEN_PURGE_INTERVAL_HOURS,
one worker at a time (a Redis key is the lock and the schedule), records past
DOCGEN_RETENTION_YEARS with their files and files past DOCGEN_FILE_RETENTION_DAYS (the record
keeping the hashes)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import update

from config.settings import Settings, get_settings
from storage.database import Document, database_for
from tests.conftest import example
from workers.scheduled_purge import LAST_PURGE, purge_when_due

pytestmark = pytest.mark.both_databases

JSON = {"Accept": "application/json"}


def _backdate(settings: Settings, doc_id: str, days: int) -> None:
    then = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).replace(microsecond=0)
    stamp = then.isoformat().replace("+00:00", "Z")
    with database_for(settings.database_url).write() as connection:
        connection.execute(update(Document).where(Document.id == doc_id).values(
            created_at=stamp, started_at=stamp, finished_at=stamp))


def _file(settings: Settings, doc_id: str) -> object:
    return settings.documents_dir / doc_id[:2] / f"{doc_id}.docx"


def test_a_workers_maintenance_purges_past_retention_once_a_day(make_document, client, redis, settings,
                                                                 monkeypatch, run_worker):
    expired, _ = make_document(example("pk-kepala-daerah"))
    filed, content = make_document(example("pk-jpt"))
    fresh, fresh_content = make_document(example("pk-kepala-daerah"))
    redis.delete(LAST_PURGE)  # the workers that made them have purged (nothing) already today
    _backdate(settings, expired["id"], days=int(365.25 * settings.retention_years) + 2)
    _backdate(settings, filed["id"], days=100)
    monkeypatch.setenv("DOCGEN_FILE_RETENTION_DAYS", "30")
    get_settings.cache_clear()
    assert _file(settings, expired["id"]).is_file() and _file(settings, filed["id"]).is_file()

    run_worker()  # an idle worker: its maintenance at start is when the purge is due

    assert client.get(f"/api/v1/documents/{expired['id']}").status_code == 404
    assert client.get(f"/verify/{expired['id']}", headers=JSON).status_code == 404
    assert not _file(settings, expired["id"]).exists()
    # "berkas dihapus, sidik tetap": the 100-day-old file is gone, its record still verifies
    assert not _file(settings, filed["id"]).exists()
    facts = client.get(f"/verify/{filed['id']}", headers=JSON).get_json()
    assert facts["genuine"] is True
    assert facts["files"] == [{"format": "docx", "sha256": hashlib.sha256(content).hexdigest()}]
    assert client.get(f"/api/v1/documents/{filed['id']}/file").status_code == 410
    assert client.get(f"/api/v1/documents/{fresh['id']}/file").data == fresh_content
    assert redis.ttl(LAST_PURGE) > 23 * 3600

    # within the same day no worker purges again; a day later (the key expired) one does
    _backdate(settings, fresh["id"], days=100)
    run_worker()
    assert client.get(f"/api/v1/documents/{fresh['id']}/file").data == fresh_content
    redis.delete(LAST_PURGE)
    run_worker()
    assert client.get(f"/api/v1/documents/{fresh['id']}/file").status_code == 410


def test_only_one_worker_purges_per_interval_and_a_failed_purge_is_tried_again(redis, settings, monkeypatch):
    first = purge_when_due(redis, get_settings())
    assert first is not None and (first.records, first.files) == (0, 0)
    assert purge_when_due(redis, get_settings()) is None  # another worker, the same day

    redis.delete(LAST_PURGE)
    broken = get_settings().model_copy(update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    with pytest.raises(Exception):  # noqa: B017 - whichever error the unreachable database raises
        purge_when_due(redis, broken)
    assert not redis.exists(LAST_PURGE)  # the next maintenance tries again

    monkeypatch.setenv("DOCGEN_PURGE_INTERVAL_HOURS", "0")
    get_settings.cache_clear()
    assert purge_when_due(redis, get_settings()) is None and not redis.exists(LAST_PURGE)
