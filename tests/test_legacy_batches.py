"""A batch the version before the database accepted and had not ended goes on after `docgen db
upgrade` on the same Redis: its queued chunk job runs under this version, the items it made
before are kept, and the archive holds them all (tests/data/legacy: one chunk of two rendered).
The upgrade onto a new, empty Redis is tested with the rest of the import in test_database.py."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from redis import Redis
from rq import Queue

from config.settings import REPO_ROOT, get_settings
from service.app import create_app
from storage.redis_server import RedisServer
from tests.docx_reading import full_text, open_docx
from workers import jobs
from workers.warm import PreparingWorker

pytestmark = pytest.mark.both_databases

LEGACY = REPO_ROOT / "tests" / "data" / "legacy"


@pytest.mark.slow
def test_a_running_batch_of_the_version_before_goes_on_on_the_same_redis_after_the_upgrade(
        tmp_path, settings, monkeypatch):
    data_dir = tmp_path / "legacy"
    shutil.copytree(LEGACY / "var", data_dir)
    (batch_id, before), = json.loads((LEGACY / "expected_batches.json").read_text()).items()
    env = {k: v for k, v in os.environ.items() if k != "DOCGEN_REDIS_URL"} | {"DOCGEN_DATA_DIR": str(data_dir)}
    upgrade = subprocess.run([sys.executable, "-m", "cli.main", "db", "upgrade"], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert "imported 1 batches from Redis (0 already in the database; 1 running" in upgrade.stdout, upgrade.stderr

    server = RedisServer(data_dir / "redis").start()  # the data folder's own Redis, as `make run` starts it
    try:
        monkeypatch.setenv("DOCGEN_REDIS_URL", server.url)
        monkeypatch.setenv("DOCGEN_DATA_DIR", str(data_dir))
        get_settings.cache_clear()
        redis = Redis.from_url(server.url)
        assert redis.llen(f"rq:queue:{settings.bulk_queue}") == 1  # the old version's job for the second chunk
        client = create_app(get_settings()).test_client()
        assert client.get(f"/api/v1/batches/{batch_id}").get_json()["finished"] == before["status"]["finished"]
        PreparingWorker([Queue(settings.bulk_queue, connection=redis)], connection=redis,
                        work_horse_killed_handler=jobs.on_horse_killed).work(burst=True)

        status = client.get(f"/api/v1/batches/{batch_id}").get_json()
        assert (status["status"], status["finished"], status["failed"]) == ("finished", 3, 0), \
            client.get(f"/api/v1/batches/{batch_id}/errors").get_json()
        archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/batches/{batch_id}/archive").data))
        manifest = json.loads(archive.read("manifest.json"))
        assert [(e["ref"], e["status"]) for e in manifest] == [("opd-1", "finished"), ("opd-2", "finished"),
                                                              ("opd-3", "finished")]
        for entry in manifest:
            text = full_text(open_docx(archive.read(entry["file"])))
            assert "Dinas Komunikasi dan Informatika" in text and "Rahmat Hidayat Lubis" in text
        redis.close()
    finally:
        server.stop()
        get_settings.cache_clear()
    # archived: the database answers alike on another Redis, the data folder's one gone
    monkeypatch.setenv("DOCGEN_REDIS_URL", settings.redis_url)
    client = create_app(get_settings()).test_client()
    assert client.get(f"/api/v1/batches/{batch_id}").get_json()["status"] == "finished"
