"""`docgen run` supervises: a killed bulk worker or embedded Redis comes back by itself while the rest
keeps serving (503 with Retry-After while Redis is gone), and documents accepted around the faults finish."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from config.settings import REPO_ROOT
from storage.redis_server import free_port
from tests.processes import alive, wait_for


def _call(url: str, body: bytes | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), dict(exc.headers)


def _ready(base: str) -> bool:
    try:
        return _call(f"{base}/readyz")[0] == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _child(parent: int, marker: str) -> int | None:
    """The direct child of ``parent`` whose command line holds ``marker``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat[1]) == parent and marker in command and stat[0] != "Z":
            return int(entry.name)
    return None


@pytest.mark.slow
def test_killed_children_come_back_and_nothing_accepted_is_lost(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    env.update({"DOCGEN_PORT": str(port), "DOCGEN_DATA_DIR": str(tmp_path / "var"), "DOCGEN_RETRY_INTERVALS": "1"})
    run = subprocess.Popen([sys.executable, "-m", "cli.main", "run"], cwd=REPO_ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    body = (REPO_ROOT / "examples" / "pk-jpt.json").read_bytes()
    accepted: list[str] = []
    try:
        wait_for(lambda: _ready(base), timeout=90, interval=0.3)

        bulk = wait_for(lambda: _child(run.pid, "workers --bulk"), timeout=10)
        os.kill(bulk, signal.SIGKILL)
        status, answer, _ = _call(f"{base}/api/v1/documents", body)  # the rest keeps serving
        assert status == 202
        accepted.append(answer["id"])
        restarted = wait_for(lambda: (pid := _child(run.pid, "workers --bulk")) not in (None, bulk) and pid,
                             timeout=15)
        assert alive(restarted)

        redis = wait_for(lambda: _child(run.pid, "redis-server"), timeout=10)
        os.kill(redis, signal.SIGKILL)
        wait_for(lambda: not alive(redis), timeout=10)
        outcomes = []
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:  # submit through the outage until Redis is back
            status, answer, headers = _call(f"{base}/api/v1/documents", body)
            outcomes.append(status)
            if status == 202:
                accepted.append(answer["id"])
                if 503 in outcomes:
                    break
            else:
                assert status == 503 and headers.get("Retry-After") == "5", (status, answer)
            time.sleep(0.2)
        assert 503 in outcomes and outcomes[-1] == 202, outcomes
        assert _child(run.pid, "redis-server") not in (None, redis)

        def ended() -> list[dict] | None:
            records = [_call(f"{base}/api/v1/documents/{doc_id}")[1] for doc_id in accepted]
            return records if all(r["status"] in ("finished", "failed") for r in records) else None

        records = wait_for(ended, timeout=60, interval=0.5)
        assert [r["status"] for r in records] == ["finished"] * len(accepted), records
        assert run.poll() is None, "docgen run must still be running"
    finally:
        run.send_signal(signal.SIGTERM)
        output = run.communicate(timeout=60)[0].decode(errors="replace")
        print(output)  # shown when the test fails: what each child said
    assert "bulk worker 1 exited with code -9; restarting" in output, output
    assert "embedded Redis exited with code -9; restarting" in output, output
    assert run.returncode == 0, output


def test_a_child_that_keeps_dying_is_restarted_ever_more_slowly_and_never_given_up():
    from cli.supervisor import ProcessHandle, Supervisor

    now = [0.0]
    said: list[str] = []
    supervisor = Supervisor(said.append, clock=lambda: now[0])
    starts = []

    def start() -> ProcessHandle:
        starts.append(now[0])
        return ProcessHandle(subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"]))

    child = supervisor.add("flaky", start)
    for _ in range(400):  # 40 s of the supervisor's clock, each tick after the child has surely exited
        if child.handle is not None:
            child.handle.process.wait(timeout=10)
        supervisor.tick()
        now[0] += 0.1
    gaps = [round(b - a, 1) for a, b in itertools.pairwise(starts)]
    # doubling from 0.5 s (plus the tick in which the death is noticed) ...
    assert all(want <= gap <= want + 0.25 for gap, want in zip(gaps, [0.5, 1, 2, 4, 8, 16], strict=True)), gaps
    assert len(starts) == 7  # ... up to 30 s: still being restarted, never given up
    assert said[0] == "flaky exited with code 3; restarting in 0.5s"
    assert "(crash loop: 3 in a row)" in said[2]


def test_a_taken_web_port_is_refused_before_anything_starts(tmp_path):
    # The web workers listen with SO_REUSEPORT: without this check a second `docgen run` on the same
    # port would start and take part of the first one's connections instead of failing.
    import socket

    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
        env.update({"DOCGEN_PORT": str(port), "DOCGEN_HOST": "127.0.0.1", "DOCGEN_DATA_DIR": str(tmp_path / "var")})
        result = subprocess.run([sys.executable, "-m", "cli.main", "run"], cwd=REPO_ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"refusing to start: 127.0.0.1:{port} is taken" in result.stdout
    assert "DOCGEN_PORT" in result.stdout
    assert not (tmp_path / "var").exists()  # nothing was started, not even the embedded Redis
