"""/healthz and /readyz: ready only with Redis reachable and a worker on our queue."""

from __future__ import annotations

from rq import Queue, Worker


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_not_ready_without_a_worker(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"redis": "ok", "workers": "none running", "database": "ok"}


def test_ready_with_a_worker_listening(client, redis, settings):
    worker = Worker([Queue(settings.queue, connection=redis)], connection=redis)
    worker.register_birth()
    try:
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.get_json()["checks"]["workers"] == "1 listening on 'documents'"
    finally:
        worker.register_death()


def test_not_ready_when_redis_is_unreachable(settings):
    from service.app import create_app

    broken = create_app(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})).test_client()
    response = broken.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"].startswith("unreachable")
