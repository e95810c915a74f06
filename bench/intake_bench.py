"""Intake and listing with the database: POST /api/v1/documents per second and its latency
percentiles through gunicorn, then status reads, verification and listing of a database holding
many issued documents.

    .venv/bin/python bench/intake_bench.py [--seconds 10] [--clients 16] [--database sqlite|postgresql]
                                           [--records 20000] [--tree PATH]
    .venv/bin/python bench/intake_bench.py --base REF [--rounds 3] [--web-workers N] [--seconds 10] [--clients 16]
                                           [--gunicorn OPTIONS] [--base-gunicorn OPTIONS]
    .venv/bin/python bench/intake_bench.py --docgen-run [--base REF] [--client ab] [--rounds 3] [--seconds 8]

Runs a real Redis (appendonly, as `make run`), the web process under gunicorn
(`--web-workers`, default DOCGEN_WEB_WORKERS or as `docgen run` starts it: two per core) and load
processes with keep-alive connections; no worker
runs, so the numbers are the intake's alone. `--database postgresql` starts a throw-away
PostgreSQL server (tests/postgres.py). `--tree PATH` serves the web process from another
checkout (e.g. `git archive` of the version before the database) for a side-by-side figure.

`--base REF` measures the intake alone, paired: the web process of git revision REF (`git archive`
into a temporary folder) and of this checkout, alternately (base first in odd rounds, ours first
in even ones), each round with a fresh Redis and database, then the medians and their ratio.
`--base REF1,REF2` measures each of them and this checkout in turn (the order rotating by round),
with the ratio of this checkout to each.
Pairing is what makes the figure usable on a machine shared with other work. Both run with
DOCGEN_MAX_QUEUE_DEPTH=10000000: no worker drains the queue here, and the default limit (2,000)
would refuse most of a 10-second run; the depth check itself still runs on every POST.

This checkout's web process runs with the gunicorn options `docgen run` gives it
(`-c python:service.gunicorn_config`: threaded workers, gc.freeze); `--gunicorn` replaces them
(`--gunicorn ""`: gunicorn's defaults, a sync worker), `--base-gunicorn` gives the bases some (by
default each base runs as its own `docgen run` served it: with its service/gunicorn_config.py if it
has one). With
`--base .` (this checkout as its own base) the two options compare server settings on one code.

`--docgen-run` loads the whole service as `make run` starts it instead (`docgen run`: embedded
Redis, gunicorn, the document, callback and bulk workers, each run in a fresh data folder, the rate
limit off): the workers render what is accepted while the POSTs go on, on the same cores. The
bench's own DOCGEN_* settings pass to it (e.g. DOCGEN_WORKER_NICE=0 to compare priorities).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.redis_server import RedisServer, free_port  # noqa: E402

SERVED_AS = ("-c", "python:service.gunicorn_config")
"""The gunicorn options `docgen run` adds (cli/run.py): this checkout's web process runs with them."""
SERVED_WORKERS = 2 * (os.cpu_count() or 1)
"""gunicorn workers `docgen run` starts by default (DOCGEN_WEB_WORKERS=0). Until 2026-11-29 the bench
ran 2: on this 2-core machine half of what `make run` serves with."""
from tests.processes import descendants, stat_fields  # noqa: E402


def _cpu_seconds(pids: set[int]) -> float:
    """User + system CPU seconds the processes have used so far (children that ended not counted)."""
    total = 0
    for pid in pids:
        if (fields := stat_fields(pid)) is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def _load(port: int, seconds: float, threads: int, paths: list[str], method: str, body: bytes | None) -> None:
    """One load process: ``threads`` keep-alive connections hitting ``paths`` round robin; prints
    the latencies (ms) and the count of unexpected answers as JSON."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad, n = [], 0, offset
        headers = {"Content-Type": "application/json"} if body else {}
        while time.perf_counter() < deadline:
            path = paths[n % len(paths)]
            n += 1
            start = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if response.status >= 300:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    workers = [threading.Thread(target=run, args=(i * 7919,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps({"latencies": latencies, "errors": errors[0]}))


LOAD_CLIENT = "python"
"""What makes the POST load: "python" (two load processes of keep-alive http.client threads) or "ab"
(ApacheBench, `ab -k`, as the issue measured: a C client whose own CPU leaves more to the service on
a 2-core machine; Debian's apache2-utils, not installed by make: `apt-get install apache2-utils`)."""


def _measure_ab(port: int, seconds: float, clients: int, path: str, body: bytes) -> tuple[float, float, float, int]:
    """Requests per second, p50 and p99 in ms, unexpected answers, from ApacheBench's own report."""
    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        file.write(body)
        file.flush()
        report = subprocess.run(["ab", "-k", "-q", "-c", str(clients), "-t", str(seconds), "-n", "10000000",
                                 "-p", file.name, "-T", "application/json", f"http://127.0.0.1:{port}{path}"],
                                capture_output=True, text=True, check=True).stdout
    lines = {line.split(":")[0].strip(): line for line in report.splitlines() if ":" in line}
    percent = {line.split()[0]: float(line.split()[1]) for line in report.splitlines()
               if line.strip().endswith(tuple("0123456789")) and line.strip()[:3].rstrip("%").isdigit()
               and "%" in line.split()[0]}
    rate = float(lines["Requests per second"].split()[3])
    bad = int(lines["Non-2xx responses"].split()[2]) if "Non-2xx responses" in lines else 0
    return rate, percent["50%"], percent["99%"], bad + int(lines["Failed requests"].split()[2])


def _measure(port: int, seconds: float, clients: int, paths: list[str], method: str = "GET",
             body: bytes | None = None) -> tuple[float, float, float, int]:
    """Requests per second, p50 and p99 in ms, unexpected answers; over ``clients`` connections
    spread on two load processes (or ApacheBench's, for POSTs with ``--client ab``)."""
    if LOAD_CLIENT == "ab" and method == "POST" and body is not None and len(paths) == 1:
        return _measure_ab(port, seconds, clients, paths[0], body)
    processes = 2
    spec = json.dumps({"port": port, "seconds": seconds, "threads": max(1, clients // processes), "paths": paths,
                       "method": method, "body": body.decode() if body else None})
    loaders = [subprocess.Popen([sys.executable, __file__, "--load", spec], stdout=subprocess.PIPE, cwd=ROOT)
               for _ in range(processes)]
    latencies: list[float] = []
    errors = 0
    for loader in loaders:
        out, _ = loader.communicate()
        result = json.loads(out)
        latencies += result["latencies"]
        errors += result["errors"]
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] if latencies else 0.0
    return len(latencies) / seconds, statistics.median(latencies) if latencies else 0.0, p99, errors


def _fill(database_url: str, count: int) -> list[str]:
    """``count`` finished documents written as a batch writes them (bulk, 500 per transaction)."""
    from storage.database import database_for
    from storage.records import RecordStore, StoredFile

    store = RecordStore(database=database_for(database_url))
    summary = json.dumps({"tahun": 2026, "instansi": "Dinas Contoh", "pihak": {
        "pihak_pertama": {"nama": "Pegawai", "jabatan": "Kepala"}}})
    ids = []
    for start in range(0, count, 500):
        part = {f"{n:032x}": {"type": "pk", "formats": ["docx"], "client": "",
                              "files": [StoredFile("docx", f"PK-{n}.docx", 40000, f"{n:064x}")],
                              "template_name": "pk", "template_version": 1,
                              "template_sha256": "0" * 64, "summary": summary, "batch": "bench", "ref": str(n)}
                for n in range(start, min(count, start + 500))}
        store.put_finished_many(part)
        ids += list(part)
    return ids


def _serve(tree: Path, tmp: Path, database_url: str, workers: str, redis_url: str,
           options: list[str] | None = None) -> tuple[subprocess.Popen, int]:
    """gunicorn serving ``tree``'s app (with further gunicorn ``options``); returns once /healthz answers."""
    port = free_port()
    env = dict(os.environ, DOCGEN_REDIS_URL=redis_url, DOCGEN_DATA_DIR=str(tmp / "var"),
               DOCGEN_DATABASE_URL=database_url, DOCGEN_RATE_LIMIT_PER_MINUTE="0",
               DOCGEN_MAX_QUEUE_DEPTH="10000000", PYTHONPATH=str(tree))
    web = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                            "--workers", workers, *(options or []), "service.app:create_app()"], cwd=tree, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_until_answers(web, port, "/healthz", 60, f"the web process from {tree} did not start")
    return web, port


def _stop(web: subprocess.Popen, redis: RedisServer, postgres: Any | None) -> None:
    """Stop a measure's gunicorn, its Redis and its PostgreSQL (when it had one)."""
    web.terminate()
    web.wait()
    redis.stop()
    if postgres:
        postgres.stop()


def _wait_until_answers(process: subprocess.Popen, port: int, path: str, seconds: float, failure: str) -> None:
    """Until GET ``path`` answers 200; stops ``process`` and exits with ``failure`` after ``seconds``
    or when the process ended."""
    deadline = time.time() + seconds
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        if time.time() > deadline or process.poll() is not None:
            process.terminate()
            raise SystemExit(failure)
        time.sleep(0.2)


def _turns(labels: list[str], rounds: int) -> Iterator[tuple[int, str]]:
    """(round, label) for ``rounds`` rounds of every label, the order rotating by round (pairing)."""
    for number in range(rounds):
        turn = number % len(labels)
        for label in labels[turn:] + labels[:turn]:
            yield number, label


def _docgen_run(tree: Path, tmp: Path, database_url: str | None = None) -> tuple[subprocess.Popen, int]:
    """The whole service as `make run` starts it (`docgen run`: embedded Redis, gunicorn, the document,
    callback and bulk workers) from ``tree``, the rate limit off; returns once /readyz answers 200."""
    port = free_port()
    # The bench's own DOCGEN_* settings pass (e.g. DOCGEN_WEB_WORKERS, DOCGEN_WORKER_NICE), but each
    # run has its own embedded Redis, database and data folder.
    env = {key: value for key, value in os.environ.items()
           if key not in ("DOCGEN_REDIS_URL", "DOCGEN_DATABASE_URL", "DOCGEN_HOST", "DOCGEN_PUBLIC_URL")}
    env.update(DOCGEN_PORT=str(port), DOCGEN_DATA_DIR=str(tmp / "var"), DOCGEN_RATE_LIMIT_PER_MINUTE="0",
               DOCGEN_MAX_QUEUE_DEPTH="10000000", PYTHONPATH=str(tree))
    if database_url:
        env["DOCGEN_DATABASE_URL"] = database_url
    run = subprocess.Popen([sys.executable, "-m", "cli.main", "run"], cwd=tree, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    _wait_until_answers(run, port, "/readyz", 90, f"`docgen run` from {tree} did not become ready")
    return run, port


def _whole_service(args: argparse.Namespace) -> None:
    """``--docgen-run``: POST load against the whole service as `make run` starts it, its workers
    rendering what is accepted meanwhile; this checkout, or paired with ``--base`` revisions."""
    body = (ROOT / "examples" / "pk-jpt.json").read_bytes()
    refs = [ref for ref in (args.base or "").split(",") if ref]
    labels = [*(f"base {ref}" for ref in refs), "new"]
    results: dict[str, list[tuple[float, float, float, float]]] = {label: [] for label in labels}
    with tempfile.TemporaryDirectory() as top:
        trees = {f"base {ref}": _checkout(ref, Path(top), f"tree{n}") for n, ref in enumerate(refs)}
        trees["new"] = ROOT
        print(f"intake against `docgen run` (workers rendering meanwhile, rate limit off, database "
              f"{args.database}): {', '.join(labels)}, "
              f"{args.clients} {'ab -k' if LOAD_CLIENT == 'ab' else 'Python keep-alive'} clients, "
              f"{args.seconds:.0f} s per measure, {args.rounds} rounds; load average {os.getloadavg()[0]:.1f} at start")
        for number, label in _turns(labels, args.rounds):
            postgres = None
            if args.database == "postgresql":
                from tests.postgres import PostgresServer

                postgres = PostgresServer().start()
            run, port = _docgen_run(trees[label], Path(top) / f"{label.replace(' ', '-')}-{number}",
                                    postgres.url if postgres else None)
            try:
                _measure(port, 2, args.clients, ["/api/v1/documents"], "POST", body)  # warm up
                served = {run.pid, *descendants(run.pid)}
                cpu_before = _cpu_seconds(served)
                rate, p50, p99, bad = _measure(port, args.seconds, args.clients, ["/api/v1/documents"], "POST",
                                               body)
                cpu_ms = (_cpu_seconds(served) - cpu_before) * 1000 / max(1, rate * args.seconds)
            finally:
                run.terminate()
                run.wait(timeout=120)
                if postgres:
                    postgres.stop()
            results[label].append((rate, p50, p99, cpu_ms))
            print(f"  round {number + 1} {label:12}: {rate:5.0f} POST/s, p50 {p50:5.1f} ms, p99 {p99:6.1f} ms, "
                  f"all processes' CPU {cpu_ms:.2f} ms/POST{f', {bad} unexpected answers' if bad else ''}  "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
    for label in labels:
        rate, p50, p99, cpu_ms = (statistics.median(r[i] for r in results[label]) for i in range(4))
        print(f"median {label:12}: {rate:.0f} POST/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
              f"all processes' CPU {cpu_ms:.2f} ms/POST")


def _checkout(ref: str, top: Path, label: str) -> Path:
    """A folder holding ``ref``: the folder itself, or `git archive` of the revision."""
    if Path(ref).is_dir():  # a checkout already made
        return Path(ref).resolve()
    tree = top / label
    tree.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def _base_options(tree: Path, given: str | None) -> str:
    """A base's gunicorn options: ``given``, else as that revision's `docgen run` served it (its
    service/gunicorn_config.py when it has one; gunicorn's defaults before there was one)."""
    if given is not None:
        return given
    return " ".join(SERVED_AS) if (tree / "service" / "gunicorn_config.py").is_file() else ""


def _paired(args: argparse.Namespace) -> None:
    """Each base (``--base``, comma separated) and this checkout, in turn, ``--rounds`` times (the
    order rotates each round); medians and the ratio of this checkout to each base."""
    body = (ROOT / "examples" / "pk-jpt.json").read_bytes()
    refs = [ref for ref in args.base.split(",") if ref]
    bases = [f"base {ref}" if len(refs) > 1 else "base" for ref in refs]
    labels = [*bases, "new"]
    results: dict[str, list[tuple[float, float, float, float]]] = {label: [] for label in labels}
    with tempfile.TemporaryDirectory() as top:
        trees = {label: _checkout(ref, Path(top), f"tree{n}")
                 for n, (label, ref) in enumerate(zip(bases, refs, strict=True))}
        trees["new"] = ROOT
        print(f"paired intake: base {', '.join(refs)} ({args.base_web_workers or args.web_workers} gunicorn workers "
              f"{'as served' if args.base_gunicorn is None else repr(args.base_gunicorn)}) vs this checkout "
              f"({args.web_workers} {args.gunicorn!r}), "
              f"{args.clients} keep-alive clients, {args.seconds:.0f} s per measure, {args.rounds} rounds, "
              f"database {args.database}; load average {os.getloadavg()[0]:.1f} at start")
        for number, label in _turns(labels, args.rounds):
            tmp = Path(top) / f"{label.replace(' ', '-')}-{number}"
            redis = RedisServer(tmp / "redis").start()
            postgres = None
            if args.database == "postgresql":
                from tests.postgres import PostgresServer

                postgres = PostgresServer().start()
            url = postgres.url if postgres else f"sqlite:///{tmp / 'var' / 'docgen.db'}"
            is_base = label != "new"
            workers = args.base_web_workers if is_base and args.base_web_workers else args.web_workers
            options = shlex.split(_base_options(trees[label], args.base_gunicorn) if is_base else args.gunicorn)
            web, port = _serve(trees[label], tmp, url, str(workers), redis.url, options)
            try:
                _measure(port, 2, args.clients, ["/api/v1/documents"], "POST", body)  # warm up
                served = {web.pid, *descendants(web.pid), redis.process.pid}
                cpu_before = _cpu_seconds(served)
                rate, p50, p99, bad = _measure(port, args.seconds, args.clients, ["/api/v1/documents"], "POST",
                                               body)
                # CPU per POST of the service's side (gunicorn and Redis): what the machine's load
                # does not change much, unlike the rate
                cpu_ms = (_cpu_seconds(served) - cpu_before) * 1000 / max(1, rate * args.seconds)
                result = (rate, p50, p99, cpu_ms)
            finally:
                _stop(web, redis, postgres)
            results[label].append(result)
            print(f"  round {number + 1} {label:12}: {rate:5.0f} POST/s, p50 {p50:5.1f} ms, p99 {p99:6.1f} ms, "
                  f"service CPU {cpu_ms:.2f} ms/POST{f', {bad} unexpected answers' if bad else ''}  "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
    median = {label: [statistics.median(r[i] for r in rows) for i in range(4)] for label, rows in results.items()}
    for label in labels:
        rate, p50, p99, cpu_ms = median[label]
        print(f"median {label:12}: {rate:.0f} POST/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
              f"service CPU {cpu_ms:.2f} ms/POST")
    new = median["new"]
    for label in bases:
        base = median[label]
        print(f"ratio new/{label}: throughput {new[0] / base[0]:.2f}x, p99 {new[2] / base[2]:.2f}x, "
              f"service CPU per POST {new[3] / base[3]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout the web process runs from")
    parser.add_argument("--base", help="git revision (or a folder holding a checkout) to measure the intake "
                        "against, paired (see above); several, comma separated, are measured in turn with this one")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--web-workers", type=int,
                        default=int(os.environ.get("DOCGEN_WEB_WORKERS", "0")) or SERVED_WORKERS,
                        help="gunicorn workers; default: as `docgen run` starts them (two per CPU core)")
    parser.add_argument("--base-web-workers", type=int, default=0, help="gunicorn workers of the base "
                        "(default: --web-workers), to compare worker counts")
    parser.add_argument("--gunicorn", default=" ".join(SERVED_AS), help="further gunicorn options of this "
                        "checkout's web process; default: as `docgen run` serves it (service/gunicorn_config.py)")
    parser.add_argument("--base-gunicorn", default=None, help="further gunicorn options of the bases' web "
                        "processes; default: as each revision's `docgen run` served it")
    parser.add_argument("--client", choices=["python", "ab"], default="python",
                        help="what makes the POST load: Python keep-alive clients, or ApacheBench (`ab -k`)")
    parser.add_argument("--docgen-run", action="store_true", help="load the whole service as `make run` starts "
                        "it (workers rendering meanwhile) instead of the web process alone; with --base, paired")
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global LOAD_CLIENT
    LOAD_CLIENT = args.client
    if args.docgen_run:
        _whole_service(args)
        return
    if args.base:
        _paired(args)
        return
    if args.load:
        spec = json.loads(args.load)
        _load(spec["port"], spec["seconds"], spec["threads"], spec["paths"], spec["method"],
              spec["body"].encode() if spec["body"] else None)
        return
    postgres = None
    with tempfile.TemporaryDirectory() as tmp:
        redis = RedisServer(Path(tmp) / "redis").start()
        data_dir = Path(tmp) / "var"
        if args.database == "postgresql":
            from tests.postgres import PostgresServer

            postgres = PostgresServer().start()
        database_url = postgres.url if postgres else f"sqlite:///{data_dir / 'docgen.db'}"
        workers = str(args.web_workers)
        options = shlex.split(args.gunicorn) if args.tree == ROOT else []
        web, port = _serve(args.tree, Path(tmp), database_url, workers, redis.url, options)
        try:
            body = (ROOT / "examples" / "pk-jpt.json").read_bytes()
            tree = "this checkout" if args.tree == ROOT else str(args.tree)
            print(f"web: gunicorn, {workers} workers, from {tree}; database {args.database}; "
                  f"{args.clients} keep-alive clients, {args.seconds:.0f} s per measure")
            _measure(port, 2, args.clients, ["/api/v1/documents"], "POST", body)  # warm up
            rate, p50, p99, bad = _measure(port, args.seconds, args.clients, ["/api/v1/documents"], "POST", body)
            print(f"intake  POST /api/v1/documents: {rate:.0f} POST/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms"
                  f"{f', {bad} unexpected answers' if bad else ''}")
            if args.tree != ROOT:
                return
            start = time.perf_counter()
            ids = _fill(database_url, args.records)
            fill_rate = args.records / (time.perf_counter() - start)
            print(f"filled {args.records} finished documents in bulk: {fill_rate:.0f} records/s")
            sample = [ids[(n * 7919) % len(ids)] for n in range(500)]
            for label, paths in (("status  GET /api/v1/documents/{id}", [f"/api/v1/documents/{i}" for i in sample]),
                                 ("verify  GET /verify/{id} (page)", [f"/verify/{i}" for i in sample]),
                                 ("listing GET /api/v1/documents?limit=50",
                                  ["/api/v1/documents?limit=50", "/api/v1/documents?limit=50&status=finished"])):
                rate, p50, p99, bad = _measure(port, args.seconds, args.clients, paths)
                print(f"{label}: {rate:.0f} requests/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms"
                      f"{f', {bad} unexpected answers' if bad else ''}")
        finally:
            _stop(web, redis, postgres)


if __name__ == "__main__":
    main()
