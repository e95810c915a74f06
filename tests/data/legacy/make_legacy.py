"""Makes tests/data/legacy: a data folder written by the version before the database (document
records in Redis), as `make run` leaves it, and expected.json (what that version answered).
Run from that version's checkout:

    git archive 93e8076 | tar -x -C /tmp/before && cd /tmp/before &&
    PYTHONPATH=. /path/to/.venv/bin/python /path/to/tests/data/legacy/make_legacy.py /path/to/tests/data/legacy/var
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


def main(target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    os.environ.update(DOCGEN_DATA_DIR=str(target), DOCGEN_PUBLIC_URL="http://docgen.test")
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
        stop_converters(target / "libreoffice")
        # The records carry that version's 30-day TTL (an absolute time in the AOF): keep them, as
        # if the upgrade ran within that month, so the fixture does not expire.
        for key in redis.scan_iter("docgen:*"):
            redis.persist(key)
        redis.execute_command("BGREWRITEAOF")
        while redis.info("persistence")["aof_rewrite_in_progress"]:
            time.sleep(0.1)
    finally:
        redis_server.stop()
    shutil.rmtree(target / "libreoffice", ignore_errors=True)
    for name in ("session-secret", "redis/redis.log"):
        (target / name).unlink(missing_ok=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
