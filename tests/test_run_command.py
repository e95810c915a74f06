"""`docgen run` (what `make run` starts): embedded Redis, gunicorn, a worker; SIGTERM stops them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile

import pytest

from config.settings import REPO_ROOT
from storage.redis_server import free_port
from tests.processes import alive, descendants


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.slow
def test_run_serves_a_document_and_stops_everything_on_sigterm(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    env.update({"DOCGEN_PORT": str(port), "DOCGEN_DATA_DIR": str(tmp_path / "var")})
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "run"], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/readyz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):  # a web worker still booting under load
                pass
            assert time.monotonic() < deadline, "service did not become ready"
            time.sleep(0.3)
        body = (REPO_ROOT / "examples" / "pk-jpt.json").read_bytes()
        request = urllib.request.Request(f"{base}/api/v1/documents", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 202
            doc_id = json.loads(response.read())["id"]
        for _ in range(100):
            _, record = _get(f"{base}/api/v1/documents/{doc_id}")
            if record["status"] == "finished":
                break
            time.sleep(0.2)
        assert record["status"] == "finished", record
        # a batch through the CLI against the running service: its bulk worker renders it
        items = [{"ref": f"B{n}", "data": json.loads(body)["data"]} for n in range(3)]
        (tmp_path / "batch.json").write_text(json.dumps(items))
        cli = subprocess.run([sys.executable, "-m", "cli.main", "batch", "submit", str(tmp_path / "batch.json"),
                              "--wait", "--url", base, "-o", str(tmp_path / "out.zip")], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert cli.returncode == 0, cli.stderr
        assert "100.0%" in cli.stderr and "3/3" in cli.stderr
        with zipfile.ZipFile(tmp_path / "out.zip") as archive:
            assert len([n for n in archive.namelist() if n.endswith(".docx")]) == 3
        assert list((tmp_path / "var" / "redis").glob("appendonly*")), "Redis persists with appendonly"
        children = descendants(process.pid)
        assert len(children) >= 3  # redis, worker, gunicorn master and its workers
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode(errors="replace")
    assert process.returncode == 0, output
    time.sleep(0.5)
    assert [pid for pid in children if alive(pid)] == []
