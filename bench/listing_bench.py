"""GET /api/v1/documents at 1,000,000 documents: the first page and a deep page of listings with
filters, on the schema before the listing indexes (migration 0002) and after them (head), side by
side in one run, on SQLite and on PostgreSQL; with the query plans (EXPLAIN) of both.

    .venv/bin/python bench/listing_bench.py [--rows 1000000] [--database sqlite|postgresql|both]
                                            [--repeat 5]

The table is filled by bulk insert (executemany in chunks of 20,000) with a realistic mix: 40
client applications (one holds a third of the documents), 3 years of documents (2024-2026, the
year following the creation time), 90% PK, 80% from batches of 1,000 with a ref each, statuses
mostly finished (1% failed, 0.5% revoked, 3% signed), and one original file per document. A page
is timed through the store call the view makes (RecordStore.list: the page's rows and their
files), best of ``--repeat``; at head also through the Flask app (GET with the client's key).
A deep page starts after the row 90% of the way down that filter's listing (its ``before`` cursor).
PostgreSQL is a throw-away server (tests/postgres.py), ANALYZEd after the fill.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from storage.database.engine import Database  # noqa: E402
from storage.database.migrate import _config  # noqa: E402
from storage.database.models import Document, DocumentFile  # noqa: E402
from storage.database.paging import newest_first  # noqa: E402
from storage.records import RecordStore  # noqa: E402

CLIENTS = [f"app-{n:02d}" for n in range(40)]
BIG = CLIENTS[0]
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
SPAN_SECONDS = 3 * 365 * 86400
KEY = "key-big-0123456789abcdef"

QUERIES: dict[str, dict[str, Any]] = {
    "all of one client": {},
    "status=failed (rare)": {"status": "failed"},
    "status=finished&type=pk&year=2026": {"status": "finished", "doc_type": "pk", "year": 2026},
    "year=2024 (oldest year)": {"year": 2024},
    "type=lkjip": {"doc_type": "lkjip"},
    "created in January 2025": {"created_after": "2025-01-01T00:00:00Z", "created_before": "2025-02-01T00:00:00Z"},
    "ref=<one of the client's refs>": {"ref": None},
}
"""Each listing timed, as the big client calls it (RecordStore.list keyword arguments)."""


def _rows(count: int, seed: int = 7) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Documents and their files, in chunks."""
    rng = random.Random(seed)
    chunk: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    batch, in_batch = None, 1000
    for n in range(count):
        created = START + dt.timedelta(seconds=int(n * SPAN_SECONDS / count) + rng.randrange(0, 5))
        client = BIG if rng.random() < 0.33 else rng.choice(CLIENTS[1:])
        if rng.random() < 0.8:
            if in_batch >= 1000:
                batch, in_batch = f"{rng.getrandbits(128):032x}", 0
            in_batch += 1
            ref = f"R-{n % 1000000:06d}"
        else:
            batch, ref = None, None
        roll = rng.random()
        status = ("failed" if roll < 0.01 else "revoked" if roll < 0.015 else "signed" if roll < 0.045
                  else "finished")
        doc_id = f"{rng.getrandbits(128):032x}"
        chunk.append({"id": doc_id, "client": client, "type": "pk" if rng.random() < 0.9 else "lkjip",
                      "format": "docx", "formats": "docx", "status": status, "year": created.year,
                      "agency": "Dinas Komunikasi dan Informatika", "batch": batch if ref else None, "ref": ref,
                      "attempts": 1, "created_at": created, "started_at": created, "finished_at": created})
        files.append({"document_id": doc_id, "kind": "original", "extension": "docx", "position": 0,
                      "name": "PK-2026-Dinas.docx", "size": 40000, "sha256": f"{rng.getrandbits(256):064x}"})
        if len(chunk) == 20000:
            yield chunk, files
            chunk, files = [], []
    if chunk:
        yield chunk, files


def fill(database: Database, count: int) -> float:
    """Bulk insert ``count`` documents; seconds taken."""
    start = time.perf_counter()
    for documents, files in _rows(count):
        with database.write() as connection:
            connection.execute(insert(Document.__table__), documents)
            connection.execute(insert(DocumentFile.__table__), files)
    if database.dialect == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE documents"))
            connection.execute(text("ANALYZE document_files"))
    else:
        with database.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    return time.perf_counter() - start


def _best(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), result


def _deep_cursor(database: Database, filters: dict[str, Any]) -> tuple[str, str] | None:
    """(created_at, id) of the row 90% of the way down the big client's listing with ``filters``."""
    table = Document.__table__
    equal = {"client": BIG, "status": filters.get("status"), "type": filters.get("doc_type"),
             "year": filters.get("year"), "ref": filters.get("ref")}
    query = newest_first(select(table.c.id), table, equal, created_after=filters.get("created_after"),
                         created_before=filters.get("created_before"), limit=10**9).with_only_columns(func.count())
    with database.read() as connection:
        total = connection.execute(query.order_by(None).limit(None)).scalar() or 0
        if total < 2:
            return None
        deep = newest_first(select(table.c.created_at, table.c.id), table, equal,
                            created_after=filters.get("created_after"), created_before=filters.get("created_before"),
                            limit=1).offset(int(total * 0.9))
        row = connection.execute(deep).one()
    return row.created_at, row.id


def explain(database: Database, filters: dict[str, Any], before: tuple[str, str] | None) -> str:
    """The plan of the listing query, as the database says it."""
    table = Document.__table__
    query = newest_first(select(table.c.id), table,
                         {"client": BIG, "status": filters.get("status"), "type": filters.get("doc_type"),
                          "year": filters.get("year"), "ref": filters.get("ref")},
                         created_after=filters.get("created_after"), created_before=filters.get("created_before"),
                         before=before, limit=50)
    compiled = query.compile(database.engine)
    params = compiled.construct_params()
    processors = compiled._bind_processors  # the column types' own conversions (timestamps as stored)
    values = {name: processors[name](value) if name in processors else value for name, value in params.items()}
    prefix = "EXPLAIN QUERY PLAN " if database.dialect == "sqlite" else "EXPLAIN "
    with database.read() as connection:
        if compiled.positiontup is not None:  # SQLite's "?" parameters
            rows = connection.exec_driver_sql(prefix + str(compiled),
                                              tuple(values[name] for name in compiled.positiontup)).all()
        else:
            rows = connection.exec_driver_sql(prefix + str(compiled), values).all()
    return "\n".join("    " + " ".join(str(c) for c in row) for row in rows)


def measure(database: Database, label: str, repeat: int, show_plans: bool) -> dict[str, tuple[float, float]]:
    """Best first-page and deep-page time per query (ms)."""
    store = RecordStore(database=database)
    with database.read() as connection:
        QUERIES["ref=<one of the client's refs>"]["ref"] = connection.execute(text(
            "SELECT ref FROM documents WHERE client = :c AND ref IS NOT NULL ORDER BY ref LIMIT 1"),
            {"c": BIG}).scalar()
    results = {}
    for name, filters in QUERIES.items():
        first, page = _best(lambda filters=filters: store.list(client=BIG, limit=50, **filters), repeat)
        cursor = _deep_cursor(database, filters)
        deep = float("nan")
        if cursor is not None:
            deep, _ = _best(lambda filters=filters, cursor=cursor: store.list(client=BIG, limit=50, before=cursor,
                                                                              **filters), repeat)
        results[name] = (first, deep)
        print(f"  [{label}] {name:40s} first {first:9.2f} ms   deep {deep:9.2f} ms   ({len(page)} rows)", flush=True)
        if show_plans:
            print(explain(database, filters, cursor), flush=True)
    return results


def http_pages(url: str, data_dir: Path, repeat: int) -> None:
    """GET /api/v1/documents through the Flask app (the client's key), first and deep page."""
    from config.settings import Settings
    from service.app import create_app
    from storage.redis_server import RedisServer

    redis = RedisServer(data_dir / "redis", appendonly=False).start()
    try:
        settings = Settings(redis_url=redis.url, database_url=url, data_dir=data_dir,
                            api_keys=SecretStr(f"{BIG}:{KEY}"), public_url="http://docgen.bench")
        client = create_app(settings).test_client()
        logging.disable(logging.WARNING)  # the request log's line per GET would bury the figures
        headers = {"Authorization": f"Bearer {KEY}"}
        for path in ("/api/v1/documents?limit=50", "/api/v1/documents?status=failed&limit=50",
                     "/api/v1/documents?status=finished&type=pk&year=2026&limit=50",
                     "/api/v1/documents?year=2024&limit=50"):
            first, answer = _best(lambda path=path: client.get(path, headers=headers), repeat)
            assert answer.status_code == 200, answer.get_data(as_text=True)
            # ten pages deep by following `next`, then that page timed
            link, pages = answer.get_json()["next"], 1
            while pages < 10 and link:
                following = client.get(link.replace("http://docgen.bench", ""), headers=headers).get_json()["next"]
                if following is None:
                    break
                link, pages = following, pages + 1
            deep, answer = _best(lambda link=link: client.get(link.replace("http://docgen.bench", ""),
                                                               headers=headers), repeat)
            assert answer.status_code == 200 and answer.get_json()["items"]
            print(f"  [HTTP] GET {path:55s} first {first:8.2f} ms   page {pages + 1:2d} {deep:8.2f} ms", flush=True)
    finally:
        redis.stop()


@contextmanager
def database_url(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'docgen.db'}"
        return
    from tests.postgres import PostgresServer

    server = PostgresServer().start()
    try:
        yield server.url
    finally:
        server.stop()


def run(kind: str, rows: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, database_url(kind, Path(tmp)) as url:
        database = Database(url)
        command.upgrade(_config(database), "0002")  # the schema before the listing indexes
        print(f"\n== {kind}: filling {rows:,} documents (bulk insert) ...", flush=True)
        seconds = fill(database, rows)
        print(f"   filled in {seconds:.1f} s", flush=True)
        base = measure(database, "0002", repeat, show_plans=True)
        start = time.perf_counter()
        command.upgrade(_config(database), "head")
        if kind == "postgresql":
            with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE documents"))
        else:
            with database.engine.connect() as connection:
                connection.execute(text("ANALYZE"))
                connection.commit()
        print(f"   migration 0004 (the indexes) took {time.perf_counter() - start:.1f} s", flush=True)
        new = measure(database, "head", repeat, show_plans=True)
        print(f"\n   {kind}, {rows:,} documents: best of {repeat}, ms (0002 -> head)")
        for name in QUERIES:
            (bf, bd), (nf, nd) = base[name], new[name]
            print(f"   {name:40s} first {bf:8.2f} -> {nf:7.2f}   deep {bd:8.2f} -> {nd:7.2f}")
        database.dispose()
        http_pages(url, Path(tmp), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for kind in (["sqlite", "postgresql"] if args.database == "both" else [args.database]):
        run(kind, args.rows, args.repeat)


if __name__ == "__main__":
    main()
