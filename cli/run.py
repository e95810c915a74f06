"""`docgen run`: the whole service on one machine: Redis (embedded unless DOCGEN_REDIS_URL is set),
the web process under gunicorn, the workers, all supervised (a child that dies is started again).
SIGINT/SIGTERM stop every process it started."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cli.supervisor import Handle, ProcessHandle, Supervisor
from config.settings import Settings
from storage.redis_server import RedisServer

__all__ = ["run_service"]


def _say(message: str) -> None:
    print(f"[docgen] {message}", flush=True)


def run_service(settings: Settings) -> int:
    """Start everything, wait for a signal or a dead child, stop everything. Returns the exit code."""
    try:
        settings.check_public_url()
    except RuntimeError as exc:
        _say(f"refusing to start: {exc}")
        return 2
    if (taken := _port_taken(settings.host, settings.port)) is not None:
        _say(f"refusing to start: {settings.host}:{settings.port} is taken ({taken}); another service (or "
             "another `docgen run`) listens there: stop it or set DOCGEN_PORT")
        return 2
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    supervisor = Supervisor(_say)
    redis_server = None
    if settings.redis_url is None:
        # A fixed port, so the workers' DOCGEN_REDIS_URL stays right across a restart of Redis.
        redis_server = RedisServer(settings.data_dir / "redis")
        env["DOCGEN_REDIS_URL"] = redis_server.url
    from sqlalchemy.engine import make_url

    _say(f"documents database: {make_url(settings.database_url).render_as_string(hide_password=True)}")
    if settings.api_keys is None and settings.api_keys_file is None and not settings.key_file.exists():
        from service.app import NO_KEYS_WARNING

        _say(f"WARNING: {NO_KEYS_WARNING}")
    if shutil.which(settings.soffice) is None:
        _say(f"LibreOffice ('{settings.soffice}') not found: PDF requests will fail with a clear reason")
    elif (shutil.which(settings.converter_python) is None
          or subprocess.run([settings.converter_python, "-c", "import uno"], capture_output=True).returncode != 0):
        _say(f"'{settings.converter_python}' can't import uno (python3-uno): PDF requests will fail with a "
             "clear reason")
    bin_dir = Path(sys.executable).parent
    run_dir = settings.data_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    stopping = False

    def _on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    def _process(*command: str) -> Callable[[], Handle]:
        return lambda: ProcessHandle(subprocess.Popen(list(command), env=env))

    # Accepting a document costs ~2 ms of CPU and a caller waits on it; rendering it can wait in the
    # queue: the workers yield the CPUs to the web process (bench/intake_bench.py --docgen-run).
    nice = ("nice", "-n", str(settings.worker_nice)) if settings.worker_nice else ()
    worker = (*nice, sys.executable, "-m", "workers")

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        if redis_server is not None:
            supervisor.add("embedded Redis", lambda: _RedisHandle(redis_server.start()))
            _say(f"embedded Redis on {redis_server.url} (data in {redis_server.data_dir}, appendonly, noeviction)")
        for number in range(settings.document_workers or os.cpu_count() or 1):
            supervisor.add(f"worker {number + 1}", _process(*worker))
        supervisor.add("callback worker", _process(*worker, "--callbacks"))
        for number in range(settings.bulk_workers):
            supervisor.add(f"bulk worker {number + 1}", _process(*worker, "--bulk"))
        supervisor.add("web", _process(
            str(bin_dir / "gunicorn"), "--bind", f"{settings.host}:{settings.port}",
            # No gunicorn access log: service/request_log.py writes one JSON line per answered request.
            "--workers", str(settings.web_workers or 2 * (os.cpu_count() or 1)),
            "-c", "python:service.gunicorn_config",  # threaded workers, gc.freeze (measured: bench/README.md)
            # Runtime files under the data folder: two services on one machine must not share them.
            "--control-socket", str(run_dir / "gunicorn.ctl"),
            # Template uploads wait up to DOCGEN_ADMIN_WAIT_SECONDS for a worker's checks.
            "--timeout", str(settings.admin_wait_seconds + 30), "service.app:create_app()",
        ))
        _say(f"serving on http://{settings.host}:{settings.port} (Ctrl-C stops everything)")
        while not stopping:
            supervisor.tick()
            time.sleep(0.2)
    finally:
        supervisor.stop_all()
        _say("stopped")
    return 0


def _port_taken(host: str, port: int) -> str | None:
    """Why the web port can't be ours, or None. gunicorn's workers listen with SO_REUSEPORT
    (service/gunicorn_config.py), so a second server on the port would not fail to bind: it would be
    dealt part of the connections. A plain bind here fails instead while anything listens there."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a closed connection's TIME_WAIT is no owner
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


class _RedisHandle:
    """The embedded Redis as a supervised child; stopping it flushes its append-only file."""

    def __init__(self, server: RedisServer) -> None:
        self.server = server

    def poll(self) -> int | None:
        assert self.server.process is not None
        return self.server.process.poll()

    def stop(self, timeout: float) -> None:
        self.server.stop(timeout)
