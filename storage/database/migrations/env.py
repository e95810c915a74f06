"""Alembic's environment: migrations run on the connection of the service's own engine."""

from __future__ import annotations

from alembic import context

from storage.database.engine import Database
from storage.database.models import Base

config = context.config
database: Database | None = config.attributes.get("database")
if database is None:  # the `alembic` command line, pointed at sqlalchemy.url
    database = Database(config.get_main_option("sqlalchemy.url") or "")

with database.engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=database.dialect == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
