"""The intake's guards and counts as the speed cuts of issue 17 left them: the queue depth read in
the enqueue transaction never lets a stale figure refuse or overfill, request counts reach Redis
without a scrape, and every place a picture can be named by asset id is still checked."""

from __future__ import annotations

import time

from rq import Queue

from service import metrics
from service.app import create_app
from storage.metrics import read_samples
from tests.conftest import bearer, example


def test_the_queue_limit_holds_exactly_while_the_depth_comes_from_the_enqueue_transaction(settings):
    client = create_app(settings.model_copy(update={"max_queue_depth": 10})).test_client()
    answers = [client.post("/api/v1/documents", json=example("pk-jpt")).status_code for _ in range(11)]
    assert answers == [202] * 10 + [503]


def test_a_drained_queue_accepts_again_at_once(settings, redis):
    client = create_app(settings.model_copy(update={"max_queue_depth": 2})).test_client()
    assert [client.post("/api/v1/documents", json=example("pk-jpt")).status_code for _ in range(3)] == [202, 202, 503]
    Queue(settings.queue, connection=redis).empty()  # the worker caught up
    assert client.post("/api/v1/documents", json=example("pk-jpt")).status_code == 202


def test_request_counts_reach_redis_within_a_second_without_a_scrape(client, redis, monkeypatch):
    monkeypatch.setattr(metrics, "_background", True)  # as under gunicorn (service/gunicorn_config.py)
    assert client.get("/api/v1/documents/no-such-id").status_code == 404

    def counted() -> float:
        return sum(s.value for s in read_samples(redis)
                   if s.name == "http_requests" and s.labels.get("status") == "404")

    deadline = time.monotonic() + 10
    while counted() < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert counted() == 1


def test_an_unknown_asset_id_in_an_lkjip_organisation_chart_is_a_422_naming_the_field(keyed_client):
    body = example("lkjip-opd")
    body["data"]["struktur_organisasi"] = {"gambar": {"asset": "0" * 32}}
    response = keyed_client.post("/api/v1/documents", json=body, headers=bearer("a"))
    assert response.status_code == 422, response.get_json()
    assert [e["loc"] for e in response.get_json()["errors"]] == ["data.struktur_organisasi.gambar.asset"]


def test_an_unknown_asset_id_as_the_garuda_is_a_422_naming_the_field(keyed_client):
    body = example("pk-kepala-daerah")
    body["data"]["garuda"] = {"asset": "f" * 32}
    response = keyed_client.post("/api/v1/documents", json=body, headers=bearer("a"))
    assert response.status_code == 422, response.get_json()
    assert [e["loc"] for e in response.get_json()["errors"]] == ["data.garuda.asset"]
