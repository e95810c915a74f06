"""Key guessing and the admin session: failed sign-ins and unknown API keys are limited per address
(429 with Retry-After, shared through Redis by every app), failures logged; the admin session lives in
Redis, the cookie holds no key material, and logout or revoking the key ends it."""

from __future__ import annotations

import base64
import json
import logging
import re
import zlib

from pydantic import SecretStr

from service.app import create_app
from tests.conftest import API_KEYS, bearer


def _token(client, path: str = "/admin/login") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _sign_in(client, key: str):
    return client.post("/admin/login", data={"key": key, "csrf": _token(client)})


def _cookie_payload(client) -> dict:
    value = client.get_cookie("docgen_admin").value
    compressed = value.startswith(".")
    data = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def test_guessing_admin_keys_gets_429_even_for_the_right_key_and_is_logged(keyed_settings, caplog):
    client = create_app(keyed_settings).test_client()
    with caplog.at_level(logging.WARNING, logger="service.signin_guard"):
        answers = [_sign_in(client, f"guess-{n:04d}-000000000000").status_code for n in range(12)]
    assert answers == [401] * 10 + [429] * 2
    limited = _sign_in(client, API_KEYS["boss"])
    assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 300
    assert "Terlalu banyak percobaan masuk yang gagal" in limited.get_data(as_text=True)
    assert sum("failed admin sign-in from 127.0.0.1" in r.getMessage() for r in caplog.records) == 10
    # another address is not blocked, and a second web process shares the count
    other = create_app(keyed_settings).test_client()
    assert other.post("/admin/login", data={"key": API_KEYS["boss"], "csrf": _token(other)},
                      environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 302
    assert _sign_in(other, API_KEYS["boss"]).status_code == 429


def test_unknown_api_keys_are_limited_per_address(keyed_settings):
    client = create_app(keyed_settings.model_copy(update={"auth_failure_limit": 3})).test_client()
    wrong = {"Authorization": "Bearer not-a-key-000000000000"}
    assert [client.get("/api/v1/documents/x", headers=wrong).status_code for _ in range(4)] == [401, 401, 401, 429]
    limited = client.get("/api/v1/documents/x", headers=bearer("a"), environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    english = client.get("/api/v1/documents/x", headers={**bearer("a"), "Accept-Language": "en"})
    assert "Too many failed sign-in attempts" in english.get_json()["detail"]
    assert client.get("/api/v1/documents/x", headers=bearer("a"),
                      environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 404


def test_a_client_key_at_the_admin_door_is_counted_against_that_key(keyed_settings):
    client = create_app(keyed_settings.model_copy(update={"auth_failure_limit": 2})).test_client()
    addresses = iter(f"10.0.0.{n}" for n in range(1, 10))
    answers = [client.post("/admin/login", data={"key": API_KEYS["a"], "csrf": _token(client)},
                           environ_base={"REMOTE_ADDR": next(addresses)}).status_code for _ in range(3)]
    assert answers == [403, 403, 429]


def test_the_cookie_holds_a_session_id_only_and_logout_ends_the_session(keyed_settings, redis):
    client = create_app(keyed_settings).test_client()
    assert _sign_in(client, API_KEYS["boss"]).status_code == 302
    payload = _cookie_payload(client)
    assert set(payload) == {"sid", "csrf"} and len(payload["sid"]) >= 43
    cookie = client.get_cookie("docgen_admin").value
    assert "sha256" not in json.dumps(payload) and redis.exists(f"docgen:admin-session:{payload['sid']}")
    assert client.get("/admin").status_code == 200

    assert client.post("/admin/logout", data={"csrf": _token(client, "/admin")}).status_code == 302
    assert not redis.exists(f"docgen:admin-session:{payload['sid']}")
    replay = create_app(keyed_settings).test_client()
    replay.set_cookie("docgen_admin", cookie)  # the cookie saved before logging out
    assert replay.get("/admin").headers["Location"].endswith("/admin/login")


def test_revoking_the_key_ends_its_sessions_in_every_process(settings, tmp_path, redis):
    from storage.apikeys import append_key, revoke_key

    key_file = tmp_path / "keys"
    boss = append_key(key_file, "boss", admin=True)
    keyed = settings.model_copy(update={"api_keys_file": key_file, "api_keys": SecretStr("a:" + API_KEYS["a"])})
    first, second = create_app(keyed).test_client(), create_app(keyed).test_client()
    assert _sign_in(first, boss).status_code == 302 and first.get("/admin").status_code == 200
    assert second.get("/api/v1/templates/pk", headers={"Authorization": f"Bearer {boss}"}).status_code == 200
    revoke_key(key_file, "boss")
    assert first.get("/admin").headers["Location"].endswith("/admin/login")
    assert second.get("/api/v1/templates/pk", headers={"Authorization": f"Bearer {boss}"}).status_code == 401
