"""Batches under real worker processes: priority for single documents, and a worker killed mid-batch."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from config.settings import REPO_ROOT, Settings, get_settings
from service.app import create_app
from tests.conftest import example
from tests.processes import descendants, wait_for


def _start_worker(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "workers", *args], cwd=REPO_ROOT, env=dict(os.environ),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(*workers: subprocess.Popen) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=60)


def _batch(count: int) -> dict:
    data = example("pk-jpt")["data"]
    return {"type": "pk", "items": [{"ref": f"R{n:05d}", "data": data} for n in range(count)]}


@pytest.fixture
def client_with_chunks(settings, monkeypatch):
    monkeypatch.setenv("DOCGEN_BATCH_CHUNK_SIZE", "20")
    get_settings.cache_clear()
    return create_app(Settings()).test_client()


@pytest.mark.slow
def test_a_single_document_is_not_stuck_behind_a_batch(client_with_chunks):
    client = client_with_chunks
    bulk, interactive = _start_worker("--bulk"), _start_worker()
    try:
        batch_id = client.post("/api/v1/batches", json=_batch(1500)).get_json()["id"]
        wait_for(lambda: client.get(f"/api/v1/batches/{batch_id}").get_json()["finished"] > 0, timeout=60)
        start = time.monotonic()
        doc_id = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"]
        wait_for(lambda: client.get(f"/api/v1/documents/{doc_id}").get_json()["status"] == "finished", timeout=30,
              interval=0.02)
        elapsed = time.monotonic() - start
        batch = client.get(f"/api/v1/batches/{batch_id}").get_json()
    finally:
        _stop(bulk, interactive)
    assert batch["status"] == "running" and batch["finished"] < 1500  # the batch was still going
    assert elapsed < 5, elapsed


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(client_with_chunks, redis):
    client = client_with_chunks
    bulk = _start_worker("--bulk")
    try:
        batch_id = client.post("/api/v1/batches", json=_batch(300)).get_json()["id"]
        key = f"docgen:batch:{batch_id}"
        wait_for(lambda: int(redis.hget(key, "finished") or 0) >= 30, timeout=60, interval=0.005)
        horses = descendants(bulk.pid)
        for pid in horses:  # the work horse (and the scheduler, which RQ restarts)
            with contextlib.suppress(ProcessLookupError):  # a horse that ended its chunk just now
                os.kill(int(pid), signal.SIGKILL)
        status = wait_for(lambda: (s := client.get(f"/api/v1/batches/{batch_id}").get_json())["archive_ready"] and s,
                       timeout=120, interval=0.2)
    finally:
        _stop(bulk)
    assert horses, "no work horse was running"
    assert (status["finished"], status["failed"]) == (300, 0)
    with zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/batches/{batch_id}/archive").data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        documents = [n for n in archive.namelist() if n.endswith(".docx")]
    assert sorted(m["ref"] for m in manifest) == [f"R{n:05d}" for n in range(300)]
    assert len({m["id"] for m in manifest}) == 300
    assert len(documents) == 300 and len(set(documents)) == 300
