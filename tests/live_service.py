"""`docgen run` (what `make run` starts: embedded Redis, gunicorn, a document, a bulk and a
callbacks worker) on a free port, for tests that talk to the real service over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from config.settings import REPO_ROOT
from storage.redis_server import free_port
from tests.processes import stop_group

__all__ = ["run_env", "running_service"]

READY_SECONDS = 90
"""How long the service may take to answer /readyz 200 (a loaded 2-core machine)."""


def run_env(data_dir: Path, port: int) -> dict[str, str]:
    """This process's environment without DOCGEN_* settings, plus the service's port, data folder and
    number of web workers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    # two web workers, not two per core: fewer processes to start on a loaded machine, still two
    # requests served at once
    env.update({"DOCGEN_PORT": str(port), "DOCGEN_DATA_DIR": str(data_dir), "DOCGEN_WEB_WORKERS": "2"})
    return env


@contextmanager
def running_service(data_dir: Path, log: Path | None = None,
                    redis_url: str | None = None) -> Iterator[tuple[str, dict[str, str]]]:
    """The service's base URL and environment while it runs; its output goes to ``log`` (else nowhere).
    With ``redis_url`` it uses that Redis (DOCGEN_REDIS_URL, as a deployment does) instead of its own.
    Stopped (SIGTERM to its process group, SIGKILL if it lingers) on every exit path."""
    port = free_port()
    env = run_env(data_dir, port)
    if redis_url:
        env["DOCGEN_REDIS_URL"] = redis_url
    output = open(log, "wb") if log else subprocess.DEVNULL
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "run"], cwd=REPO_ROOT, env=env,
                               stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, f"docgen run exited with {process.returncode}"
            assert time.monotonic() < deadline, "service did not become ready"
            time.sleep(0.3)
        yield base, env
    finally:
        stop_group(process, timeout=60)
        if log:
            output.close()
