"""GET /metrics: Prometheus text exposition (prometheus-client) of the counters and histograms every
process records in Redis (storage.metrics), plus what is read live at scrape time: each queue's
depth and the age of its oldest waiting job, and the restarts of the converters under the data
folder. Also counts every answered request by route, method and status. Public, like /healthz:
restrict it at the proxy when the network is not private.

Request counts are added up in the process and written to Redis together within FLUSH_SECONDS
(under gunicorn by a timer thread, see ``flush_in_background``; also before a scrape of this
process reads, and at the process's exit): one round trip per request fewer on the intake's path.
A scrape may so miss up to FLUSH_SECONDS of another web process's requests, and a process killed
outright its last FLUSH_SECONDS; nothing else is counted this way."""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from redis import Redis
from rq import Queue
from rq.job import Job

from config.settings import Settings
from service.state import state
from storage.metrics import COUNTERS, HISTOGRAMS, count_many, read_samples
from workers.converter import HostState

__all__ = ["bp", "flush_in_background", "register_request_metrics"]

bp = Blueprint("metrics", __name__)

PREFIX = "docgen_"

FLUSH_SECONDS = 1.0
"""Longest time a request's count waits in its process before it is written to Redis."""


class _RequestCounts:
    """One app's request counts not yet written to Redis."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.pending: Counter[tuple[str, str, str]] = Counter()
        self.flushed = time.monotonic()
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()
        _every.add(self)

    def add(self, route: str, method: str, status: str) -> None:
        with self.lock:
            self.pending[(route, method, status)] += 1
            due = not _background and time.monotonic() - self.flushed >= FLUSH_SECONDS
            if _background and self.timer is None:
                self.timer = threading.Timer(FLUSH_SECONDS, self.flush)
                self.timer.daemon = True
                self.timer.start()
        if due:
            self.flush()

    def flush(self) -> None:
        with self.lock:
            pending, self.pending = self.pending, Counter()
            self.flushed = time.monotonic()
            timer, self.timer = self.timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        count_many(self.redis, [("http_requests", {"route": route, "method": method, "status": status}, amount)
                                for (route, method, status), amount in pending.items()])


_background = False


def flush_in_background() -> None:
    """From now on this process's request counts are written by a timer thread FLUSH_SECONDS
    after the first one waiting, so an idle web process's last counts don't wait for its next
    request (gunicorn's workers: service/gunicorn_config.py). Otherwise the first request after
    FLUSH_SECONDS writes them."""
    global _background
    _background = True


_every: weakref.WeakSet[_RequestCounts] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    for counts in list(_every):
        counts.flush()


def _queues(settings: Settings) -> list[str]:
    return [settings.queue, settings.bulk_queue, settings.callback_queue]


def _oldest_age(queue: Queue, now: float) -> float:
    """Seconds the job at the head of the queue (the next one out, the oldest) has waited."""
    for job_id in queue.get_job_ids(0, 5):  # a few, in case the head vanished meanwhile
        job = Job.fetch(job_id, connection=queue.connection) if queue.connection.exists(Job.key_for(job_id)) else None
        if job is not None and job.enqueued_at is not None:
            return max(0.0, now - job.enqueued_at.timestamp())
    return 0.0


class _Collector:
    """Builds every metric family from Redis and the data folder at scrape time."""

    def __init__(self, redis: Redis, settings: Settings) -> None:
        self.redis, self.settings = redis, settings

    def collect(self) -> Iterator[Metric]:
        samples = read_samples(self.redis)
        for name, help_text in COUNTERS.items():
            series = [s for s in samples if s.name == name]
            labels = sorted({k for s in series for k in s.labels})
            family = CounterMetricFamily(PREFIX + name, help_text, labels=labels)
            for s in series:
                family.add_metric([s.labels.get(k, "") for k in labels], s.value)
            yield family
        for name, (help_text, bounds) in HISTOGRAMS.items():
            yield self._histogram(name, help_text, bounds, samples)
        depth = GaugeMetricFamily(PREFIX + "queue_depth", "Jobs waiting in each queue.", labels=["queue"])
        age = GaugeMetricFamily(PREFIX + "queue_oldest_job_age_seconds",
                                "Seconds the oldest waiting job of each queue has waited (0: none waiting).",
                                labels=["queue"])
        now = time.time()
        for name in _queues(self.settings):
            queue = Queue(name, connection=self.redis)
            depth.add_metric([name], queue.count)
            age.add_metric([name], _oldest_age(queue, now))
        yield depth
        yield age
        restarts = CounterMetricFamily(PREFIX + "converter_restarts",
                                       "LibreOffice restarts by each running converter host (after a crash, a "
                                       "hang or a recycle), from their state files.", labels=["host"])
        for path in sorted((self.settings.data_dir / "libreoffice").glob("converter-*.json")):
            host = HostState.read(path)
            if host is not None:
                restarts.add_metric([str(host.pid)], host.restarts)
        yield restarts

    @staticmethod
    def _histogram(name: str, help_text: str, bounds: tuple[float, ...], samples: list[Any]) -> Metric:
        family = HistogramMetricFamily(PREFIX + name, help_text, labels=[])
        buckets = {s.labels["le"]: s.value for s in samples if s.name == f"{name}_bucket"}
        total = next((s.value for s in samples if s.name == f"{name}_sum"), 0.0)
        cumulative, rows = 0.0, []
        for bound in [*(str(b) for b in bounds), "+Inf"]:
            cumulative += buckets.get(bound, 0.0)
            rows.append((bound, cumulative))
        family.add_metric([], rows, total)
        return family


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus metrics of the whole service (every web process and worker)."""
    st = state()
    counts = current_app.extensions.get("docgen.request_counts")
    if counts is not None:
        counts.flush()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(st.redis, st.settings))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Content-Type": CONTENT_TYPE_LATEST})


def register_request_metrics(app: Flask) -> None:
    """Count every answer by its route (the rule, not the path: ids would make endless series)."""

    counts = app.extensions["docgen.request_counts"] = _RequestCounts(app.extensions["docgen"].redis)

    @app.after_request
    def _count(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        counts.add(route, request.method, str(response.status_code))
        return response
