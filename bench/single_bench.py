"""Single documents (POST /api/v1/documents, one RQ job each): how fast the document workers drain
a queue of them, and how long one takes while a large batch keeps the bulk workers busy.

    .venv/bin/python bench/single_bench.py count [--n 400] [--base REF] [--rounds 3]
    .venv/bin/python bench/single_bench.py drain [--n 1000] [--base REF] [--workers N] [--rounds 1] [--forks]
    .venv/bin/python bench/single_bench.py burst [--batch 27000] [--singles 40] [--base REF]
    .venv/bin/python bench/single_bench.py fork [--n 20]

``count``: one in-process worker of REF and of this checkout, alternately (--rounds pairs), each
draining N queued PKs in a process that counts from inside (bench/single_probe.py): documents/s,
CPU per document of the worker and of Redis, Redis round trips and commands and SQL statements per
document, and where the worker's CPU goes (its parts, by function); medians and ratios.

``drain``: N single PKs queued first (through the app, as clients send them), then the document
workers started; documents per second from the first finished document to the last (the workers'
start-up is not counted), and Redis commands per document over the same time. Configurations, each
with a fresh Redis and database: REF's N in-process workers (`git archive`; N defaults to the CPU
cores, as `make run` starts them) and this checkout's, alternately for --rounds pairs; with
--forks also this checkout with one forking worker, N forking workers and one in-process worker
(the difference per document between one forking and one in-process worker is the cost of the
fork and of what the horse sets up again).

``burst``: a batch of --batch PKs submitted, one bulk worker and the document workers running (as
`make run` starts them: one in-process worker per core, for REF and for this checkout); once the
batch is under way, --singles single PKs are sent one after the other, each timed from its POST to
its record reading finished; p50/p95/max, for REF and for this checkout, with the batch's progress
over the same time.

``fork``: one PK's produce_files (validation, context, QR, render), CPU time, as the first job of a
freshly forked process (what a forking worker's horse pays) and warm in the same process (what an
in-process worker pays), in one process that prepared the templates first as a worker does.

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


def _commands(redis_url: str) -> int:
    from redis import Redis

    with Redis.from_url(redis_url) as connection:
        return sum(v["calls"] for v in connection.info("commandstats").values())


_QUEUE = """
import json, sys
from config.settings import Settings
from service.app import create_app
client = create_app(Settings(max_queue_depth=0, rate_limit_per_minute=0)).test_client()
body = json.loads(open(sys.argv[2]).read())
for i in range(int(sys.argv[1])):
    if sys.argv[3] == "distinct":  # each its own person, targets and budget: no two share a table
        body = json.loads(open(sys.argv[2]).read())
        body["data"]["pihak_pertama"]["nama"] = f"Pegawai Nomor {i}, S.T."
        body["data"]["sasaran"][0]["uraian"] += f" di unit {i}"
        body["data"]["anggaran"][0]["jumlah"] += 1000 * i
    assert client.post("/api/v1/documents", json=body).status_code == 202
"""
"""N PKs posted through a tree's own intake (DOCGEN_REDIS_URL and DOCGEN_DATA_DIR from the environment):
the example N times, or with --distinct N different PKs."""


def drain(tree: Path, n: int, workers: int, fork: bool, tmp: Path,
          distinct: bool = False) -> tuple[float, float, float]:
    """Documents per second of ``workers`` document workers of ``tree`` draining N queued PKs, the
    CPU milliseconds per document of the workers (horses included) and Redis over the same time (the
    figure a loaded machine changes least), and Redis commands per document."""
    data_dir = tmp / "var"
    redis = RedisServer(tmp / "redis").start()
    env = _env(tree, redis.url, data_dir, DOCGEN_WORKER_FORK="true" if fork else "false")
    # queued by the tree's own intake: its records (and its database's schema) are what its workers read
    subprocess.run([sys.executable, "-c", _QUEUE, str(n), str(ROOT / "examples" / "pk-jpt.json"),
                    "distinct" if distinct else "same"], cwd=tree, env=env, check=True)
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
                first = (time.perf_counter(), done, _cpu_seconds(watched), _commands(redis.url))
            if done >= n:
                break
            time.sleep(0.05)
        else:
            raise SystemExit(f"only {_finished(database)} of {n} finished within 10 minutes")
        assert first is not None
        rate = (n - first[1]) / (time.perf_counter() - first[0])
        cpu_ms = (_cpu_seconds(watched) - first[2]) * 1000 / (n - first[1])
        commands = (_commands(redis.url) - first[3] - 2) / (n - first[1])  # less the two INFO
        return rate, cpu_ms, commands
    finally:
        _stop(processes)
        redis.stop()


def _drain_main(args: argparse.Namespace, top: Path) -> None:
    cores = os.cpu_count() or 1
    workers = args.workers or cores
    new_label = f"this: {workers} in-process workers"
    pairs: list[tuple[str, Path, int, bool]] = []
    if args.base:
        pairs.append((f"{args.base}: {workers} in-process workers", _archive(args.base, top / "base"), workers, False))
    pairs.append((new_label, ROOT, workers, False))
    configurations = [c for _ in range(args.rounds) for c in pairs]
    if args.forks:
        configurations += [("this: 1 forking worker", ROOT, 1, True),
                           (f"this: {workers} forking workers", ROOT, workers, True),
                           ("this: 1 in-process worker", ROOT, 1, False)]
    print(f"drain: {args.n} single PKs queued, then the workers started; {cores} CPU cores; "
          f"load average {os.getloadavg()[0]:.1f} at start; runs in this order:", flush=True)
    rates: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for number, (label, tree, count, fork) in enumerate(configurations):
        rate, cpu_ms, commands = drain(tree, args.n, count, fork, top / f"drain-{number}", args.distinct)
        rates.setdefault(label, []).append(rate)
        cpu.setdefault(label, []).append(cpu_ms)
        print(f"  {label}: {rate:.0f} documents/s; CPU {cpu_ms:.1f} ms per document (workers, horses, Redis), "
              f"a ceiling of {1000 * cores / cpu_ms:.0f}/s on {cores} idle cores; {commands:.1f} Redis commands "
              f"per document (load {os.getloadavg()[0]:.1f})", flush=True)
    rate = {label: statistics.median(values) for label, values in rates.items()}
    ms = {label: statistics.median(values) for label, values in cpu.items()}
    print("medians:")
    for label in rate:
        print(f"  {label}: {rate[label]:.0f} documents/s, CPU {ms[label]:.1f} ms per document")
    if args.forks:
        one_fork, one_in = "this: 1 forking worker", "this: 1 in-process worker"
        print(f"fork per job (1 forking - 1 in-process worker): {ms[one_fork] - ms[one_in]:.1f} ms CPU, "
              f"{1000 / rate[one_fork] - 1000 / rate[one_in]:.1f} ms of wall time")
    for label in rate:
        if label != new_label:
            print(f"ratio {new_label} / {label}: {rate[new_label] / rate[label]:.2f}x documents/s, "
                  f"{ms[label] / ms[new_label]:.2f}x less CPU per document")


def _count_main(args: argparse.Namespace, top: Path) -> None:
    trees: list[tuple[str, Path]] = []
    if args.base:
        trees.append((args.base, _archive(args.base, top / "base")))
    trees.append(("this", ROOT))
    print(f"count: {args.n} single PKs drained by one in-process worker, counted from inside "
          f"(bench/single_probe.py); {args.rounds} rounds, trees alternately; load {os.getloadavg()[0]:.1f}:",
          flush=True)
    results: dict[str, list[dict]] = {label: [] for label, _ in trees}
    for number in range(args.rounds):
        for label, tree in trees:
            work = top / f"count-{number}-{label}"
            work.mkdir()
            out = subprocess.run([sys.executable, str(ROOT / "bench" / "single_probe.py"), str(args.n), str(work)],
                                 cwd=tree, env=dict(os.environ, PYTHONPATH=str(tree)), capture_output=True,
                                 text=True, check=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            results[label].append(result)
            print(f"  {label}: {result['documents_per_second']:.0f} documents/s, worker CPU "
                  f"{result['worker_cpu_ms']:.2f} ms + Redis {result['redis_cpu_ms']:.2f} ms per document; "
                  f"{result['round_trips']:.1f} round trips, {result['redis_commands']:.1f} Redis commands, "
                  f"{result['sql_statements']:.1f} SQL statements (load {result['load']:.1f})", flush=True)
    figures = ("documents_per_second", "worker_cpu_ms", "redis_cpu_ms", "round_trips", "redis_commands",
               "sql_statements")
    medians = {label: {f: statistics.median(r[f] for r in runs) for f in figures} for label, runs in results.items()}
    print("medians per document:")
    for label, m in medians.items():
        sql = ", ".join(f"{k} {v:.0f}" for k, v in results[label][0]["sql_by_kind"].items())
        print(f"  {label}: {m['documents_per_second']:.0f} documents/s (1 worker); CPU {m['worker_cpu_ms']:.2f} ms "
              f"worker + {m['redis_cpu_ms']:.2f} ms Redis = a ceiling of "
              f"{1000 * (os.cpu_count() or 1) / (m['worker_cpu_ms'] + m['redis_cpu_ms']):.0f}/s on "
              f"{os.cpu_count()} idle cores; {m['round_trips']:.1f} round trips, {m['redis_commands']:.1f} Redis "
              f"commands; {m['sql_statements']:.1f} SQL statements ({sql})")
        parts = {name: statistics.median(r["parts_ms"].get(name, 0.0) for r in results[label])
                 for name in results[label][0]["parts_ms"]}
        for name, value in parts.items():
            if value >= 0.005:
                print(f"      {name}: {value:.2f} ms")
    if args.base:
        base, new = medians[args.base], medians["this"]
        print(f"ratio this / {args.base}: "
              f"{new['documents_per_second'] / base['documents_per_second']:.2f}x documents/s, "
              f"{(base['worker_cpu_ms'] + base['redis_cpu_ms']) / (new['worker_cpu_ms'] + new['redis_cpu_ms']):.2f}x "
              f"less CPU per document")


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
    documents = settings.document_workers or cores
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
    cores = os.cpu_count() or 1
    if args.base:
        runs.append((f"{args.base} ({cores} in-process document workers)", _archive(args.base, top / "base"), False))
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


def _fork_main(args: argparse.Namespace, top: Path) -> None:
    import uuid

    os.environ["DOCGEN_DATA_DIR"] = str(top / "var")
    from config.settings import get_settings
    from storage.templates import TemplateRegistry
    from workers.jobs import load_request
    from workers.produce import produce_files
    from workers.warm import prepare_active_templates

    settings = get_settings()
    registry = TemplateRegistry.for_settings(settings)
    raw = json.dumps(BODY)
    prepare_active_templates(registry)  # what a forking worker does before each fork

    def one() -> float:
        started = time.process_time()
        produce_files(load_request(raw), registry, doc_id=uuid.uuid4().hex, settings=settings)
        return (time.process_time() - started) * 1000

    forked = []
    for _ in range(args.n):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            os.write(write, f"{one():.3f}".encode())
            os._exit(0)
        os.close(write)
        forked.append(float(os.read(read, 64)))
        os.close(read)
        os.waitpid(pid, 0)
    one()
    warm = [one() for _ in range(args.n * 3)]
    print(f"produce_files of one PK, CPU: first job of a forked process median {statistics.median(forked):.2f} ms "
          f"({args.n} forks); warm in-process median {statistics.median(warm):.2f} ms ({len(warm)} renders); "
          f"load {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("drain")
    one.add_argument("--n", type=int, default=1000)
    one.add_argument("--workers", type=int, default=0, help="document workers (default: the CPU cores)")
    one.add_argument("--base", help="git revision whose workers run first in each pair, for the figure before")
    one.add_argument("--rounds", type=int, default=1, help="pairs of runs (base, this)")
    one.add_argument("--forks", action="store_true", help="also forking workers and one in-process worker")
    one.add_argument("--distinct", action="store_true",
                     help="N different PKs (own person, targets, budget) instead of the example N times: "
                     "no two documents share a table")
    three = sub.add_parser("count")
    three.add_argument("--n", type=int, default=400)
    three.add_argument("--rounds", type=int, default=3)
    three.add_argument("--base", help="git revision measured first in each round")
    two = sub.add_parser("burst")
    two.add_argument("--batch", type=int, default=27000)
    two.add_argument("--singles", type=int, default=40)
    two.add_argument("--base", help="git revision to run the same burst with, first")
    four = sub.add_parser("fork")
    four.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as top:
        modes = {"drain": _drain_main, "count": _count_main, "burst": _burst_main, "fork": _fork_main}
        modes[args.what](args, Path(top))


if __name__ == "__main__":
    main()
