"""Where one POST /api/v1/documents spends its time, in one process without HTTP: the Flask test
client posting examples/pk-jpt.json N times against a real Redis and a SQLite database; prints the
CPU time per POST (best of --repeat), the Redis round trips and SQL statements per POST, and a
cProfile table of the heaviest functions (cumulative and own time).

    .venv/bin/python bench/intake_profile.py [--n 400] [--repeat 5] [--top 30] [--tree PATH]
    .venv/bin/python bench/intake_profile.py --schemas [--n 2000] [--repeat 5]

``--tree`` profiles another checkout's app (e.g. `git archive` of the base) the same way.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--breakdown", action="store_true", help="time each step of the view and each request "
                        "hook (CPU and wall, ms per POST) instead of profiling")
    parser.add_argument("--callers", help="also print who calls the functions matching this name")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after the warm-up (as the web process does)")
    parser.add_argument("--schemas", action="store_true", help="instead: the record's INSERT (RecordStore.create) "
                        "on a database at migration 0004 and one at head, alternately; CPU per INSERT and ratio")
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree))
    os.chdir(args.tree)
    if args.schemas:
        _schemas(args)
        return
    from storage.redis_server import RedisServer

    with tempfile.TemporaryDirectory() as tmp:
        redis = RedisServer(Path(tmp) / "redis").start()
        try:
            os.environ.update(DOCGEN_REDIS_URL=redis.url, DOCGEN_DATA_DIR=str(Path(tmp) / "var"),
                              DOCGEN_DATABASE_URL=f"sqlite:///{Path(tmp) / 'var' / 'docgen.db'}",
                              DOCGEN_RATE_LIMIT_PER_MINUTE="0", DOCGEN_MAX_QUEUE_DEPTH="10000000")
            _profile(args)
        finally:
            redis.stop()


def _profile(args: argparse.Namespace) -> None:
    import logging

    from redis.connection import Connection
    from sqlalchemy import event

    from service.app import create_app

    app = create_app()
    logging.getLogger().handlers[0].stream = open(os.devnull, "w")
    client = app.test_client()
    body = (ROOT / "examples" / "pk-jpt.json").read_bytes()
    headers = {"Content-Type": "application/json"}

    def post() -> None:
        response = client.post("/api/v1/documents", data=body, headers=headers)
        assert response.status_code == 202, response.get_data(as_text=True)

    for _ in range(50):
        post()
    if args.breakdown:
        _breakdown(app, post, args.n * args.repeat)
        return
    if args.freeze:
        gc.freeze()
    best = float("inf")
    for _ in range(args.repeat):
        start = time.process_time()
        for _ in range(args.n):
            post()
        best = min(best, (time.process_time() - start) / args.n)
    print(f"CPU per POST (this process; best of {args.repeat} x {args.n}): {best * 1000:.3f} ms")
    gc_time, started = [0.0, 0], [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            gc_time[0] += time.perf_counter() - started[0]
            gc_time[1] += info["generation"] == 2

    gc.callbacks.append(on_gc)
    for _ in range(args.n):
        post()
    gc.callbacks.remove(on_gc)
    print(f"garbage collection per POST: {gc_time[0] * 1000 / args.n:.3f} ms ({gc_time[1]} full collections in "
          f"{args.n} POSTs; {len(gc.get_objects())} objects tracked)")

    trips = [0]
    original = Connection.send_packed_command

    def counted(self, command, check_health=True):
        trips[0] += 1
        return original(self, command, check_health)

    Connection.send_packed_command = counted
    statements: list[str] = []
    engine = app.extensions["docgen"].records.database.engine
    # SQLite's own trace (the intake's INSERT runs on the driver's connection, past SQLAlchemy's events)
    event.listen(engine, "connect", lambda connection, _record: connection.set_trace_callback(
        lambda sql: statements.append(sql.split()[0].upper())))
    engine.dispose()
    post()  # opens the traced connection
    statements.clear()
    for _ in range(100):
        post()
    Connection.send_packed_command = original
    kinds = {k: statements.count(k) / 100 for k in sorted(set(statements))}
    print(f"per POST: {trips[0] / 100:.2f} Redis round trips, {len(statements) / 100:.2f} SQL statements {kinds}")

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        post()
    profile.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())
    if args.callers:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).print_callers(args.callers)
        print(out.getvalue())


def _schemas(args: argparse.Namespace) -> None:
    """The intake's INSERT, the same code on the schema before migration 0005 (a queued record wrote
    8 indexes) and at head (4): --repeat rounds alternating, --n records each, best CPU per INSERT."""
    import logging
    import uuid

    from alembic import command

    from storage.database.engine import Database
    from storage.database.migrate import _config
    from storage.records import RecordStore

    logging.disable(logging.INFO)
    body = (ROOT / "examples" / "pk-jpt.json").read_text()
    fields = {"type": "pk", "formats": ["docx"], "template_name": "pk", "template_version": 1,
              "template_sha256": "0" * 64, "request": body, "client": "", "callback_url": "", "warnings": "[]"}
    with tempfile.TemporaryDirectory() as tmp:
        stores = {}
        for revision in ("0004", "head"):
            database = Database(f"sqlite:///{Path(tmp) / revision}.db")
            command.upgrade(_config(database), revision)
            stores[revision] = RecordStore(database=database)
        best = {revision: float("inf") for revision in stores}
        for _ in range(args.repeat):
            for revision, store in stores.items():
                start = time.process_time()
                for _ in range(args.n):
                    store.create(uuid.uuid4().hex, fields)
                best[revision] = min(best[revision], (time.process_time() - start) / args.n)
        for revision, seconds in best.items():
            print(f"INSERT of a queued record, schema {revision:4}: {seconds * 1000:.3f} ms CPU "
                  f"(best of {args.repeat} x {args.n})")
        print(f"ratio head/0004: {best['head'] / best['0004']:.2f}x")


STEPS = ("read_json_body", "Idempotency", "_expanded", "parse_document_request", "check_asset_refs", "check_pk_awal",
         "check_queue_depth", "quality_warnings", "_checked_callback", "warnings_for_client", "enqueue_render",
         "preferred_wait")
"""Names the view (service.documents.submit) calls, timed one by one."""


def _breakdown(app, post, n: int) -> None:
    """CPU and wall ms per POST of each step of the view, each request hook, the record's INSERT
    and the Redis transaction, against the whole request through the test client."""
    import functools

    from redis.client import Pipeline

    from service import documents
    from storage.records import RecordStore
    from storage.templates import TemplateRegistry

    spent: dict[str, list[float]] = {}

    def timed(name: str, function):
        @functools.wraps(function)
        def wrapper(*a, **k):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                entry = spent.setdefault(name, [0.0, 0.0])
                entry[0] += time.process_time() - cpu
                entry[1] += time.perf_counter() - wall
        return wrapper

    for name in STEPS:
        setattr(documents, name, timed(name, getattr(documents, name)))
    RecordStore.create = timed("records.create (INSERT)", RecordStore.create)
    TemplateRegistry.get = timed("templates.get", TemplateRegistry.get)
    Pipeline.execute = timed("Redis pipelines (execute)", Pipeline.execute)
    for _key, functions in app.before_request_funcs.items():
        functions[:] = [timed(f"before_request {f.__module__}.{f.__name__}", f) for f in functions]
    for _key, functions in app.after_request_funcs.items():
        functions[:] = [timed(f"after_request {f.__module__}.{f.__name__}", f) for f in functions]
    app.view_functions["documents.submit"] = timed("view submit (all of it)", app.view_functions["documents.submit"])
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        post()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{'':52} {'CPU ms':>8} {'wall ms':>8}  per POST, {n} POSTs")
    print(f"{'whole request (test client, Flask, hooks, view)':52} {cpu * 1000 / n:8.3f} {wall * 1000 / n:8.3f}")
    for name, (c, w) in sorted(spent.items(), key=lambda kv: -kv[1][0]):
        print(f"{name:52} {c * 1000 / n:8.3f} {w * 1000 / n:8.3f}")


if __name__ == "__main__":
    main()
