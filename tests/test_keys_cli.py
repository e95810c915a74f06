"""The life cycle of API keys through `docgen keys`: create (into DATA_DIR/api-keys by default, which
the service reads without any setting), one key per name, list (names and roles, never keys), and
revoke: refused at once by every running web process."""

from __future__ import annotations

import os
import subprocess
import sys

from config.settings import REPO_ROOT
from service.app import create_app


def _docgen(*args: str, data_dir) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), "DOCGEN_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "cli.main", "keys", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, env=env, timeout=60)


def test_create_list_and_revoke_through_the_default_key_file(settings):
    data_dir = settings.data_dir
    first, second = create_app(settings).test_client(), create_app(settings).test_client()
    assert first.get("/api/v1/documents/x").status_code == 404  # no key file yet: the API is open

    made = _docgen("create", "portal", data_dir=data_dir)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("dgk_") and f"added to {data_dir / 'api-keys'}" in made.stderr
    assert oct(os.stat(data_dir / "api-keys").st_mode & 0o777) == "0o600"
    assert _docgen("create", "ops", "--admin", data_dir=data_dir).returncode == 0
    twice = _docgen("create", "portal", data_dir=data_dir)
    assert twice.returncode == 2 and "a key named 'portal' exists already" in twice.stderr

    # the running processes read the new file at once: a key is now needed, and this one works
    assert first.get("/api/v1/documents/x").status_code == 401
    assert second.get("/api/v1/documents/x", headers={"Authorization": f"Bearer {key}"}).status_code == 404

    listed = _docgen("list", data_dir=data_dir)
    assert listed.returncode == 0
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [(r[0], r[1]) for r in rows] == [("portal", "client"), ("ops", "admin")]
    assert key not in listed.stdout and all(r[2].startswith("sha256:") for r in rows)

    revoked = _docgen("revoke", "portal", data_dir=data_dir)
    assert revoked.returncode == 0, revoked.stderr
    for client in (first, second):
        assert client.get("/api/v1/documents/x", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert [line.split("\t")[0] for line in _docgen("list", data_dir=data_dir).stdout.splitlines()] == ["ops"]
    unknown = _docgen("revoke", "portal", data_dir=data_dir)
    assert unknown.returncode == 2 and "no key named 'portal'" in unknown.stderr
    assert _docgen("create", "portal", data_dir=data_dir).returncode == 0  # the name is free again
