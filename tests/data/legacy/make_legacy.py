"""Makes tests/data/legacy: a data folder written by the version before the database (document
and batch records in Redis), as `make run` leaves it, expected.json (what that version answered
for its documents) and expected_batches.json (for its batch, still running: one chunk of two
rendered, the other queued). Run from that version's checkout:

    git archive 93e8076 | tar -x -C /tmp/before && cd /tmp/before &&
    PYTHONPATH=. /path/to/.venv/bin/python /path/to/tests/data/legacy/make_legacy.py /path/to/tests/data/legacy/var

``--add-batch`` adds only the running batch to a folder made before (its documents kept as they are).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import time
from pathlib import Path


def _example(name: str) -> dict:
    return json.loads((Path("examples") / f"{name}.json").read_text())


BATCH_REFS = ("opd-1", "opd-2", "opd-3")
"""The running batch's items (pk-jpt's data); chunks of two: the first rendered, the second queued."""


def _running_batch(client, redis, settings) -> dict:
    """A batch accepted by that version whose first chunk was rendered and second is still queued;
    returns what that version answered for it."""
    from rq import Queue

    from workers import jobs
    from workers.warm import PreparingWorker

    data = _example("pk-jpt")["data"]
    answer = client.post("/api/v1/batches", json={"type": "pk", "format": "docx",
                                                  "items": [{"ref": ref, "data": data} for ref in BATCH_REFS]})
    assert answer.status_code == 202, answer.get_json()
    batch_id = answer.get_json()["id"]
    PreparingWorker([Queue(settings.bulk_queue, connection=redis)], connection=redis,
                    work_horse_killed_handler=jobs.on_horse_killed).work(burst=True, max_jobs=1)
    status = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert status["status"] == "running" and status["finished"] == 2, status
    return {batch_id: {"status": status}}


def _persist(redis) -> None:
    # The records carry that version's 30-day TTL (an absolute time in the AOF): keep them, as
    # if the upgrade ran within that month, so the fixture does not expire.
    for key in redis.scan_iter("docgen:*"):
        redis.persist(key)
    redis.execute_command("BGREWRITEAOF")
    while redis.info("persistence")["aof_rewrite_in_progress"]:
        time.sleep(0.1)


def add_batch(target: Path) -> None:
    """The running batch, added to a data folder made before."""
    os.environ.update(DOCGEN_DATA_DIR=str(target), DOCGEN_PUBLIC_URL="http://docgen.test",
                      DOCGEN_BATCH_CHUNK_SIZE="2")
    from storage.redis_server import RedisServer

    redis_server = RedisServer(target / "redis").start()
    os.environ["DOCGEN_REDIS_URL"] = redis_server.url
    from redis import Redis

    from config.settings import get_settings
    from service.app import create_app
    from workers.converter import stop_converters

    try:
        settings = get_settings()
        redis = Redis.from_url(redis_server.url)
        expected = _running_batch(create_app(settings).test_client(), redis, settings)
        (target.parent / "expected_batches.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False))
        stop_converters(target / "libreoffice")
        _persist(redis)
    finally:
        redis_server.stop()
    shutil.rmtree(target / "libreoffice", ignore_errors=True)
    for name in ("session-secret", "redis/redis.log"):
        (target / name).unlink(missing_ok=True)


def main(target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    os.environ.update(DOCGEN_DATA_DIR=str(target), DOCGEN_PUBLIC_URL="http://docgen.test",
                      DOCGEN_BATCH_CHUNK_SIZE="2")
    from storage.redis_server import RedisServer

    redis_server = RedisServer(target / "redis").start()  # as `make run`: appendonly, noeviction
    os.environ["DOCGEN_REDIS_URL"] = redis_server.url
    from pypdf import PdfReader, PdfWriter
    from redis import Redis
    from rq import Queue

    from config.settings import get_settings
    from service.app import create_app
    from workers import jobs
    from workers.converter import stop_converters
    from workers.warm import PreparingWorker

    try:
        settings = get_settings()
        client = create_app(settings).test_client()
        redis = Redis.from_url(redis_server.url)
        docx = client.post("/api/v1/documents", json=_example("pk-jpt")).get_json()["id"]
        pdf = client.post("/api/v1/documents", json=_example("pk-administrator")).get_json()["id"]
        PreparingWorker([Queue(settings.queue, connection=redis)], connection=redis,
                        work_horse_killed_handler=jobs.on_horse_killed).work(burst=True)
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(client.get(f"/api/v1/documents/{pdf}/file").data)))
        writer.add_metadata({"/Signer": "BSrE test"})
        signed = io.BytesIO()
        writer.write(signed)
        answer = client.post(f"/api/v1/documents/{pdf}/signed", data=signed.getvalue(),
                             headers={"Content-Type": "application/pdf"})
        assert answer.status_code == 200, answer.get_json()
        queued = client.post("/api/v1/documents", json=_example("pk-kepala-daerah")).get_json()["id"]
        expected = {doc_id: {"status": client.get(f"/api/v1/documents/{doc_id}").get_json(),
                             "verify": client.get(f"/verify/{doc_id}", headers={"Accept": "application/json"}).json}
                    for doc_id in (docx, pdf, queued)}
        (target.parent / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False))
        batches = _running_batch(client, redis, settings)
        (target.parent / "expected_batches.json").write_text(json.dumps(batches, indent=1, ensure_ascii=False))
        stop_converters(target / "libreoffice")
        _persist(redis)
    finally:
        redis_server.stop()
    shutil.rmtree(target / "libreoffice", ignore_errors=True)
    for name in ("session-secret", "redis/redis.log"):
        (target / name).unlink(missing_ok=True)


if __name__ == "__main__":
    if "--add-batch" in sys.argv:
        add_batch(Path(sys.argv[-1]).resolve())
    else:
        main(Path(sys.argv[1]).resolve())
