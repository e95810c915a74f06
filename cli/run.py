"""`docgen run`: the whole service on one machine: Redis (embedded unless DOCGEN_REDIS_URL is set),
the web process under gunicorn, one worker. SIGINT/SIGTERM stop every process it started."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from config.settings import Settings
from storage.redis_server import RedisServer

__all__ = ["run_service"]


def _say(message: str) -> None:
    print(f"[docgen] {message}", flush=True)


def _stop(process: subprocess.Popen[bytes], name: str, timeout: float = 15.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _say(f"{name} did not stop in {timeout:.0f}s: killing it")
        process.kill()
        process.wait()


def run_service(settings: Settings) -> int:
    """Start everything, wait for a signal or a dead child, stop everything. Returns the exit code."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    redis_server = None
    if settings.redis_url is None:
        redis_server = RedisServer(settings.data_dir / "redis").start()
        env["DOCGEN_REDIS_URL"] = redis_server.url
        _say(f"embedded Redis on {redis_server.url} (data in {redis_server.data_dir}, appendonly, noeviction)")
    from sqlalchemy.engine import make_url

    _say(f"documents database: {make_url(settings.database_url).render_as_string(hide_password=True)}")
    if settings.api_keys is None and settings.api_keys_file is None:
        from service.app import NO_KEYS_WARNING

        _say(f"WARNING: {NO_KEYS_WARNING}")
    if shutil.which(settings.soffice) is None:
        _say(f"LibreOffice ('{settings.soffice}') not found: PDF requests will fail with a clear reason")
    elif (shutil.which(settings.converter_python) is None
          or subprocess.run([settings.converter_python, "-c", "import uno"], capture_output=True).returncode != 0):
        _say(f"'{settings.converter_python}' can't import uno (python3-uno): PDF requests will fail with a "
             "clear reason")
    bin_dir = Path(sys.executable).parent
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    stopping = False

    def _on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    code = 0
    try:
        children.append(("worker", subprocess.Popen([sys.executable, "-m", "workers"], env=env)))
        children.append(("callback worker", subprocess.Popen([sys.executable, "-m", "workers", "--callbacks"],
                                                             env=env)))
        for number in range(settings.bulk_workers):
            children.append((f"bulk worker {number + 1}",
                             subprocess.Popen([sys.executable, "-m", "workers", "--bulk"], env=env)))
        children.append(("web", subprocess.Popen([
            str(bin_dir / "gunicorn"), "--bind", f"{settings.host}:{settings.port}",
            "--workers", str(settings.web_workers), "--access-logfile", "-",
            # Template uploads wait up to DOCGEN_ADMIN_WAIT_SECONDS for a worker's checks.
            "--timeout", str(settings.admin_wait_seconds + 30), "service.app:create_app()",
        ], env=env)))
        _say(f"serving on http://{settings.host}:{settings.port} (Ctrl-C stops everything)")
        while not stopping:
            for name, process in children:
                if process.poll() is not None:
                    _say(f"{name} exited with code {process.returncode}: stopping")
                    stopping, code = True, 1
            time.sleep(0.2)
    finally:
        for name, process in reversed(children):
            _stop(process, name)
        if redis_server is not None:
            redis_server.stop()
        _say("stopped")
    return code
