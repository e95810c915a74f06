"""Alembic, run from code: bring a database's schema up to date (at start-up and by `docgen db
upgrade`). The migrations ship inside this package, so an installed service can migrate itself."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage.database.engine import Database

__all__ = ["current_revision", "head_revision", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LOCK_KEY = 0x646F6367656E  # "docgen"
"""PostgreSQL advisory lock held while migrating."""


def _config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    config.attributes["database"] = database
    return config


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _migration_lock(database: Database) -> Iterator[None]:
    """One migrating process at a time: the web's and the workers' processes start together."""
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                connection.commit()
        return
    path = database.engine.url.database
    if not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(database: Database) -> bool:
    """Apply the migrations not applied yet; True when any ran."""
    head = head_revision()
    if current_revision(database) == head:
        return False  # the common start-up: nothing to do
    with _migration_lock(database):
        if current_revision(database) == head:  # another process did it while we waited
            return False
        command.upgrade(_config(database), "head")
    return True
