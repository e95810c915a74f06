"""One in-process document worker draining N queued single PKs, counted from inside (run by
bench/single_bench.py `count`, once per tree, with PYTHONPATH set to the tree measured):

    PYTHONPATH=<tree> .venv/bin/python bench/single_probe.py N WORKDIR

Prints one JSON line: documents/s, the worker process's CPU per document (all its threads) and
Redis's, Redis round trips (requests sent by the worker's client), Redis commands (INFO
commandstats) and SQL statements (SQLite's trace callback: BEGIN and COMMIT included, whether run
through SQLAlchemy or the driver directly) per document,
and the CPU per document of the worker's parts (thread CPU inside named functions; nested parts
are also inside the ones that call them). Only names the tree has are measured, so an older tree
runs too.
"""

from __future__ import annotations

import collections
import functools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

WARM_JOBS = 5
"""Jobs run before measuring: imports, the first render's lazily made things, connections."""


def _redis_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    n, workdir = int(sys.argv[1]), Path(sys.argv[2])
    from storage.redis_server import RedisServer

    redis = RedisServer(workdir / "redis").start()
    os.environ.update(DOCGEN_REDIS_URL=redis.url, DOCGEN_DATA_DIR=str(workdir / "var"),
                      DOCGEN_MAX_QUEUE_DEPTH="0", DOCGEN_RATE_LIMIT_PER_MINUTE="0", DOCGEN_WORKER_FORK="false")
    try:
        print(json.dumps(_measure(n, redis)), flush=True)
    finally:
        redis.stop()


def _measure(n: int, redis: Any) -> dict[str, Any]:
    import redis.connection as redis_connection
    from redis import Redis
    from sqlalchemy import event

    import workers.__main__
    from config.settings import get_settings
    from service.app import create_app
    from storage.database import database_for
    from workers import jobs
    from workers.warm import InProcessWorker

    settings = get_settings()
    client = create_app(settings).test_client()
    body = json.loads((Path(__file__).resolve().parent.parent / "examples" / "pk-jpt.json").read_text())
    for _ in range(n + WARM_JOBS):
        assert client.post("/api/v1/documents", json=body).status_code == 202

    parts: dict[str, float] = collections.defaultdict(float)
    probed: list[str] = []

    def probe(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                parts[label] += time.thread_time() - started

        setattr(owner, name, timed)
        probed.append(label)

    import storage.records
    import workers.warm

    probe(jobs, "render_document", "render_document (the job)")
    probe(jobs, "produce_files", "  produce_files (validate, context, QR, render)")
    probe(jobs, "write_atomic", "  write_atomic (file, fsync)")
    for name in ("get", "mark_started", "mark_started_unless_signed", "mark_finished"):
        probe(storage.records.RecordStore, name, f"  record: {name}")
    probe(workers.warm, "prepare_active_templates", "prepare_active_templates")
    worker_class = workers.warm.InProcessWorker  # its own methods where it has them, else RQ's
    for name in ("dequeue_job_and_maintain_ttl", "prepare_execution", "prepare_job_execution",
                 "handle_execution_ended", "handle_job_success", "heartbeat", "set_state"):
        probe(worker_class, name, f"rq: {name}")

    import logging
    import threading

    import rq.executions
    import rq.job
    import rq.results
    import rq.timeouts

    probe(jobs, "finished_fields", "  finished_fields (file hash, summary JSON)")
    probe(jobs, "load_request", "  load_request (the request's JSON)")
    import workers.prepared
    import workers.produce

    for name in ("parse_document_request", "qr_png", "render_prepared"):
        probe(workers.produce, name, f"    {name}")
    probe(workers.prepared, "fit_columns", "      fit_columns")
    probe(rq.job.Job, "restore", "rq: Job.restore (the dequeued job's hash parsed)")
    probe(rq.job.Job, "save", "rq: Job.save (the job's hash written again)")
    probe(rq.results.Result, "create", "rq: Result.create (the result stream entry)")
    probe(rq.executions.Execution, "create", "rq: Execution.create")
    probe(rq.timeouts.UnixSignalDeathPenalty, "setup_death_penalty", "rq: job time limit set (SIGALRM)")
    probe(rq.timeouts.UnixSignalDeathPenalty, "cancel_death_penalty", "rq: job time limit cancelled")
    probe(threading.Thread, "start", "thread start (the job's heartbeat)")
    probe(threading.Thread, "join", "thread join (the job's heartbeat)")
    probe(logging.Logger, "handle", "log lines (formatting, writing)")
    round_trips = [0]
    send = redis_connection.AbstractConnection.send_packed_command

    def counted_send(self: Any, *args: Any, **kwargs: Any) -> Any:
        round_trips[0] += 1
        return send(self, *args, **kwargs)

    redis_connection.AbstractConnection.send_packed_command = counted_send  # type: ignore[method-assign]
    statements: collections.Counter[str] = collections.Counter()
    engine = database_for(settings.database_url).engine

    def traced(dbapi_connection: Any, _record: Any) -> None:
        # SQLite's own trace: every statement run, whether through SQLAlchemy or the driver directly
        dbapi_connection.set_trace_callback(lambda sql: statements.update([sql.split(None, 1)[0].upper()]))

    event.listen(engine, "connect", traced)
    engine.dispose()  # the intake's pooled connections are opened again, traced

    connection = Redis.from_url(settings.redis_url)
    worker = InProcessWorker([settings.queue], connection=connection,
                             maintenance_interval=settings.worker_maintenance_interval,
                             worker_ttl=settings.worker_ttl,
                             job_monitoring_interval=settings.job_monitoring_interval,
                             work_horse_killed_handler=jobs.on_horse_killed)
    worker.work(burst=True, max_jobs=WARM_JOBS)
    parts.clear()
    statements.clear()
    round_trips[0] = 0
    commands_before = connection.info("commandstats")
    redis_before = _redis_cpu(redis.process.pid)
    wall, cpu = time.perf_counter(), time.process_time()
    worker.work(burst=True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    redis_cpu = _redis_cpu(redis.process.pid) - redis_before
    commands_after = connection.info("commandstats")
    commands = sum(v["calls"] for v in commands_after.values()) - sum(v["calls"] for v in commands_before.values()) - 1
    return {
        "documents_per_second": n / wall,
        "worker_cpu_ms": cpu * 1000 / n,
        "redis_cpu_ms": redis_cpu * 1000 / n,
        "round_trips": round_trips[0] / n,
        "redis_commands": commands / n,
        "sql_statements": sum(statements.values()) / n,
        "sql_by_kind": {k: v / n for k, v in sorted(statements.items())},
        "parts_ms": {k: parts.get(k, 0.0) * 1000 / n for k in probed},
        "load": os.getloadavg()[0],
    }


if __name__ == "__main__":
    main()
