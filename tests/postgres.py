"""A real PostgreSQL server for the tests: Debian's binaries (scripts/system-deps.sh installs the
`postgresql` package), a cluster made with initdb in a temporary folder, on a free port, run as
an unprivileged user (PostgreSQL refuses to run as root: as root, the tests use the `postgres`
account the package creates). Durability settings are off: the cluster is thrown away."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.processes import wait_for

__all__ = ["PostgresServer"]


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `bash scripts/system-deps.sh` (Debian package postgresql)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """initdb, pg_ctl start, a database named docgen; stop() removes everything."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="docgen-pg-"))
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, cwd=self.root)

    def start(self) -> PostgresServer:
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        data = self.root / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "docgen", "--auth=trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE docgen")
        wait_for(lambda: psycopg.connect(self.dsn("docgen")).close() is None, timeout=30)
        return self

    def dsn(self, database: str = "docgen") -> str:
        return f"host=127.0.0.1 port={self.port} user=docgen dbname={database}"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the docgen database (psycopg 3)."""
        return f"postgresql+psycopg://docgen@127.0.0.1:{self.port}/docgen"

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
