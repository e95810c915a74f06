"""Single documents (POST /api/v1/documents, one RQ job each): how fast the document workers drain
a queue of them, and how long one takes while a large batch keeps the bulk workers busy.

    .venv/bin/python bench/single_bench.py drain [--n 1000] [--base REF] [--workers N]
    .venv/bin/python bench/single_bench.py burst [--batch 27000] [--singles 40] [--base REF]

``drain``: N single PKs queued first (through the app, as clients send them), then the document
workers started; documents per second from the first finished document to the last (the workers'
start-up is not counted). Configurations, each with a fresh Redis and database, in one run:
REF's worker (`git archive`, one forking worker: the layout before), this checkout with one forking
worker, N forking workers, and N in-process workers (DOCGEN_WORKER_FORK=false; N defaults to the
CPU cores). The difference per document between one forking and one in-process worker is the cost
of the fork (and of what the horse sets up again).

``burst``: a batch of --batch PKs submitted, one bulk worker and the document workers running (as
`make run` starts them); once the batch is under way, --singles single PKs are sent one after the
other, each timed from its POST to its record reading finished; p50/p95/max, for REF and for this
checkout, with the batch's progress over the same time.

All workers are real processes on a real Redis; the machine may be loaded by other work, so runs of
a configuration pair are made back to back and their order is stated.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings import Settings  # noqa: E402
from service.app import create_app  # noqa: E402
from storage.redis_server import RedisServer  # noqa: E402
from tests.processes import descendants, stat_fields  # noqa: E402

BODY = json.loads((ROOT / "examples" / "pk-jpt.json").read_text())


def _archive(ref: str, into: Path) -> Path:
    """REF's files in ``into`` (`git archive`), to run its workers."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _env(tree: Path, redis_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, DOCGEN_REDIS_URL=redis_url, DOCGEN_DATA_DIR=str(data_dir), PYTHONPATH=str(tree),
                DOCGEN_MAX_QUEUE_DEPTH="0", **extra)


def _workers(tree: Path, env: dict[str, str], count: int, *flags: str) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-m", "workers", *flags], cwd=tree, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            for _ in range(count)]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _cpu_seconds(pids: set[int]) -> float:
    """CPU seconds (user + system) used by the processes and the children they reaped (forked horses)."""
    ticks = 0
    for pid in pids:
        if (fields := stat_fields(pid)) is not None:
            ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _finished(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        return connection.execute("SELECT count(*) FROM documents WHERE status = 'finished' AND batch IS NULL"
                                  ).fetchone()[0]


def drain(tree: Path, n: int, workers: int, fork: bool, tmp: Path) -> tuple[float, float]:
    """Documents per second of ``workers`` document workers of ``tree`` draining N queued PKs, and the
    CPU milliseconds per document of the workers (horses included) and Redis over the same time: the
    figure a loaded machine changes least."""
    data_dir = tmp / "var"
    redis = RedisServer(tmp / "redis").start()
    settings = Settings(redis_url=redis.url, data_dir=data_dir, max_queue_depth=0, rate_limit_per_minute=0)
    client = create_app(settings).test_client()
    for _ in range(n):
        assert client.post("/api/v1/documents", json=BODY).status_code == 202
    env = _env(tree, redis.url, data_dir, DOCGEN_WORKER_FORK="true" if fork else "false")
    processes = _workers(tree, env, workers)
    database = data_dir / "docgen.db"
    try:
        deadline = time.monotonic() + 600
        first = None
        watched: set[int] = {redis.process.pid}
        while time.monotonic() < deadline:
            done = _finished(database)
            if done and first is None:
                watched |= {p.pid for p in processes} | {c for p in processes for c in descendants(p.pid)}
                first = (time.perf_counter(), done, _cpu_seconds(watched))
            if done >= n:
                break
            time.sleep(0.05)
        else:
            raise SystemExit(f"only {_finished(database)} of {n} finished within 10 minutes")
        assert first is not None
        cpu_ms = (_cpu_seconds(watched) - first[2]) * 1000 / (n - first[1])
        return (n - first[1]) / (time.perf_counter() - first[0]), cpu_ms
    finally:
        _stop(processes)
        redis.stop()


def _drain_main(args: argparse.Namespace, top: Path) -> None:
    cores = os.cpu_count() or 1
    workers = args.workers or cores
    configurations: list[tuple[str, Path, int, bool]] = []
    if args.base:
        configurations.append((f"{args.base}: 1 forking worker (before)", _archive(args.base, top / "base"), 1, True))
    configurations += [("this: 1 forking worker", ROOT, 1, True),
                       (f"this: {workers} forking workers", ROOT, workers, True),
                       ("this: 1 in-process worker", ROOT, 1, False),
                       (f"this: {workers} in-process workers (DOCGEN_WORKER_FORK=false)", ROOT, workers, False)]
    print(f"drain: {args.n} single PKs queued, then the workers started; {cores} CPU cores; "
          f"load average {os.getloadavg()[0]:.1f} at start; configurations in this order:", flush=True)
    rates: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for number, (label, tree, count, fork) in enumerate(configurations):
        rates[label], cpu[label] = drain(tree, args.n, count, fork, top / f"drain-{number}")
        print(f"  {label}: {rates[label]:.0f} documents/s; CPU {cpu[label]:.1f} ms per document (workers, "
              f"horses, Redis), a ceiling of {1000 * cores / cpu[label]:.0f}/s on {cores} idle cores "
              f"(load {os.getloadavg()[0]:.1f})", flush=True)
    one_fork, one_in = "this: 1 forking worker", "this: 1 in-process worker"
    print(f"fork per job (1 forking - 1 in-process worker): {cpu[one_fork] - cpu[one_in]:.1f} ms CPU, "
          f"{1000 / rates[one_fork] - 1000 / rates[one_in]:.1f} ms of wall time")
    new = rates[configurations[-1][0]]
    for label, rate in rates.items():
        if label != configurations[-1][0]:
            print(f"ratio {workers} in-process workers / {label}: {new / rate:.2f}x documents/s, "
                  f"{cpu[label] / cpu[configurations[-1][0]]:.2f}x less CPU per document")


def burst(tree: Path, batch: int, singles: int, fork: bool, tmp: Path) -> tuple[list[float], int]:
    """Seconds from POST to finished of ``singles`` single PKs sent one after the other while a batch
    of ``batch`` PKs runs; and how many batch items finished meanwhile."""
    data_dir = tmp / "var"
    redis = RedisServer(tmp / "redis").start()
    settings = Settings(redis_url=redis.url, data_dir=data_dir, max_queue_depth=0, rate_limit_per_minute=0,
                        max_batch_items=max(batch, 30000))
    client = create_app(settings).test_client()
    env = _env(tree, redis.url, data_dir, DOCGEN_WORKER_FORK="true" if fork else "false",
               DOCGEN_MAX_BATCH_ITEMS=str(max(batch, 30000)))
    cores = os.cpu_count() or 1
    documents = 1 if tree != ROOT else (settings.document_workers or cores)
    processes = _workers(tree, env, documents) + _workers(tree, env, settings.bulk_workers, "--bulk")
    database = data_dir / "docgen.db"
    try:
        time.sleep(3)  # workers up
        items = [{"ref": f"P{i:05d}", "data": BODY["data"]} for i in range(batch)]
        response = client.post("/api/v1/batches", json={"type": "pk", "items": items})
        assert response.status_code == 202, response.get_json()
        batch_id = response.get_json()["id"]

        def batch_done() -> int:
            return client.get(f"/api/v1/batches/{batch_id}").get_json()["finished"]

        deadline = time.monotonic() + 120
        while batch_done() < 200 and time.monotonic() < deadline:  # the bulk worker is busy
            time.sleep(0.2)
        done_before = batch_done()
        latencies: list[float] = []
        for _ in range(singles):
            start = time.perf_counter()
            doc_id = client.post("/api/v1/documents", json=BODY).get_json()["id"]
            while True:
                with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
                    status = connection.execute("SELECT status FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
                if status in ("finished", "failed"):
                    break
                if time.perf_counter() - start > 60:
                    raise SystemExit(f"single document {doc_id} still {status} after 60 s")
                time.sleep(0.01)
            assert status == "finished", status
            latencies.append(time.perf_counter() - start)
            time.sleep(0.2)  # one after the other, not a flood
        return latencies, batch_done() - done_before
    finally:
        _stop(processes)
        redis.stop()


def _burst_main(args: argparse.Namespace, top: Path) -> None:
    runs: list[tuple[str, Path, bool]] = []
    if args.base:
        runs.append((f"{args.base} (1 forking document worker)", _archive(args.base, top / "base"), True))
    cores = os.cpu_count() or 1
    runs.append((f"this checkout ({cores} in-process document workers)", ROOT, False))
    print(f"burst: a batch of {args.batch} PKs with 1 bulk worker; {args.singles} single PKs sent one after "
          f"the other once 200 batch items are done; load average {os.getloadavg()[0]:.1f}; in this order:")
    p95s = {}
    for number, (label, tree, fork) in enumerate(runs):
        latencies, batch_items = burst(tree, args.batch, args.singles, fork, top / f"burst-{number}")
        latencies.sort()
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
        p95s[label] = p95
        print(f"  {label}: single document POST -> finished p50 {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; {batch_items} batch items finished "
              f"meanwhile (load {os.getloadavg()[0]:.1f})", flush=True)
    if len(p95s) == 2:
        base, new = p95s.values()
        print(f"ratio p95 this / base: {new / base:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("drain")
    one.add_argument("--n", type=int, default=1000)
    one.add_argument("--workers", type=int, default=0, help="document workers (default: the CPU cores)")
    one.add_argument("--base", help="git revision whose worker runs first, for the figure before")
    two = sub.add_parser("burst")
    two.add_argument("--batch", type=int, default=27000)
    two.add_argument("--singles", type=int, default=40)
    two.add_argument("--base", help="git revision to run the same burst with, first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as top:
        (_drain_main if args.what == "drain" else _burst_main)(args, Path(top))


if __name__ == "__main__":
    main()
