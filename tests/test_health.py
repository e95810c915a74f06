"""/healthz and /readyz: ready only with Redis reachable (and not nearly full), a worker on every
queue, a worker able to make PDFs, and room on the disk; a 503 names what is missing."""

from __future__ import annotations

from rq import Queue, Worker

from workers.pdf_readiness import report_converter


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_not_ready_without_workers_names_every_gap(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["redis"] == "ok" and checks["redis_memory"].startswith("ok: ")
    assert checks["workers"] == checks["bulk_workers"] == "none running"
    assert checks["callback_workers"].startswith("not needed")
    assert checks["converter"] == "no worker has reported"
    assert checks["disk"].startswith("ok: ")
    assert checks["database"] == "ok"


def test_ready_with_a_worker_on_every_queue_and_a_converter(client, redis, settings):
    worker = Worker([Queue(name, connection=redis) for name in (settings.queue, settings.bulk_queue)],
                    connection=redis)
    worker.register_birth()
    try:
        report_converter(redis, worker.name, settings, ttl=60)  # what our workers do at start
        response = client.get("/readyz")
        assert response.status_code == 200, response.get_json()
        checks = response.get_json()["checks"]
        assert checks["workers"] == checks["bulk_workers"] == "1 listening"
        assert checks["converter"] == "ok on 1 worker(s)"
    finally:
        worker.register_death()


def test_a_worker_without_libreoffice_is_named(client, redis, settings):
    worker = Worker([Queue(name, connection=redis) for name in (settings.queue, settings.bulk_queue)],
                    connection=redis)
    worker.register_birth()
    try:
        report_converter(redis, worker.name, settings.model_copy(update={"soffice": "no-such-soffice"}), ttl=60)
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["converter"] == "LibreOffice ('no-such-soffice') not found"
    finally:
        worker.register_death()


def test_not_ready_when_disk_or_redis_memory_run_out(settings, redis):
    from service.app import create_app

    full = create_app(settings.model_copy(update={"min_free_mb": 10**12})).test_client()
    assert full.get("/readyz").get_json()["checks"]["disk"].startswith("nearly full: ")
    limit = redis.config_get("maxmemory")["maxmemory"]
    redis.config_set("maxmemory", int(redis.info("memory")["used_memory"]) + 1024)
    try:
        checks = full.get("/readyz").get_json()["checks"]
    finally:
        redis.config_set("maxmemory", limit)
    assert checks["redis_memory"].startswith("nearly full: ") and "MB used" in checks["redis_memory"]


def test_not_ready_when_redis_is_unreachable(settings):
    from service.app import create_app

    broken = create_app(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})).test_client()
    response = broken.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"].startswith("unreachable")
