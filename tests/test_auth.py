"""API keys: Bearer keys on /api/v1, 401 problems, admin role, the hashed key file and `docgen keys create`."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest
from pydantic import SecretStr

from config.settings import REPO_ROOT
from service.app import NO_KEYS_WARNING, create_app
from storage.apikeys import KeyFormatError, append_key, hash_key
from tests.conftest import API_KEYS, bearer, example

pytestmark = pytest.mark.both_databases
"""The same API tests on SQLite and on a real PostgreSQL."""

PROBLEM = "application/problem+json"


def test_without_a_key_the_api_answers_401_problem(keyed_client):
    response = keyed_client.post("/api/v1/documents", json=example("pk-jpt"))
    assert response.status_code == 401 and response.mimetype == PROBLEM
    assert "Authorization: Bearer" in response.get_json()["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert keyed_client.get("/api/v1/batches/template.xlsx").status_code == 401


@pytest.mark.parametrize("header", ["Bearer wrong-key-0123456789", "Basic " + API_KEYS["a"], "Bearer ",
                                    API_KEYS["a"], "Bearer " + API_KEYS["a"] + "x"])
def test_a_bad_key_is_401(keyed_client, header):
    response = keyed_client.get("/api/v1/documents/abc", headers={"Authorization": header})
    assert response.status_code == 401 and response.mimetype == PROBLEM


@pytest.mark.parametrize("name", ["a", "boss"])
def test_a_good_key_is_served(keyed_client, name):
    response = keyed_client.post("/api/v1/documents", json=example("pk-jpt"), headers=bearer(name))
    assert response.status_code == 202
    doc_id = response.get_json()["id"]
    assert keyed_client.get(f"/api/v1/documents/{doc_id}", headers=bearer(name)).get_json()["status"] == "queued"


def test_health_and_verification_stay_public(keyed_client):
    assert keyed_client.get("/healthz").status_code == 200
    assert keyed_client.get("/verify/unknown").status_code == 404  # answered, not 401


def test_without_keys_the_app_serves_and_warns(settings, caplog):
    with caplog.at_level(logging.WARNING):
        client = create_app(settings).test_client()
    assert NO_KEYS_WARNING in caplog.text
    assert client.post("/api/v1/documents", json=example("pk-jpt")).status_code == 202


def test_required_keys_refuse_to_start_without_any(settings):
    with pytest.raises(RuntimeError, match="DOCGEN_REQUIRE_KEYS"):
        create_app(settings.model_copy(update={"require_keys": True}))


def test_a_malformed_key_setting_fails_at_start(settings):
    with pytest.raises(KeyFormatError, match="entry 1"):
        create_app(settings.model_copy(update={"api_keys": SecretStr("portal:short")}))


def test_the_key_file_holds_only_hashes_and_new_keys_work_without_restart(settings, tmp_path):
    path = tmp_path / "keys"
    first = append_key(path, "portal", admin=False)
    client = create_app(settings.model_copy(update={"api_keys_file": path, "require_keys": True})).test_client()
    content = path.read_text()
    assert first not in content and f"portal {hash_key(first)} client" in content
    headers = {"Authorization": f"Bearer {first}"}
    assert client.post("/api/v1/documents", json=example("pk-jpt"), headers=headers).status_code == 202
    second = append_key(path, "hr", admin=True)
    assert client.post("/api/v1/documents", json=example("pk-jpt"),
                       headers={"Authorization": f"Bearer {second}"}).status_code == 202
    assert (path.stat().st_mode & 0o777) == 0o600


def test_docgen_keys_create_prints_the_key_once_and_appends_its_hash(tmp_path):
    path = tmp_path / "secrets" / "api_keys"
    result = subprocess.run([sys.executable, "-m", "cli.main", "keys", "create", "e-sakip", "--admin",
                             "--file", str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)})
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip()
    assert key.startswith("dgk_") and len(key) > 40
    assert path.read_text() == f"e-sakip {hash_key(key)} admin\n"
    bad = subprocess.run([sys.executable, "-m", "cli.main", "keys", "create", "bad name", "--file", str(path)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)})
    assert bad.returncode == 2 and "not a valid client name" in bad.stderr


def test_docgen_batch_submit_sends_its_key(keyed_settings, tmp_path, capsys):
    import threading

    from werkzeug.serving import make_server

    from cli.batch import submit_batch

    server = make_server("127.0.0.1", 0, create_app(keyed_settings))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        path = tmp_path / "batch.json"
        path.write_text(json.dumps([{"ref": "R-1", "data": example("pk-jpt")["data"]}]))
        url = f"http://127.0.0.1:{server.server_port}"
        assert submit_batch(path, "pk", "docx", url, wait=False, output=None, key=API_KEYS["a"]) == 0
        assert len(capsys.readouterr().out.strip()) == 32
        assert submit_batch(path, "pk", "docx", url, wait=False, output=None) == 2
        assert "401" in capsys.readouterr().err
    finally:
        server.shutdown()
