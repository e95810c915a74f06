"""Statements of the record store's hottest writes run as SQLite's own SQL on the pooled connection,
without SQLAlchemy's execution path: a render job's start and finish (bench/README.md, issue 17).

SQLAlchemy builds an execution context, fires events and processes parameters and rows for each
statement: ~0.15 ms of CPU per statement here, more than SQLite takes to run it. A statement is
compiled once (per SQLAlchemy statement and dialect) into its SQL, the order of its positional
parameters, the values of the constants it binds and the converters of the parameters that need one
(timestamps); each call then only converts the parameters and runs the SQL on the pooled DBAPI
connection. The compiled statements are SQLite's only (its driver's positional parameters and
autocommit mode, as the engine sets it up in storage.database.engine); other databases keep
SQLAlchemy's path for them. ``driver_cursor`` also carries the intake's INSERT, on any database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.exc import DBAPIError

from storage.database import Database

__all__ = ["DriverStatement", "driver_cursor", "fetch_mapping", "row_converters"]


class DriverStatement:
    """One SQLAlchemy statement, compiled once for SQLite's driver."""

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if not compiled.positional or "POSTCOMPILE" in compiled.string:
            raise ValueError("DriverStatement needs a positional dialect and no expanding parameters")
        self.sql: str = compiled.string
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())
        self.constants: dict[str, Any] = {name: bind.effective_value for name, bind in compiled.binds.items()
                                          if not bind.required}
        self.processors: dict[str, Any] = dict(compiled._bind_processors or {})

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional parameters for ``values`` (by bind name; constants filled in)."""
        out = []
        for name in self.names:
            value = values[name] if name in values else self.constants[name]
            processor = self.processors.get(name)
            out.append(processor(value) if processor is not None else value)
        return tuple(out)


def row_converters(table: Table, dialect: Dialect) -> dict[str, Any]:
    """The converters SQLAlchemy applies to ``table``'s columns when reading a row (timestamps)."""
    converters = {}
    for column in table.columns:
        converter = column.type._cached_result_processor(dialect, None)
        if converter is not None:
            converters[column.name] = converter
    return converters


@contextmanager
def driver_cursor(database: Database, transaction: str | None = None) -> Iterator[Any]:
    """A cursor of a pooled driver connection for a write, the database's write lock held (SQLite).
    Without ``transaction`` each statement is its own transaction (SQLite's autocommit; committed at
    the block's end elsewhere, as the intake's INSERT on PostgreSQL). With ``transaction``
    ("IMMEDIATE", SQLite only), the block is one transaction: committed at its end, rolled back on
    error."""
    engine = database.engine
    driver_error = engine.dialect.loaded_dbapi.Error
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            with database.writing():
                if transaction is None:
                    yield cursor
                    connection.commit()  # nothing to commit in SQLite's autocommit
                else:
                    cursor.execute(f"BEGIN {transaction}")
                    try:
                        yield cursor
                    except BaseException:
                        if connection.driver_connection.in_transaction:
                            cursor.execute("ROLLBACK")
                        raise
                    if connection.driver_connection.in_transaction:
                        cursor.execute("COMMIT")
        finally:
            cursor.close()
    except driver_error as exc:  # raised as SQLAlchemy's path raises it (IntegrityError, OperationalError...)
        raise DBAPIError.instance(None, None, exc, driver_error) from exc
    finally:
        connection.close()  # back to the pool, which rolls back whatever a failure left open


def fetch_mapping(cursor: Any, converters: Mapping[str, Any]) -> dict[str, Any] | None:
    """The cursor's next row by column name, converted as SQLAlchemy would; None without one."""
    row = cursor.fetchone()
    if row is None:
        return None
    names: Sequence[str] = [d[0] for d in cursor.description]
    return {name: converters[name](value) if name in converters and value is not None else value
            for name, value in zip(names, row, strict=True)}
