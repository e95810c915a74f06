"""Batch records: the batch hash, its chunks of items, and each item's result in Redis; the batch as
accepted (its fields and chunks) and, once archived, its outcome in the database, so a lost Redis
can be rebuilt (workers/reconcile.py) and an archived batch still answers.

Items are counted once, exactly: a result is recorded with HSETNX inside a Lua script that
bumps the counters only for a new result, so a chunk re-run after a crash can't count an
item twice. The script tells the caller whether every item has ended; the archive job that
follows is enqueued with a fixed id and RQ's unique flag, so it runs once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from redis import Redis
from redis.client import Pipeline
from sqlalchemy import delete, func, insert, select, update

from storage.database import Batch, BatchChunk, Database, Document, database_for
from storage.database.paging import newest_first
from storage.record_types import BatchRecord, migrate_batch
from storage.records import DOWNLOADABLE, utcnow

__all__ = ["BatchRecord", "BatchStatus", "BatchStore", "ItemResult", "archive_path", "progress"]

KEY_PREFIX = "docgen:batch:"
"""Prefix of every key of a batch."""

_RECORD_RESULTS = """
local batch, results, chunkdone = KEYS[1], KEYS[2], KEYS[3]
local chunk, now = ARGV[1], ARGV[2]
local newly = 0
for i = 3, #ARGV, 4 do
  if redis.call('HSETNX', results, ARGV[i], ARGV[i + 2]) == 1 then
    redis.call('HINCRBY', batch, ARGV[i + 1], 1)
    redis.call('HINCRBY', chunkdone, chunk, 1)
    if ARGV[i + 3] == '1' then
      redis.call('HINCRBY', batch, 'warned', 1)
    end
    newly = newly + 1
  end
end
local ended = tonumber(redis.call('HGET', batch, 'finished')) + tonumber(redis.call('HGET', batch, 'failed'))
if ended >= tonumber(redis.call('HGET', batch, 'total')) then
  redis.call('HSETNX', batch, 'last_item_at', now)
  return 1
end
return 0
"""


def archive_path(data_dir: Path, batch_id: str) -> Path:
    """Where a batch's ZIP is built: beside the documents, on the shared volume."""
    return data_dir / "batches" / batch_id / "archive.zip"


def progress(record: BatchRecord) -> float:
    """Percent of the batch's items that have ended (finished or failed), one decimal."""
    total = record.total
    return round(100 * (record.finished + record.failed) / total, 1) if total else 100.0


class BatchStatus(StrEnum):
    """A batch runs until every item has ended, then the archive is built."""

    RUNNING = "running"
    FINISHED = "finished"


@dataclass(frozen=True)
class ItemResult:
    """How one item ended: its document id and file, or why it failed."""

    index: int
    ref: str
    status: str  # "finished" | "failed"
    doc_id: str = ""
    file: str = ""
    sha256: str = ""
    size: int = 0
    error: str = ""
    errors: list[dict[str, Any]] | None = None
    warnings: list[dict[str, Any]] | None = None
    crc32: int | None = None
    """The file's CRC-32 (the archive's entry header needs it; computed while the bytes are in memory)."""

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in self.__dict__.items() if v not in ("", None, 0) or k == "index"},
                          ensure_ascii=False)


class BatchStore:
    """Reads and writes batches; every key gets the batch's time to live."""

    def __init__(self, connection: Redis, ttl_seconds: int, database: Database | None = None) -> None:
        self.connection = connection
        self.ttl_seconds = ttl_seconds
        self._record = connection.register_script(_RECORD_RESULTS)
        if database is None:
            from config.settings import get_settings

            database = database_for(get_settings().database_url)
        self.database = database

    @staticmethod
    def key(batch_id: str, suffix: str = "") -> str:
        return KEY_PREFIX + batch_id + (f":{suffix}" if suffix else "")

    def _keys(self, batch_id: str) -> list[str]:
        return [self.key(batch_id, s) for s in ("", "results", "chunkdone", "running")]

    def create(self, batch_id: str, fields: dict[str, Any], chunks: list[str], pipeline: Pipeline) -> BatchRecord:
        """The batch record (``fields`` named as BatchRecord names them) and its chunks (each a JSON
        list of items): committed to the database now, written to Redis in the caller's transaction."""
        record = migrate_batch({**fields, "id": batch_id, "status": BatchStatus.RUNNING.value,
                                "created_at": utcnow(), "chunks": len(chunks)})
        self._insert(record, chunks)
        self._restore(record, chunks, pipeline)
        return record

    def _insert(self, record: BatchRecord, chunks: list[str], outcome: dict[str, Any] | None = None) -> None:
        columns = {c.name for c in Batch.__table__.columns} - {"extra"}
        fields = record.to_fields()
        row = {k: v for k, v in fields.items() if k in columns and v is not None} | {"format": record.format}
        # counts live in Redis while the batch runs; the database gets them when it is archived
        extra: dict[str, Any] = {k: v for k, v in record.to_redis().items()
                                 if k not in columns and k not in ("formats", "finished", "failed", "warned")}
        extra.update(outcome or {})
        with self.database.write() as connection:
            connection.execute(insert(Batch.__table__).values(**row, extra=json.dumps(extra, ensure_ascii=False)))
            if chunks:
                connection.execute(insert(BatchChunk.__table__), [
                    {"batch_id": record.id, "number": n, "items": chunk} for n, chunk in enumerate(chunks)])

    def put_imported(self, record: BatchRecord, chunks: list[str], failed_items: list[dict[str, Any]]) -> None:
        """A batch an earlier version kept in Redis only (`docgen db upgrade`): as accepted, with its
        chunks while it runs (the workers, or the reconcile after Redis was lost, go on with it);
        once finished, with its outcome, as an archived batch is kept."""
        outcome = None
        if record.status == BatchStatus.FINISHED.value:
            outcome = {"finished": str(record.finished), "failed": str(record.failed), "failed_items": failed_items}
        self._insert(record, chunks, outcome)

    def discard(self, batch_id: str) -> None:
        """Forget a batch whose jobs could not be queued (the request was answered with an error)."""
        with self.database.write() as connection:
            connection.execute(delete(BatchChunk.__table__).where(BatchChunk.batch_id == batch_id))
            connection.execute(delete(Batch.__table__).where(Batch.id == batch_id))

    def _restore(self, record: BatchRecord, chunks: list[str], pipeline: Pipeline) -> None:
        batch_id = record.id
        pipeline.hset(self.key(batch_id), mapping=record.to_redis())
        for number, chunk in enumerate(chunks):
            pipeline.set(self.key(batch_id, f"chunk:{number}"), chunk, ex=self.ttl_seconds)
        for key in self._keys(batch_id):
            pipeline.expire(key, self.ttl_seconds)

    def recent(self, limit: int = 20) -> list[BatchRecord]:
        """The newest batches, newest first (from the database: a lost Redis loses none)."""
        table = Batch.__table__
        with self.database.read() as connection:
            ids = connection.execute(select(table.c.id).order_by(table.c.created_at.desc(), table.c.id.desc())
                                     .limit(limit)).scalars().all()
        return [record for batch_id in ids if (record := self.get(batch_id)) is not None]

    def list(self, *, client: str | None = None, status: str | None = None, doc_type: str | None = None,
             created_after: str | None = None, created_before: str | None = None,
             before: tuple[str, str] | None = None, limit: int = 50) -> list[BatchRecord]:
        """Batches newest first, filtered, from the database; ``client`` None lists every client's.
        ``before`` is the (created_at, id) of the previous page's last batch (keyset paging)."""
        table = Batch.__table__
        query = newest_first(select(table.c.id), table, {"client": client, "status": status, "type": doc_type},
                             created_after=created_after, created_before=created_before, before=before, limit=limit)
        with self.database.read() as connection:
            ids = connection.execute(query).scalars().all()
        return [record for batch_id in ids if (record := self.get(batch_id)) is not None]

    def by_idempotency(self, client: str, key_sha256: str) -> BatchRecord | None:
        """The client's batch first made with the Idempotency-Key whose SHA-256 is ``key_sha256``."""
        table = Batch.__table__
        with self.database.read() as connection:
            batch_id = connection.execute(select(table.c.id).where(
                table.c.client == client, table.c.idempotency == key_sha256)).scalar()
        return self.stored(batch_id) if batch_id is not None else None

    def get(self, batch_id: str) -> BatchRecord | None:
        """The batch's record: from Redis while it runs; from the database when Redis no longer
        has it (an archived batch after its Redis state expired or was lost)."""
        raw = self.connection.hgetall(self.key(batch_id))
        if raw:
            return BatchRecord.from_redis(raw)
        return self.stored(batch_id)

    def stored(self, batch_id: str) -> BatchRecord | None:
        """The batch as the database keeps it, with its counts."""
        table = Batch.__table__
        with self.database.read() as connection:
            row = connection.execute(select(table).where(table.c.id == batch_id)).first()
            if row is None:
                return None
            finished = connection.execute(select(func.count()).select_from(Document.__table__).where(
                Document.batch == batch_id, Document.status.in_(DOWNLOADABLE))).scalar()
        extra = json.loads(row.extra or "{}")
        extra.setdefault("finished", finished)  # an archived batch keeps its counts; a running one counts
        return BatchRecord.from_row({**row._mapping, "extra": json.dumps(extra)})

    def running(self) -> list[BatchRecord]:
        """Batches the database holds as running, oldest first."""
        table = Batch.__table__
        with self.database.read() as connection:
            ids = connection.execute(select(table.c.id).where(table.c.status == BatchStatus.RUNNING.value)
                                     .order_by(table.c.created_at)).scalars().all()
        return [record for batch_id in ids if (record := self.stored(batch_id)) is not None]

    def restore(self, batch_id: str, pipeline: Pipeline) -> int:
        """Write a running batch back to Redis from the database, counts from zero (the chunk jobs
        take the items already recorded as finished from the database); returns its chunks."""
        record = self.stored(batch_id)
        if record is None:
            return 0
        with self.database.read() as connection:
            chunks = connection.execute(select(BatchChunk.items).where(BatchChunk.batch_id == batch_id)
                                        .order_by(BatchChunk.number)).scalars().all()
        record.finished, record.failed, record.chunks = 0, 0, len(chunks)
        self._restore(record, list(chunks), pipeline)
        return len(chunks)

    def chunk(self, batch_id: str, number: int) -> list[dict[str, Any]] | None:
        raw = self.connection.get(self.key(batch_id, f"chunk:{number}"))
        # Decimals exactly as sent: a float would round 20-digit figures.
        return None if raw is None else json.loads(raw, parse_float=Decimal)

    def items(self, batch_id: str) -> list[dict[str, Any]]:
        """Every item of the batch as accepted ({ref, data, doc_id}), in item order, from the
        database (kept for the batch's life)."""
        with self.database.read() as connection:
            chunks = connection.execute(select(BatchChunk.items).where(BatchChunk.batch_id == batch_id)
                                        .order_by(BatchChunk.number)).scalars().all()
        return [item for chunk in chunks for item in json.loads(chunk, parse_float=Decimal)]

    def chunk_started(self, batch_id: str, number: int) -> None:
        with self.connection.pipeline() as pipe:
            pipe.hsetnx(self.key(batch_id), "started_at", utcnow())
            pipe.sadd(self.key(batch_id, "running"), number)
            for key in self._keys(batch_id):
                pipe.expire(key, self.ttl_seconds)
            pipe.execute()

    def chunk_ended(self, batch_id: str, number: int) -> None:
        self.connection.srem(self.key(batch_id, "running"), number)

    def record_results(self, batch_id: str, chunk: int, results: list[ItemResult]) -> bool:
        """Store results not stored before; True when every item of the batch has ended."""
        if not results:
            return False
        args: list[Any] = [chunk, utcnow()]
        for result in results:
            args += [result.index, result.status, result.to_json(), "1" if result.warnings else "0"]
        keys = [self.key(batch_id), self.key(batch_id, "results"), self.key(batch_id, "chunkdone")]
        return bool(self._record(keys=keys, args=args))

    def results(self, batch_id: str) -> list[dict[str, Any]]:
        """Every recorded result, in item order."""
        raw = self.connection.hgetall(self.key(batch_id, "results"))
        return sorted((json.loads(v) for v in raw.values()), key=lambda r: r["index"])

    def failed(self, batch_id: str) -> list[dict[str, Any]]:
        if not self.connection.exists(self.key(batch_id)):  # archived, and no longer in Redis
            with self.database.read() as connection:
                extra = connection.execute(select(Batch.extra).where(Batch.id == batch_id)).scalar()
            return json.loads(extra or "{}").get("failed_items", [])
        return [r for r in self.results(batch_id) if r["status"] == "failed"]

    def warned(self, batch_id: str) -> list[dict[str, Any]]:
        """Results of finished items that have quality warnings, in item order."""
        return [r for r in self.results(batch_id) if r.get("warnings")]

    def started_count(self, batch_id: str, record: BatchRecord) -> int:
        """Items in chunks being rendered now that have not ended yet."""
        running = [int(n) for n in self.connection.smembers(self.key(batch_id, "running"))]
        if not running:
            return 0
        done = self.connection.hmget(self.key(batch_id, "chunkdone"), running)
        total, size = record.total, record.chunk_size
        return sum(min(size, total - n * size) - int(d or 0) for n, d in zip(running, done, strict=True))

    def mark_archived(self, batch_id: str, fields: dict[str, Any],
                      failed_items: list[dict[str, Any]] | None = None) -> None:
        """The archive is ready: the batch is finished. The database keeps its outcome (counts,
        failed items) and its chunks (the items' data: the cascade and the exports read them while
        the batch is kept); Redis drops the chunks."""
        now = utcnow()
        record = self.get(batch_id)
        kept = {} if record is None else {k: str(v) for k in ("finished", "failed", "started_at", "last_item_at")
                                          if (v := getattr(record, k)) is not None}
        with self.database.write() as connection:
            extra = json.loads(connection.execute(select(Batch.extra).where(Batch.id == batch_id)).scalar() or "{}")
            failed = self.failed(batch_id) if failed_items is None else failed_items
            extra.update({**kept, **{k: str(v) for k, v in fields.items()}, "failed_items": failed})
            connection.execute(update(Batch.__table__).where(Batch.id == batch_id).values(
                status=BatchStatus.FINISHED.value, finished_at=now, extra=json.dumps(extra, ensure_ascii=False)))
        with self.connection.pipeline() as pipe:
            pipe.hset(self.key(batch_id), mapping={**{k: str(v) for k, v in fields.items()},
                                                   "status": BatchStatus.FINISHED.value, "finished_at": now})
            for number in range(int(self.connection.hget(self.key(batch_id), "chunks") or 0)):
                pipe.delete(self.key(batch_id, f"chunk:{number}"))
            pipe.execute()
