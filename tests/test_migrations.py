"""The schema comes from the Alembic migrations shipped in storage/database: they match the models,
they run once however many processes start together, on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from config.settings import REPO_ROOT
from storage.database import Base, close_database, database_for
from storage.database.migrate import current_revision, head_revision

START = "import sys; from storage.database import database_for; database_for(sys.argv[1]); print('ready')"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path) -> Iterator[str]:
    """A database no migration has touched yet."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        yield url
        close_database(url)
        return
    server = request.getfixturevalue("postgres_server")
    name = f"fresh_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    url = server.url.rsplit("/", 1)[0] + f"/{name}"
    yield url
    close_database(url)
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_processes_starting_together_migrate_once(fresh_url):
    processes = [subprocess.Popen([sys.executable, "-c", START, fresh_url], cwd=REPO_ROOT, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outcomes = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0] * 4, [err[-500:] for _, err in outcomes]
    assert current_revision(database_for(fresh_url)) == head_revision()


def test_the_migrations_make_exactly_the_models_tables(fresh_url):
    database = database_for(fresh_url)
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_readyz_says_when_the_database_is_gone(postgres_server, settings, redis):
    from rq import Queue, Worker

    from service.app import create_app
    from workers.pdf_readiness import report_converter

    name = f"gone_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.dsn("postgres"), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    url = postgres_server.url.rsplit("/", 1)[0] + f"/{name}"
    client = create_app(settings.model_copy(update={"database_url": url})).test_client()
    worker = Worker([Queue(queue, connection=redis) for queue in (settings.queue, settings.bulk_queue)],
                    connection=redis)
    worker.register_birth()
    try:
        report_converter(redis, worker.name, settings, ttl=60)  # what our workers do at start
        assert client.get("/readyz").status_code == 200, client.get("/readyz").get_json()
        with psycopg.connect(postgres_server.dsn("postgres"), autocommit=True) as connection:
            connection.execute(f"DROP DATABASE {name} WITH (FORCE)")
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["database"].startswith("unreachable")
    finally:
        worker.register_death()
        close_database(url)
