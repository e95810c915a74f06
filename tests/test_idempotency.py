"""Idempotency-Key: a retried POST gets the same document or batch; another body with the key is 409."""

from __future__ import annotations

import pytest

from tests.conftest import bearer, example

pytestmark = pytest.mark.both_databases
"""The same API tests on SQLite and on a real PostgreSQL."""

PROBLEM = "application/problem+json"


def _post(client, path, body, key, name=None):
    headers = {"Idempotency-Key": key, **(bearer(name) if name else {})}
    return client.post(path, json=body, headers=headers)


def test_same_key_and_body_answers_the_same_document(client, redis, records):
    first = _post(client, "/api/v1/documents", example("pk-jpt"), "order-1")
    again = _post(client, "/api/v1/documents", example("pk-jpt"), "order-1")
    assert first.status_code == again.status_code == 202
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert records.count() == 1 and redis.llen("rq:queue:documents") == 1
    assert redis.ttl(redis.keys("docgen:idem:*")[0]) > 29 * 86400


def test_same_key_with_another_body_is_409(client):
    first = _post(client, "/api/v1/documents", example("pk-jpt"), "order-2")
    other = _post(client, "/api/v1/documents", example("pk-administrator"), "order-2")
    assert other.status_code == 409 and other.mimetype == PROBLEM
    assert "order-2" in other.get_json()["detail"] and other.get_json()["resource_id"] == first.get_json()["id"]


def test_a_retry_after_redis_was_lost_finds_the_same_document(client, redis, records, keyed_client):
    first = _post(client, "/api/v1/documents", example("pk-jpt"), "order-flush")
    redis.flushall()  # Redis lost: the key's claim and the job are gone, the record is not
    again = _post(client, "/api/v1/documents", example("pk-jpt"), "order-flush")
    assert again.status_code == 202 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"] and again.get_json()["links"] == first.get_json()["links"]
    assert records.count() == 1
    other = _post(client, "/api/v1/documents", example("pk-administrator"), "order-flush")
    assert other.status_code == 409 and other.get_json()["resource_id"] == first.get_json()["id"]
    # another client's key of the same text is its own
    assert _post(keyed_client, "/api/v1/documents", example("pk-jpt"), "order-flush", "a").get_json()["id"] != \
        first.get_json()["id"]


def test_without_a_key_every_post_is_a_new_document(client):
    ids = {client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"] for _ in range(2)}
    assert len(ids) == 2


def test_an_invalid_request_claims_no_key(client):
    body = example("pk-jpt")
    body["data"]["pihak_pertama"]["nip"] = "123"
    assert _post(client, "/api/v1/documents", body, "order-3").status_code == 422
    assert _post(client, "/api/v1/documents", example("pk-jpt"), "order-3").status_code == 202


def test_a_malformed_key_is_400(client):
    response = _post(client, "/api/v1/documents", example("pk-jpt"), "x" * 300)
    assert response.status_code == 400 and response.mimetype == PROBLEM


def test_keys_are_per_client(keyed_client):
    a = _post(keyed_client, "/api/v1/documents", example("pk-jpt"), "same", "a")
    b = _post(keyed_client, "/api/v1/documents", example("pk-administrator"), "same", "b")
    assert a.status_code == b.status_code == 202 and a.get_json()["id"] != b.get_json()["id"]
    assert _post(keyed_client, "/api/v1/documents", example("pk-jpt"), "same", "a").get_json()["id"] == \
        a.get_json()["id"]


def test_a_retried_batch_is_the_same_batch(client, redis):
    body = {"type": "pk", "items": [{"ref": "R-1", "data": example("pk-jpt")["data"]}]}
    first = _post(client, "/api/v1/batches", body, "batch-1")
    again = _post(client, "/api/v1/batches", body, "batch-1")
    assert first.status_code == again.status_code == 202 and again.get_json()["id"] == first.get_json()["id"]
    assert len(redis.keys("docgen:batch:*[^:]")) >= 1 and len(redis.keys("docgen:batch:*:chunk:0")) == 1
    body["items"][0]["ref"] = "R-2"
    assert _post(client, "/api/v1/batches", body, "batch-1").status_code == 409
    # the same key names a document independently of a batch
    assert _post(client, "/api/v1/documents", example("pk-jpt"), "batch-1").status_code == 202


def test_a_retried_batch_after_redis_was_lost_is_the_same_batch(client, redis):
    body = {"type": "pk", "items": [{"ref": "R-1", "data": example("pk-jpt")["data"]}]}
    first = _post(client, "/api/v1/batches", body, "batch-flush")
    redis.flushall()
    again = _post(client, "/api/v1/batches", body, "batch-flush")
    assert again.status_code == 202 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"] and again.get_json()["total"] == 1
    body["items"][0]["ref"] = "R-2"
    assert _post(client, "/api/v1/batches", body, "batch-flush").status_code == 409


def test_concurrent_retries_create_one_document(app, redis, records):
    from concurrent.futures import ThreadPoolExecutor

    def post(_):
        return _post(app.test_client(), "/api/v1/documents", example("pk-jpt"), "race")

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(8)))
    assert {a.status_code for a in answers} == {202}
    assert len({a.get_json()["id"] for a in answers}) == 1 and records.count() == 1
