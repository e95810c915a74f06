"""The engine of the document database, one per URL and process.

SQLite (the embedded default) runs in WAL mode so readers never wait for the writer, with
``synchronous=NORMAL``; several processes (gunicorn workers, RQ workers) share one file, their
writes taking turns through ``WriteLock`` (SQLite's busy timeout underneath). What the pragmas
promise: ``journal_mode=WAL``: a commit appends the transaction to
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

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["Database", "WriteLock", "close_database", "database_for"]

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


class WriteLock:
    """One writer at a time on a SQLite file, across the threads and processes that share it, each
    waiting until the writer before it is done. Without it SQLite's busy handler makes the loser of
    the file's write lock sleep 1, 2, 5, 10... ms and try again, whatever the holder does (strace:
    332 such sleeps in 1,083 POSTs with two web processes; bench/README.md): a writer finished after
    0.1 ms left the others asleep. Here a thread waits on a lock of its process, then on ``flock``
    of ``<database>.write-lock`` shared by the processes; both wake the next waiter as soon as the
    holder lets go. SQLite's own locking still holds underneath (its busy handler stays for writers
    that don't take this lock: another version, the sqlite3 shell). A thread already holding it
    (a write nested in another) goes on without waiting."""

    def __init__(self, path: str) -> None:
        self.path = f"{path}.write-lock"
        self._threads = threading.Lock()
        self._mine = threading.local()
        self._fd: int | None = None
        self._pid = 0

    def _descriptor(self) -> int:
        # flock belongs to the open file: a forked child opens its own, or it would share its parent's lock
        if self._fd is None or self._pid != os.getpid():
            self._fd, self._pid = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600), os.getpid()
        return self._fd

    def after_fork(self) -> None:
        """In a forked child: a lock another thread of the parent held at the fork is free here."""
        self._threads = threading.Lock()
        self._mine = threading.local()
        if self._fd is not None:
            # flock belongs to the open file, shared with the parent: were the parent killed while
            # holding it, the child's copy would keep every writer waiting until the child ended
            os.close(self._fd)
            self._fd = None

    @contextmanager
    def held(self) -> Iterator[None]:
        if getattr(self._mine, "held", False):
            yield
            return
        with self._threads:
            descriptor = self._descriptor()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            self._mine.held = True
            try:
                yield
            finally:
                self._mine.held = False
                fcntl.flock(descriptor, fcntl.LOCK_UN)


class Database:
    """An engine and the two kinds of transactions the stores use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.write_lock: WriteLock | None = None
        """SQLite files only: taken around every write (``write``, ``write_one``, the intake's INSERT)."""
        if make_url(url).get_backend_name() == "sqlite":
            self.engine = _sqlite_engine(url)
            path = make_url(url).database
            if path and path != ":memory:":
                self.write_lock = WriteLock(path)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock (SQLite) for a write made outside ``write``/``write_one``."""
        if self.write_lock is None:
            yield
            return
        with self.write_lock.held():
            yield

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that writes: committed at the end of the block, rolled back on error."""
        with self.writing(), self.engine.connect() as connection:
            connection.execution_options(sqlite_begin="IMMEDIATE")
            with connection.begin():
                yield connection

    @contextmanager
    def write_one(self) -> Iterator[Connection]:
        """For a single statement, atomic by itself: on SQLite it runs without an enclosing
        transaction, so the file's write lock is held only while SQLite executes it (the intake's
        hot path: with several web processes, a lock held longer makes the others sleep)."""
        with self.writing(), self.engine.connect() as connection:
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
        if database.write_lock is not None:
            database.write_lock.after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
