"""Chaos run against `docgen run` (what `make run` starts): a batch of N PKs and M single documents
while a random child (a worker, a bulk worker, the embedded Redis) is SIGKILLed every K seconds.

    .venv/bin/python bench/chaos_bench.py [--n 3000] [--singles 200] [--kill-every 10]

`--n 27000` is the year-start burst. Prints what an operator checks: accepted == finished +
failed-with-reason, no document lost or made twice, how often the intake answered 503 (and that it
never answered 500), how long the run took, and the same batch without faults for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bulk_bench import _items  # noqa: E402
from storage.redis_server import free_port  # noqa: E402

VICTIMS = ("workers --bulk", "-m workers", "redis-server")


def _call(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        return 0, {"error": str(exc)}


def _children(parent: int) -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if ppid == parent:
                found[int(entry.name)] = command
    return found


def _killer(run_pid: int, every: float, stop: threading.Event, kills: Counter) -> None:
    while not stop.wait(every):
        candidates = [(pid, marker) for pid, command in _children(run_pid).items()
                      for marker in VICTIMS if marker in command]
        if candidates:
            pid, marker = random.choice(candidates)
            try:
                os.kill(pid, signal.SIGKILL)
                kills[marker] += 1
            except ProcessLookupError:
                pass


def run(n: int, singles: int, kill_every: float | None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
        env.update(DOCGEN_PORT=str(port), DOCGEN_DATA_DIR=str(Path(tmp) / "var"), DOCGEN_BULK_WORKERS="1",
                   DOCGEN_RATE_LIMIT_PER_MINUTE="0")
        log = open(Path(tmp) / "service.log", "wb")  # a pipe nobody reads would fill and stall every child
        service = subprocess.Popen([sys.executable, "-m", "cli.main", "run"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        stop, kills, answers = threading.Event(), Counter(), Counter()
        try:
            deadline = time.monotonic() + 90
            while _call(f"{base}/readyz")[0] != 200:
                assert time.monotonic() < deadline, "service did not become ready"
                time.sleep(0.3)
            start = time.perf_counter()
            if kill_every:
                threading.Thread(target=_killer, args=(service.pid, kill_every, stop, kills), daemon=True).start()
            batch_body = json.dumps({"type": "pk", "items": _items(n)}).encode()
            while True:  # the same Idempotency-Key on every try: a retry never makes a second batch
                status, batch = _call(f"{base}/api/v1/batches", batch_body, {"Idempotency-Key": "chaos-batch"})
                answers[status] += 1
                if status == 202:
                    break
                time.sleep(1)
            single = json.dumps(json.loads((ROOT / "examples" / "pk-jpt.json").read_text())).encode()
            doc_ids = []
            for number in range(singles):
                while True:
                    status, answer = _call(f"{base}/api/v1/documents", single, {"Idempotency-Key": f"chaos-{number}"})
                    answers[status] += 1
                    if status == 202:
                        doc_ids.append(answer["id"])
                        break
                    time.sleep(0.5)
            while True:
                status, state = _call(f"{base}/api/v1/batches/{batch['id']}")
                if status == 200 and state["archive_ready"]:
                    break
                time.sleep(1)
            records = []
            for doc_id in doc_ids:
                while (record := _call(f"{base}/api/v1/documents/{doc_id}"))[0] != 200 or \
                        record[1]["status"] not in ("finished", "failed"):
                    time.sleep(0.5)
                records.append(record[1])
            took = time.perf_counter() - start
            stop.set()
            archive = Path(tmp) / "archive.zip"
            with urllib.request.urlopen(f"{base}/api/v1/batches/{batch['id']}/archive", timeout=300) as response:
                archive.write_bytes(response.read())
            with zipfile.ZipFile(archive) as bundle:
                manifest = json.loads(bundle.read("manifest.json"))
            refs = Counter(entry["ref"] for entry in manifest)
            ended = Counter(entry["status"] for entry in manifest) + Counter(r["status"] for r in records)
            failed_without_reason = sum(1 for e in manifest if e["status"] == "failed" and not e["error"]) + sum(
                1 for r in records if r["status"] == "failed" and not r["error"])
            label = f"kill every {kill_every:g} s" if kill_every else "no faults"
            print(f"[{label}] accepted {n + len(doc_ids)} (batch {n}, singles {len(doc_ids)}); "
                  f"finished {ended['finished']}, failed {ended['failed']} "
                  f"(without a reason: {failed_without_reason}); lost {n + len(doc_ids) - sum(ended.values())}; "
                  f"made twice {sum(c - 1 for c in refs.values() if c > 1) + len(doc_ids) - len(set(doc_ids))}; "
                  f"{took:.0f} s")
            print(f"  intake answers: {dict(sorted(answers.items()))}; kills: {dict(kills)}")
            reasons = Counter(e["error"] for e in manifest if e["status"] == "failed")
            reasons.update(r["error"] for r in records if r["status"] == "failed")
            for reason, count in reasons.most_common(5):
                print(f"  failed {count}x: {reason}")
            return took
        finally:
            stop.set()
            service.send_signal(signal.SIGTERM)
            service.wait(timeout=120)
            log.close()
            restarts = [line for line in (Path(tmp) / "service.log").read_text(errors="replace").splitlines()
                        if "restarting in" in line]
            print(f"  supervisor restarts: {len(restarts)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--singles", type=int, default=200)
    parser.add_argument("--kill-every", type=float, default=10.0)
    args = parser.parse_args()
    calm = run(args.n, args.singles, None)
    chaos = run(args.n, args.singles, args.kill_every)
    print(f"ratio with faults / without: {chaos / calm:.2f}x the time", flush=True)


if __name__ == "__main__":
    main()
