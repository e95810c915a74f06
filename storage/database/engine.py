"""The engine of the document database, one per URL and process.

SQLite (the embedded default) runs in WAL mode so readers never wait for the writer, with
``synchronous=NORMAL`` and a busy timeout so several processes (gunicorn workers, RQ workers)
share one file. What the pragmas promise: ``journal_mode=WAL``: a commit appends the transaction to
the -wal file (write() before COMMIT returns) and readers keep reading the snapshot they started
with; ``synchronous=NORMAL`` in WAL mode: no fsync per commit, the WAL is fsynced before each
checkpoint copies it into the database. So a committed record (an accepted 202) survives the crash
or kill of any process, the web's included: the bytes are in the kernel's page cache and the next
opener replays the WAL. An operating-system crash or power cut may roll back the transactions
committed since the last checkpoint (``synchronous=FULL`` would fsync every commit to survive that
too, one fsync per POST); the database itself stays consistent either way. Write
transactions start with ``BEGIN IMMEDIATE``: a read transaction that later wants to write
could otherwise fail with "database is locked" instead of waiting.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["Database", "close_database", "database_for"]

BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for another process's transaction to end."""


def _sqlite_engine(url: str) -> Engine:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        if mode != "NONE":
            connection.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


class Database:
    """An engine and the two kinds of transactions the stores use."""

    def __init__(self, url: str) -> None:
        self.url = url
        if make_url(url).get_backend_name() == "sqlite":
            self.engine = _sqlite_engine(url)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that writes: committed at the end of the block, rolled back on error."""
        with self.engine.connect() as connection:
            connection.execution_options(sqlite_begin="IMMEDIATE")
            with connection.begin():
                yield connection

    @contextmanager
    def write_one(self) -> Iterator[Connection]:
        """For a single statement, atomic by itself: on SQLite it runs without an enclosing
        transaction, so the file's write lock is held only while SQLite executes it (the intake's
        hot path: with several web processes, a lock held longer makes the others sleep)."""
        with self.engine.connect() as connection:
            connection.execution_options(sqlite_begin="NONE")
            with connection.begin():
                yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()


_databases: dict[str, Database] = {}
_lock = threading.Lock()


def database_for(url: str) -> Database:
    """The process's database for ``url``; the schema is brought up to date on first use."""
    with _lock:
        database = _databases.get(url)
        if database is None:
            from storage.database.migrate import upgrade

            database = Database(url)
            upgrade(database)
            _databases[url] = database
        return database


def close_database(url: str) -> None:
    """Close the process's connections to ``url`` (a test's throw-away database)."""
    with _lock:
        database = _databases.pop(url, None)
    if database is not None:
        database.dispose()


def _after_fork_in_child() -> None:
    # A forked work horse must not use its parent's pooled connections (shared sockets and
    # SQLite file locks); it opens its own.
    for database in _databases.values():
        database.engine.dispose(close=False)


os.register_at_fork(after_in_child=_after_fork_in_child)
