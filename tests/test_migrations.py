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
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")


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
