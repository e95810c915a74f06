"""Fixtures: a real Redis per session (the binary the project installs), flushed per test;
settings and an app per test; a real RQ worker run in burst mode."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from redis import Redis
from rq import Queue, Worker

from config.settings import REPO_ROOT, Settings, get_settings
from service.app import create_app
from storage.database import close_database, database_for
from storage.records import RecordStore
from storage.redis_server import RedisServer
from tests.postgres import PostgresServer
from tests.processes import stop_group, wait_for
from workers import jobs
from workers.warm import PreparingWorker

EXAMPLES = REPO_ROOT / "examples"


def example(name: str) -> dict[str, Any]:
    """A shared example request body, exactly as clients send it."""
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"), appendonly=False).start()
    yield server
    server.stop()


@pytest.fixture
def redis(redis_server: RedisServer) -> Iterator[Redis]:
    connection = Redis.from_url(redis_server.url)
    connection.flushall()
    yield connection
    connection.flushall()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server, started on first use by a test that runs on it."""
    server = PostgresServer().start()
    yield server
    server.stop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Tests marked both_databases run once on SQLite and once on PostgreSQL; the others on SQLite.
    if "database_kind" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def database_kind(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(database_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The test's own empty database: a SQLite file in its folder, or the PostgreSQL server's
    database emptied (as Redis is flushed)."""
    if database_kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'docgen.db'}"
        yield url
        close_database(url)
        return
    url = request.getfixturevalue("postgres_server").url
    database = database_for(url)
    with database.write() as connection:
        connection.exec_driver_sql("TRUNCATE documents, document_files, batches, batch_chunks, assets")
    yield url


@pytest.fixture
def settings(redis: Redis, redis_server: RedisServer, tmp_path: Path, database_url: str,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Test settings, also put in the environment so forked work horses read the same."""
    env = {
        "DOCGEN_REDIS_URL": redis_server.url,
        "DOCGEN_DATA_DIR": str(tmp_path / "var"),
        "DOCGEN_DATABASE_URL": database_url,
        "DOCGEN_RETRY_INTERVALS": "0",
        "DOCGEN_PUBLIC_URL": "http://docgen.test",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def records(settings: Settings) -> RecordStore:
    """The document records of the test's database (what the service and workers read)."""
    return RecordStore(database=database_for(settings.database_url))


@pytest.fixture
def app(settings: Settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


API_KEYS = {"a": "key-a-0123456789abcdef", "b": "key-b-0123456789abcdef", "boss": "key-boss-0123456789abcd"}
"""Keys of the keyed app: clients a and b, administrator boss."""


def every_page(client, url: str, headers: dict[str, str]) -> list[str]:
    """The ids of every item of a paged listing, following its ``next`` links (each page at most its limit)."""
    limit = int(url.split("limit=")[1].split("&")[0]) if "limit=" in url else 50
    seen: list[str] = []
    while url:
        page = client.get(url.removeprefix("http://docgen.test"), headers=headers)
        assert page.status_code == 200, page.get_json()
        assert len(page.get_json()["items"]) <= limit
        seen += [item["id"] for item in page.get_json()["items"]]
        url = page.get_json()["next"]
    return seen


def bearer(name: str) -> dict[str, str]:
    """The Authorization header of client ``name`` of API_KEYS."""
    return {"Authorization": f"Bearer {API_KEYS[name]}"}


@pytest.fixture
def keyed_settings(settings: Settings) -> Settings:
    """Settings with API keys: clients a and b, administrator boss."""
    keys = ",".join(f"{name}:{key}" + (":admin" if name == "boss" else "") for name, key in API_KEYS.items())
    return settings.model_copy(update={"api_keys": SecretStr(keys)})


@pytest.fixture
def keyed_client(keyed_settings: Settings):
    """A client of an app that requires API keys (send ``headers=bearer(name)``)."""
    return create_app(keyed_settings).test_client()


def _burst_worker(redis: Redis, queue: str):
    def _run() -> None:
        worker = PreparingWorker([Queue(queue, connection=redis)], connection=redis,
                                 work_horse_killed_handler=jobs.on_horse_killed)
        worker.work(burst=True)

    return _run


@pytest.fixture
def run_worker(redis: Redis, settings: Settings):
    """Runs a real forking RQ worker on the single-document queue until it is empty."""
    return _burst_worker(redis, settings.queue)


@pytest.fixture
def make_document(client, run_worker):
    """POST a body, run the worker, return the finished record and the file's bytes."""

    def _make(body: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        response = client.post("/api/v1/documents", json=body)
        assert response.status_code == 202, response.get_json()
        run_worker()
        record = client.get(f"/api/v1/documents/{response.get_json()['id']}").get_json()
        assert record["status"] == "finished", record
        file = client.get(f"/api/v1/documents/{record['id']}/file")
        assert file.status_code == 200
        return record, file.data

    return _make


@pytest.fixture
def run_bulk_worker(redis: Redis, settings: Settings):
    """Runs a real forking RQ worker on the batch queue until it is empty."""
    return _burst_worker(redis, settings.bulk_queue)


@pytest.fixture
def live_worker(redis: Redis, settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """A real document worker process (`python -m workers`) serving the documents queue while the
    test runs, for requests that wait on a worker (template checks and previews)."""
    process = subprocess.Popen([sys.executable, "-m", "workers"], cwd=REPO_ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: Worker.all(queue=Queue(settings.queue, connection=redis)), timeout=60)
        yield process
    finally:
        stop_group(process)


@pytest.fixture(scope="session")
def _session_converter_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from workers.converter import stop_converters

    state_dir = tmp_path_factory.mktemp("converter")
    yield state_dir
    stop_converters(state_dir)


@pytest.fixture
def shared_converter(_session_converter_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This test's PDFs come from one real LibreOffice kept warm for the whole session (owned by
    the pytest process, as a worker's is by the worker), instead of one started for this test's data
    folder. For tests that only need a PDF with default converter settings; the converter's own
    behaviour (start, timeout, recycle, restart) is tested in test_converter.py with its own."""
    monkeypatch.setattr("workers.convert.converter_state_dir", lambda data_dir: _session_converter_dir)
