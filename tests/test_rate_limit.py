"""Per-client rate limit: 429 problem with Retry-After past the limit; each client counted alone."""

from __future__ import annotations

from service.app import create_app
from tests.conftest import bearer

PROBLEM = "application/problem+json"


def test_past_the_limit_a_client_gets_429_with_retry_after(keyed_settings, monkeypatch):
    monkeypatch.setattr("service.ratelimit._now", lambda: 1_800_000_015.5)  # 44.5 s before the window ends
    client = create_app(keyed_settings.model_copy(update={"rate_limit_per_minute": 3})).test_client()
    answers = [client.get("/api/v1/documents/unknown", headers=bearer("a")).status_code for _ in range(3)]
    assert answers == [404, 404, 404]
    limited = client.get("/api/v1/documents/unknown", headers=bearer("a"))
    assert limited.status_code == 429 and limited.mimetype == PROBLEM
    assert limited.headers["Retry-After"] == "45"
    assert limited.get_json()["limit"] == 3
    # another client has its own count; public pages are not counted
    assert client.get("/api/v1/documents/unknown", headers=bearer("b")).status_code == 404
    assert client.get("/healthz").status_code == 200


def test_zero_turns_the_limit_off(keyed_settings, redis):
    client = create_app(keyed_settings.model_copy(update={"rate_limit_per_minute": 0})).test_client()
    assert all(client.get("/api/v1/documents/x", headers=bearer("a")).status_code == 404 for _ in range(5))
    assert not redis.keys("docgen:rate:*")


def test_without_keys_the_anonymous_caller_is_limited_too(settings, monkeypatch):
    monkeypatch.setattr("service.ratelimit._now", lambda: 1_800_000_015.5)
    client = create_app(settings.model_copy(update={"rate_limit_per_minute": 1})).test_client()
    assert client.get("/api/v1/documents/x").status_code == 404
    assert client.get("/api/v1/documents/x").status_code == 429
