"""Alembic, run from code: bring a database's schema up to date (at start-up and by `docgen db
upgrade`). The migrations ship inside this package, so an installed service can migrate itself."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.database.engine import Database

__all__ = ["current_revision", "head_revision", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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


def upgrade(database: Database) -> bool:
    """Apply the migrations not applied yet; True when any ran."""
    if current_revision(database) == head_revision():
        return False  # the common start-up: nothing to do, and no Alembic machinery loaded
    command.upgrade(_config(database), "head")
    return True
