"""Counters and histograms kept in Redis, so every process adds to the same numbers: the gunicorn
web processes, each worker's short-lived work horses (one process per job) and workers on other
machines, and a restart loses nothing. GET /metrics (service.metrics) reads them all at once.

One Redis hash holds every series; a field is the JSON of ``[name, labels]``. A histogram keeps
one count per bucket (not cumulative), its sum and its count. Writing never fails the work it
measures: when Redis is unreachable the sample is dropped, and for a few seconds no further
attempt is made (so a Redis outage doesn't slow every request down by a connect timeout).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import RedisError

__all__ = ["COUNTERS", "HISTOGRAMS", "KEY", "Held", "Sample", "count", "count_many", "held", "observe",
           "read_samples", "timed"]

log = logging.getLogger(__name__)

KEY = "docgen:metrics"
"""The hash of every series."""

COUNTERS: dict[str, str] = {
    "http_requests": "HTTP requests answered, by route, method and status.",
    "jobs": "RQ jobs ended, by queue and outcome (finished, failed, retried).",
    "batch_items": "Batch items ended, by status (finished, failed).",
    "callbacks": "Callback delivery attempts, by outcome (delivered, rejected, refused, retrying).",
}
"""Counter names (exposed as docgen_<name>_total) and their help text."""

HISTOGRAMS: dict[str, tuple[str, tuple[float, ...]]] = {
    "render_seconds": ("Seconds filling a Word template for one document.",
                       (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)),
    "conversion_seconds": ("Seconds converting one document to PDF with LibreOffice.",
                           (0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120)),
}
"""Histogram names (exposed as docgen_<name>), help text and bucket bounds."""

BACKOFF_SECONDS = 5.0
_quiet_until = 0.0


@dataclass(frozen=True)
class Sample:
    """One stored series: ``name`` (with _bucket/_sum/_count for histograms), labels, value."""

    name: str
    labels: dict[str, str]
    value: float


def _field(name: str, labels: dict[str, str]) -> str:
    return json.dumps([name, dict(sorted(labels.items()))], separators=(",", ":"))


class Held:
    """Samples held back in memory by ``held``, added up by series, to be sent in one round trip:
    in someone else's pipeline (``into``, then ``clear``) or on their own (``flush``)."""

    def __init__(self, connection: Redis) -> None:
        self.connection = connection
        self.sums: dict[str, float] = {}

    def add(self, increments: list[tuple[str, float]]) -> None:
        for field, amount in increments:
            self.sums[field] = self.sums.get(field, 0) + amount

    def into(self, pipeline: Pipeline) -> None:
        """Add the held samples to ``pipeline`` (they stay held: ``clear`` once it has run)."""
        for field, amount in self.sums.items():
            pipeline.hincrbyfloat(KEY, field, amount)

    def clear(self) -> None:
        self.sums.clear()

    def flush(self) -> None:
        """Send the held samples now, in one round trip."""
        if self.sums:
            increments = list(self.sums.items())
            self.sums.clear()
            token = _held.set(None)
            try:
                _write(self.connection, increments)
            finally:
                _held.reset(token)


_held: ContextVar[Held | None] = ContextVar("metrics_held", default=None)
"""The samples being held in this thread (or task), inside ``held``."""


def _write(connection: Redis, increments: list[tuple[str, float]]) -> None:
    global _quiet_until
    if (holder := _held.get()) is not None:
        holder.add(increments)
        return
    if time.monotonic() < _quiet_until:
        return
    try:
        with connection.pipeline(transaction=False) as pipe:
            for field, amount in increments:
                pipe.hincrbyfloat(KEY, field, amount)
            pipe.execute()
    except RedisError as exc:
        _quiet_until = time.monotonic() + BACKOFF_SECONDS
        log.warning("metrics not recorded: Redis unreachable (%s)", type(exc).__name__)


def count(connection: Redis, name: str, amount: float = 1, **labels: str) -> None:
    """Add ``amount`` to counter ``name`` with ``labels``."""
    assert name in COUNTERS, name
    _write(connection, [(_field(name, labels), amount)])


def count_many(connection: Redis, counts: Iterable[tuple[str, dict[str, str], float]]) -> None:
    """Add to several counters in one round trip: (name, labels, amount) each."""
    increments = []
    for name, labels, amount in counts:
        assert name in COUNTERS, name
        increments.append((_field(name, labels), amount))
    if increments:
        _write(connection, increments)


def observe(connection: Redis, name: str, seconds: float, **labels: str) -> None:
    """Record one observation of histogram ``name``."""
    bounds = HISTOGRAMS[name][1]
    bucket = next((str(b) for b in bounds if seconds <= b), "+Inf")
    _write(connection, [(_field(f"{name}_bucket", {**labels, "le": bucket}), 1),
                        (_field(f"{name}_sum", labels), seconds), (_field(f"{name}_count", labels), 1)])


@contextmanager
def timed(connection: Redis | None, name: str, **labels: str) -> Iterator[None]:
    """Observe the seconds the block takes (when it ends normally; nothing without a connection)."""
    started = time.perf_counter()
    yield
    if connection is not None:
        observe(connection, name, time.perf_counter() - started, **labels)


@contextmanager
def held(connection: Redis) -> Iterator[Held]:
    """Samples written in the block are held in memory instead of sent, one round trip for many:
    a batch chunk writes them with its progress (``flush``), a single-document worker in RQ's
    transaction that records the job's end (``into``). What is still held at the end is sent then
    (each round trip cost ~2 ms of a ~10 ms item on the loaded machine)."""
    holder = Held(connection)
    token = _held.set(holder)
    try:
        yield holder
    finally:
        _held.reset(token)
        holder.flush()


def read_samples(connection: Redis) -> list[Sample]:
    """Every stored series."""
    samples = []
    for field, value in connection.hgetall(KEY).items():
        name, labels = json.loads(field)
        samples.append(Sample(name, labels, float(value)))
    return samples
