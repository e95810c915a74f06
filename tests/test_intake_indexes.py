"""Migration 0005: a queued record is written to fewer indexes (the status and year listings'
indexes hold ended records and records with a year only), and every listing still finds exactly
its documents, through an index, on SQLite and PostgreSQL; a database at 0004 with documents in it
upgrades (and downgrades) keeping its listings right."""

from __future__ import annotations

import json
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, select

from storage.database import close_database
from storage.database.engine import Database
from storage.database.migrate import _config, head_revision
from storage.database.paging import newest_first
from storage.records import _LISTED, DOCUMENTS, ENDED_CONDITION, IN_FLIGHT, IN_FLIGHT_CONDITION, RecordStore, StoredFile

pytestmark = pytest.mark.both_databases

PARTIAL = {"ix_documents_status_created": "status", "ix_documents_client_status_created": "status",
           "ix_documents_year_created": "year", "ix_documents_client_year_created": "year"}


def _fill(store: RecordStore) -> dict[str, set[str]]:
    """Documents of two clients in every state; the ids expected per listing."""
    summary = json.dumps({"tahun": 2026, "instansi": "Dinas Contoh", "pihak": {}})
    finished = {f"f{n:031x}": {"type": "pk", "formats": ["docx"], "client": f"c{n % 2}", "summary": summary,
                               "files": [StoredFile("docx", f"PK-{n}.docx", 10, "0" * 64)], "template_name": "pk",
                               "template_version": 1, "template_sha256": "0" * 64} for n in range(6)}
    store.put_finished_many(finished)
    for n in range(4):
        store.create(f"q{n:031x}", {"type": "pk", "formats": ["docx"], "client": f"c{n % 2}", "request": "{}"})
    store.mark_started(f"q{3:031x}", "worker-1", 1)
    store.mark_failed(f"f{5:031x}", "rusak")
    return {"queued": {f"q{n:031x}" for n in range(3)}, "started": {f"q{3:031x}"},
            "finished": {f"f{n:031x}" for n in range(5)}, "failed": {f"f{5:031x}"},
            "2026": {f"f{n:031x}" for n in range(6)}}


def _listed(store: RecordStore, **filters: Any) -> set[str]:
    return {record.id for record in store.list(limit=100, **filters)}


def _plan(store: RecordStore, status: str | None = None, **equal: Any) -> str:
    """The query plan of RecordStore.list's query for these filters."""
    query = newest_first(select(*_LISTED), DOCUMENTS, {"status": status, **equal}, limit=50)
    if status is not None:
        query = query.where(IN_FLIGHT_CONDITION if status in IN_FLIGHT else ENDED_CONDITION)
    with store.database.read() as connection:
        if store.database.dialect == "sqlite":
            compiled = query.compile(dialect=connection.dialect)
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled),
                                              tuple(compiled.params[k] for k in compiled.positiontup or ()))
            return "\n".join(row[-1] for row in rows)
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        literal = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
        return "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + literal.replace("%", "%%")))


def test_every_listing_finds_exactly_its_documents_through_an_index(records):
    expected = _fill(records)
    for status in ("queued", "started", "finished", "failed"):
        assert _listed(records, status=status) == expected[status], status
        assert _listed(records, status=status, client="c1") == {i for i in expected[status]
                                                                  if int(i[1:], 16) % 2 == 1}, status
    assert _listed(records, year=2026) == expected["2026"]
    assert _listed(records, year=2026, client="c0") == {i for i in expected["2026"] if int(i[1:], 16) % 2 == 0}
    assert _listed(records, status="finished", year=2026, doc_type="pk") == expected["finished"]
    assert len(_listed(records)) == 10
    plans = {"failed": _plan(records, "failed"), "finished c1": _plan(records, "finished", client="c1"),
             "queued": _plan(records, "queued"), "year": _plan(records, year=2026),
             "year c1": _plan(records, year=2026, client="c1")}
    assert "ix_documents_in_flight" in plans["queued"], plans
    assert "ix_documents_status_created" in plans["failed"] or "ix_documents_client_status_created" in plans["failed"]
    assert "status_created" in plans["finished c1"], plans
    assert "year_created" in plans["year"] and "year_created" in plans["year c1"], plans


def test_the_status_and_year_indexes_leave_queued_records_out(records):
    indexes = {ix["name"]: ix for ix in inspect(records.database.engine).get_indexes("documents")}
    for name, column in PARTIAL.items():
        where = str(indexes[name]["dialect_options"].get(f"{records.database.dialect}_where", ""))
        assert column in where.lower() and ("not null" in where.lower() or "queued" in where.lower()), (name, where)


def _upgrade_to(database: Database, revision: str) -> None:
    command.upgrade(_config(database), revision)


def test_a_database_at_0004_with_documents_upgrades_and_downgrades(database_kind, postgres_server_or_none, tmp_path):
    if database_kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = postgres_server_or_none.fresh_database()
    database = Database(url)
    try:
        _upgrade_to(database, "0004")
        store = RecordStore(database=database)
        expected = _fill(store)
        _upgrade_to(database, "head")
        assert head_revision() == "0005"
        for status in ("queued", "started", "finished", "failed"):
            assert _listed(store, status=status) == expected[status], status
        assert _listed(store, year=2026) == expected["2026"]
        command.downgrade(_config(database), "0004")
        assert _listed(store, status="queued") == expected["queued"]
        assert _listed(store, year=2026, client="c1") == {i for i in expected["2026"] if int(i[1:], 16) % 2 == 1}
    finally:
        database.dispose()
        close_database(url)


@pytest.fixture
def postgres_server_or_none(database_kind, request):
    """For PostgreSQL: the server, able to make a database no migration has touched."""
    if database_kind == "sqlite":
        yield None
        return
    import uuid

    import psycopg

    server = request.getfixturevalue("postgres_server")
    made: list[str] = []

    class _Fresh:
        @staticmethod
        def fresh_database() -> str:
            name = f"old_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(server.dsn("postgres"), autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {name}")
            made.append(name)
            return server.url.rsplit("/", 1)[0] + f"/{name}"

    yield _Fresh()
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as connection:
        for name in made:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
