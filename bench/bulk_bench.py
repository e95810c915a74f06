"""Bulk end to end: N PKs submitted as one batch -> archive ready, next to plain docxtpl.

    .venv/bin/python bench/bulk_bench.py [--n 27000] [--workers 2] [--plain 200]
    .venv/bin/python bench/bulk_bench.py --format pdf --n 1000 [--join-group 25] [--baseline-group 1]
    .venv/bin/python bench/bulk_bench.py --format pdf --n 1000 --base <git ref> [--rounds 2]
    .venv/bin/python bench/bulk_bench.py --n 27000 --base <git ref>
    .venv/bin/python bench/bulk_bench.py --n 3000 [--base <git ref>] --profile <folder>
    .venv/bin/python bench/bulk_bench.py --n 27000 --base <git ref> --distinct-tables
    .venv/bin/python bench/bulk_bench.py --format pdf --n 1000 --base <git ref> --rounds 2 --plain 0 --warm 50
    .venv/bin/python bench/bulk_bench.py --format pdf --n 1000 --warm 50 --profile <folder> --profile-active

Runs a real Redis (appendonly), N bulk RQ worker processes and the web app in this process;
prints documents per second end to end, the same for plain docxtpl rendering the same
template and data in one process, the ratio, and the workers' memory over the run. With
--format pdf: the same batch as PDFs, items converted --join-group per LibreOffice load, next to
--baseline-group (1: each alone), and the ratio. With --base REF: the same batch through workers
running the code of git revision REF (exported to a temporary folder), then through this
tree's, and the ratio: a paired measurement of a change on a machine whose load varies. With
--format pdf --base REF: --rounds rounds of base then this tree, alternately, each printed with
the load average, then the medians and their ratio.
Each run also prints the timeline (submit, every item ended, archive built) and the CPU per
document of the bulk workers with their horses, of Redis and of the web process (from /proc:
the figure the machine's load changes least). With --profile: py-spy samples every worker and
its horses (wall time, idle included) into raw stack files, one per worker. With --distinct-tables
every item has its own targets and budget lines (by default all items share the example's tables,
which the column fitting's cache of fitted tables then makes once per chunk).
The measured batch starts once the workers have registered with RQ (their imports done); the CPU per
PDF by process counts from its submit. With --warm N a batch of N items runs first, unmeasured, so
the LibreOffices are started and the templates prepared, as in a worker that has run before: the
figures are then the steady state of a long batch. --profile-active samples only running threads.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docxtpl import DocxTemplate  # noqa: E402

from config.settings import Settings  # noqa: E402
from sakip.envelope import parse_document_request  # noqa: E402
from service.app import create_app  # noqa: E402
from storage.redis_server import RedisServer  # noqa: E402
from storage.templates import TemplateRegistry  # noqa: E402
from tests.processes import descendants, stat_fields  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: set[int]) -> float:
    """CPU time of ``pids`` and of their children already reaped (a worker's finished horses)."""
    total = 0
    for pid in pids:
        if (fields := stat_fields(pid)) is not None:
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / TICK


def _items(n: int, distinct_tables: bool = False) -> list[dict]:
    """N PKs of the jpt example, each its own person and agency so names and files differ; with
    ``distinct_tables`` also its own targets and budget (no two documents share a table, so the
    column fitting's cache of fitted tables never hits)."""
    data = json.loads((ROOT / "examples" / "pk-jpt.json").read_text())["data"]
    items = []
    for i in range(n):
        item = json.loads(json.dumps(data))
        item["pihak_pertama"]["nama"] = f"Pegawai Nomor {i}, S.T."
        item["pihak_pertama"]["nip"] = f"19800101{2000 + i % 20:04d}01{1 + i % 2}{i % 1000:03d}"  # a well-formed NIP
        item["instansi"]["nama"] = f"Dinas Contoh {i % 45}"
        if distinct_tables:
            item["sasaran"][0]["uraian"] += f" di unit {i}"
            item["anggaran"][0]["jumlah"] += 1000 * i
        items.append({"ref": f"P{i:05d}", "data": item})
    return items


def plain_docxtpl_rate(count: int) -> float:
    """Documents per second of plain docxtpl on the shipped PK template, one process."""
    template = TemplateRegistry(ROOT / "doctypes").get("pk")
    body = json.loads((ROOT / "examples" / "pk-jpt.json").read_text(), parse_float=Decimal)
    valid = parse_document_request(body)
    context = valid.doctype.context(valid.data)
    start = time.perf_counter()
    for _ in range(count):
        doc = DocxTemplate(template.path)
        doc.render(context, autoescape=True)
        doc.save(io.BytesIO())
    return count / (time.perf_counter() - start)


def _rss_mb(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _process_cpu(pid: int, children: bool) -> tuple[str, float] | None:
    """(command name, CPU seconds) of ``pid``, with those of its reaped children when ``children``."""
    try:
        head, _, rest = Path(f"/proc/{pid}/stat").read_text().rpartition(")")
    except OSError:
        return None
    fields = rest.split()
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return head.partition("(")[2], ticks / os.sysconf("SC_CLK_TCK")


def _cpu_by_kind(workers: set[int], data_dir: Path) -> dict[str, tuple[int, float]]:
    """CPU seconds so far of the bulk workers (with their finished work horses), their converter
    hosts (which outlive the horse that started them; with their recycled LibreOffices) and the
    running LibreOffices, by pid: sampled during a PDF batch to say where its CPU time went."""
    from workers.convert import converter_state_dir

    state_dir = str(converter_state_dir(data_dir)).encode()
    found: dict[str, tuple[int, float]] = {}
    for pid in workers:
        if (cpu := _process_cpu(pid, children=True)) is not None:
            found[f"workers (Python):{pid}"] = (pid, cpu[1])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if state_dir in cmdline and b"converter_host.py" in cmdline:
            pid = int(entry.name)
            if (cpu := _process_cpu(pid, children=True)) is not None:
                found[f"converter hosts:{pid}"] = (pid, cpu[1])
            for child in descendants(pid):
                if (cpu := _process_cpu(child, children=False)) is not None and cpu[0] == "soffice.bin":
                    found[f"LibreOffice:{child}"] = (child, cpu[1])
    return found


def export_revision(ref: str, target: Path) -> Path:
    """The tree of git revision ``ref`` in ``target``: workers started there run its code."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


PROFILE_IDLE = True
"""--profile samples idle threads too (wall time); --profile-active only running ones (about CPU)."""


def _worker_command(profile: Path | None, number: int) -> list[str]:
    """A bulk worker, or (``profile``) the same under py-spy sampling it and its horses, raw stacks."""
    command = [sys.executable, "-m", "workers", "--bulk"]
    if profile is None:
        return command
    profile.mkdir(parents=True, exist_ok=True)
    idle = ["--idle"] if PROFILE_IDLE else []
    return [str(Path(sys.executable).parent / "py-spy"), "record", "--subprocesses", *idle, "--format", "raw",
            "--rate", "250", "-o", str(profile / f"worker-{number}.txt"), "--", *command]


def _wait_registered(redis_url: str, workers: int, deadline: float = 120.0) -> None:
    """Until the bulk workers have registered with RQ (their imports done), so their start is not the batch's."""
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(redis_url)
    end = time.monotonic() + deadline
    while Worker.count(connection=connection) < workers:
        if time.monotonic() > end:
            raise RuntimeError(f"{workers} bulk workers did not register within {deadline:.0f} s")
        time.sleep(0.1)


def _run_batch(client: Any, fmt: str, items: list[dict]) -> None:
    """A batch submitted and waited for until its archive is ready (the warm-up)."""
    response = client.post("/api/v1/batches", data=json.dumps({"type": "pk", "format": fmt, "items": items}),
                           content_type="application/json")
    batch_id = response.json["id"]
    while not client.get(f"/api/v1/batches/{batch_id}").json["archive_ready"]:
        time.sleep(0.25)


def bulk_rate(n: int, workers: int, fmt: str = "docx", join_group: int | None = None,
              code: Path = ROOT, label: str = "", profile: Path | None = None, distinct_tables: bool = False,
              warm: int = 0) -> float:
    with tempfile.TemporaryDirectory(dir=ROOT / "var" if (ROOT / "var").is_dir() else None) as tmp:
        data_dir = Path(tmp) / "var"
        redis = RedisServer(Path(tmp) / "redis").start()
        env = dict(os.environ, DOCGEN_REDIS_URL=redis.url, DOCGEN_DATA_DIR=str(data_dir),
                   DOCGEN_BULK_WORKERS=str(workers))  # each worker's share of the cores (PDF converters)
        if join_group is not None:
            env["DOCGEN_PDF_JOIN_GROUP"] = str(join_group)
        procs = [subprocess.Popen(_worker_command(profile, number), cwd=code, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for number in range(workers)]
        samples: list[float] = []
        cpu: dict[str, tuple[int, float]] = {}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                pids = {p.pid for p in procs}
                for p in procs:
                    pids |= descendants(p.pid)
                samples.append(_rss_mb(pids))
                if fmt == "pdf":
                    cpu.update(_cpu_by_kind({p.pid for p in procs}, data_dir))
                time.sleep(1)

        sampler = threading.Thread(target=sample, daemon=True)
        try:
            time.sleep(2)  # workers up
            client = create_app(Settings(redis_url=redis.url, data_dir=data_dir)).test_client()
            _wait_registered(redis.url, workers)
            if warm:
                _run_batch(client, fmt, _items(warm, distinct_tables))
            # CPU spent before the batch (imports, a warm-up batch with LibreOffice's start) is not the batch's.
            before = _cpu_by_kind({p.pid for p in procs}, data_dir) if fmt == "pdf" else {}
            body = json.dumps({"type": "pk", "format": fmt, "items": _items(n, distinct_tables)}).encode()
            sampler.start()
            workers_cpu = _cpu_seconds({p.pid for p in procs})
            redis_cpu = _cpu_seconds({redis.process.pid})
            web_cpu = time.process_time()
            start = time.perf_counter()
            response = client.post("/api/v1/batches", data=body, content_type="application/json")
            submitted = time.perf_counter() - start
            batch_id = response.json["id"]
            ended = None
            while True:
                status = client.get(f"/api/v1/batches/{batch_id}").json
                if ended is None and status["finished"] + status["failed"] >= n:
                    ended = time.perf_counter() - start
                if status["archive_ready"]:
                    break
                time.sleep(0.25)
            total = time.perf_counter() - start
            ended = total if ended is None else ended
            web_cpu = time.process_time() - web_cpu
            alive = {p.pid for p in procs} | {c for p in procs for c in descendants(p.pid)}
            workers_cpu = _cpu_seconds(alive) - workers_cpu
            redis_cpu = _cpu_seconds({redis.process.pid}) - redis_cpu
            archive = data_dir / "batches" / batch_id / "archive.zip"
            joined = f", {join_group} per LibreOffice load" if fmt == "pdf" else ""
            print(f"{label}bulk end to end: {n} PK {fmt.upper()}s{joined}, {workers} bulk workers: "
                  f"submit {submitted:.1f} s, "
                  f"archive ready after {total:.1f} s -> {n / total:.0f} documents/s "
                  f"(finished {status['finished']}, failed {status['failed']}, "
                  f"archive {archive.stat().st_size / 1e6:.0f} MB)")
            print(f"timeline: submit {submitted:.1f} s, every item ended after {ended:.1f} s, archive built in "
                  f"{total - ended:.1f} s (polled every 0.25 s)")
            print(f"CPU per document: bulk workers and their horses {1000 * workers_cpu / n:.2f} ms, "
                  f"Redis {1000 * redis_cpu / n:.2f} ms, web process (submit, status polls) "
                  f"{1000 * web_cpu / n:.2f} ms; load average {os.getloadavg()[0]:.1f}")
            if fmt == "pdf":
                cpu.update(_cpu_by_kind({p.pid for p in procs}, data_dir))
                kinds: dict[str, float] = {}
                for key, (_, seconds) in cpu.items():
                    seconds -= before.get(key, (0, 0.0))[1]
                    kinds[key.partition(":")[0]] = kinds.get(key.partition(":")[0], 0.0) + seconds
                spent = sum(kinds.values())
                print(f"{label}CPU per PDF: " + ", ".join(f"{kind} {seconds / n * 1000:.1f} ms"
                                                          for kind, seconds in sorted(kinds.items()))
                      + f"; total {spent / n * 1000:.1f} ms -> {os.cpu_count()} idle cores would make "
                        f"~{(os.cpu_count() or 1) * n / spent:.0f} PDFs/s")
            if samples:
                third = max(1, len(samples) // 3)
                print(f"worker memory (RSS, all worker processes): first third max {max(samples[:third]):.0f} MB, "
                      f"last third max {max(samples[-third:]):.0f} MB")
        finally:
            stop.set()
            children = {c for p in procs for c in descendants(p.pid)}
            for p in procs:
                # py-spy writes its profile on SIGINT
                p.send_signal(signal.SIGINT) if profile is not None else p.terminate()
            for p in procs:
                p.wait()
            for pid in children:  # the workers py-spy started
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            redis.stop()
    return n / total


def pdf_paired(args: argparse.Namespace) -> None:
    """PDF batches of base and this tree, alternately (interleaved, as the load moves), medians and ratio."""
    rates: dict[str, list[float]] = {"base": [], "ours": []}
    with tempfile.TemporaryDirectory() as tmp:
        base_tree = export_revision(args.base, Path(tmp) / "base")
        for number in range(1, args.rounds + 1):
            for name, code, label in (("base", base_tree, f"base {args.base}"), ("ours", ROOT, "this tree")):
                load = os.getloadavg()[0]
                rates[name].append(bulk_rate(args.n, args.workers, "pdf", args.join_group, code=code,
                                             label=f"round {number}, {label} (load {load:.1f}): ", warm=args.warm))
    base, ours = statistics.median(rates["base"]), statistics.median(rates["ours"])
    print(f"PDF batch, {args.n} PKs, {args.join_group} per LibreOffice load, {args.workers} bulk workers, "
          f"median of {args.rounds}: base {args.base} {base:.1f} PDFs/s, this tree {ours:.1f} PDFs/s, "
          f"ratio {ours / base:.2f}x (load average {os.getloadavg()[0]:.1f} at the end)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--plain", type=int, default=200)
    parser.add_argument("--format", choices=["docx", "pdf"], default="docx")
    parser.add_argument("--join-group", type=int, default=25)
    parser.add_argument("--baseline-group", type=int, default=1)
    parser.add_argument("--base", help="git revision to measure first, with the same batch (paired run)")
    parser.add_argument("--profile", type=Path,
                        help="folder: sample the bulk workers and their horses with py-spy (raw stacks per worker; "
                             "with --base in FOLDER/base and FOLDER/this); the batch alone, no plain docxtpl")
    parser.add_argument("--warm", type=int, default=0,
                        help="a batch of this many items first, not measured (LibreOffice started, templates prepared)")
    parser.add_argument("--profile-active", action="store_true",
                        help="with --profile: sample only threads that run (CPU), not the idle ones")
    parser.add_argument("--rounds", type=int, default=1, help="with --format pdf --base: base/this tree rounds")
    parser.add_argument("--distinct-tables", action="store_true",
                        help="every item its own targets and budget lines (no two documents share a table)")
    args = parser.parse_args()
    if args.profile_active:
        global PROFILE_IDLE
        PROFILE_IDLE = False
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    if args.base and args.format == "pdf":
        pdf_paired(args)
        return
    if args.base:
        with tempfile.TemporaryDirectory() as tmp:
            base_tree = export_revision(args.base, Path(tmp) / "base")
            base = bulk_rate(args.n, args.workers, args.format, args.join_group, code=base_tree,
                             label=f"base {args.base}: ", profile=args.profile and args.profile / "base",
                             distinct_tables=args.distinct_tables)
            ours = bulk_rate(args.n, args.workers, args.format, args.join_group, label="this tree: ",
                             profile=args.profile and args.profile / "this", distinct_tables=args.distinct_tables)
        print(f"ratio this tree / base {args.base}: {ours / base:.2f}x "
              f"(load average {os.getloadavg()[0]:.1f} at the end)")
        return
    if args.profile and not args.base:
        bulk_rate(args.n, args.workers, args.format, args.join_group, profile=args.profile,
                  distinct_tables=args.distinct_tables, warm=args.warm)
        return
    if args.format == "pdf":
        ours = bulk_rate(args.n, args.workers, "pdf", args.join_group)
        baseline = bulk_rate(args.n, args.workers, "pdf", args.baseline_group)
        print(f"ratio {args.join_group} per load / {args.baseline_group} per load: {ours / baseline:.1f}x")
        return
    plain = plain_docxtpl_rate(args.plain) if args.plain else 0.0
    if plain:
        print(f"plain docxtpl, one process: {plain:.1f} documents/s ({args.plain} renders)")
    ours = bulk_rate(args.n, args.workers, distinct_tables=args.distinct_tables)
    if plain:  # --plain 0: this tree alone
        print(f"ratio end to end / plain docxtpl: {ours / plain:.1f}x")


if __name__ == "__main__":
    main()
