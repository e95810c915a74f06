"""`docgen backup` and `docgen restore`: a round trip into an empty data folder and database answers
exactly as before; a damaged backup or a folder in use is refused."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile

import pytest

from config.settings import REPO_ROOT, Settings, get_settings
from service.app import create_app
from tests.conftest import example

pytestmark = pytest.mark.both_databases
"""A backup of SQLite and of PostgreSQL, each restored into a new SQLite database."""

JSON = {"Accept": "application/json"}


def _docgen(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def _answers(client, doc_ids: list[str], batch_id: str) -> dict:
    """Everything a client or a citizen can read about these documents and the batch."""
    return {
        "documents": {d: client.get(f"/api/v1/documents/{d}").get_json() for d in doc_ids},
        "verify": {d: client.get(f"/verify/{d}", headers=JSON).get_json() for d in doc_ids},
        "files": {d: client.get(f"/api/v1/documents/{d}/file").data for d in doc_ids},
        "batch": client.get(f"/api/v1/batches/{batch_id}").get_json(),
        "errors": client.get(f"/api/v1/batches/{batch_id}/errors").get_json(),
        "archive": client.get(f"/api/v1/batches/{batch_id}/archive").data,
        "listing": client.get("/api/v1/documents?limit=200").get_json()["items"],
    }


@pytest.mark.slow
def test_backup_restores_into_an_empty_folder_and_answers_exactly_as_before(
        make_document, client, redis, settings, run_bulk_worker, tmp_path, monkeypatch):
    doc_ids = [make_document(example(name))[0]["id"] for name in ("pk-jpt", "pk-kepala-daerah")]
    items = [{"ref": "R-1", "data": example("pk-jpt")["data"]}, {"ref": "R-2", "data": {"tahun": 1}}]
    batch_id = client.post("/api/v1/batches", json={"type": "pk", "items": items}).get_json()["id"]
    run_bulk_worker()
    redis.flushall()  # compare what the database answers on both sides, not Redis's copy
    before = _answers(client, doc_ids, batch_id)
    assert before["batch"]["status"] == "finished" and len(before["listing"]) == 3

    made = _docgen("backup", str(tmp_path / "backup.tar"), env=dict(os.environ))
    assert made.returncode == 0, made.stderr
    assert "backup " in made.stdout and ": 3 documents," in made.stdout

    target = tmp_path / "restored"
    restored_env = dict(os.environ, DOCGEN_DATA_DIR=str(target),
                        DOCGEN_DATABASE_URL=f"sqlite:///{target / 'docgen.db'}")
    done = _docgen("restore", str(tmp_path / "backup.tar"), env=restored_env)
    assert done.returncode == 0, done.stderr
    assert "restored 3 documents" in done.stdout

    for key, value in restored_env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    after = _answers(create_app(Settings()).test_client(), doc_ids, batch_id)
    assert after == before

    again = _docgen("restore", str(tmp_path / "backup.tar"), env=restored_env)
    assert again.returncode == 1 and "is not empty" in again.stderr


def test_a_damaged_backup_is_refused_naming_the_member(make_document, tmp_path):
    make_document(example("pk-jpt"))
    assert _docgen("backup", str(tmp_path / "backup.tar"), env=dict(os.environ)).returncode == 0
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(tmp_path / "backup.tar") as source, tarfile.open(damaged, "w") as copy:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name.startswith("files/documents/"):
                name = member.name
                content = content[:-1] + bytes([content[-1] ^ 1])
            copy.addfile(member, io.BytesIO(content))
    target = tmp_path / "restored"
    env = dict(os.environ, DOCGEN_DATA_DIR=str(target), DOCGEN_DATABASE_URL=f"sqlite:///{target / 'docgen.db'}")
    refused = _docgen("restore", str(damaged), env=env)
    assert refused.returncode == 1
    assert f"{name} does not match its sha256 in the manifest" in refused.stderr
    assert not (target / "documents").exists()
