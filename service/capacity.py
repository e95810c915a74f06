"""Intake guards: refuse new work with 503 and Retry-After, before accepting what can't be kept.

An accepted request must never be lost, so the intake says "not now" instead of "yes" when:
Redis can't be reached, the data folder's disk is nearly full (DOCGEN_MIN_FREE_MB), or the
single-document queue is deeper than DOCGEN_MAX_QUEUE_DEPTH (bulk work belongs in a batch).

The queue's depth costs no round trip of its own while the queue is far from full: each intake
transaction reads it (LLEN) after its push, and the next POST in the process trusts that figure
for DEPTH_FRESH_SECONDS unless it is within DEPTH_EXACT_SHARE of the limit, where it reads the
depth again. A cached depth is never a reason to refuse: a refusal always rests on a fresh read.
Beyond what concurrent requests could always add (the check and the push were never one step),
what other web processes queued in the last DEPTH_FRESH_SECONDS may carry the queue that far past
the limit (under load every process's own figure is a few milliseconds old).
"""

from __future__ import annotations

import shutil
import threading
import time

from flask import Flask, Response, current_app, request
from redis.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from sakip.messages import message
from service.language import request_language
from service.problems import Problem, problem_response
from service.state import state

__all__ = ["REDIS_RETRY_AFTER", "QueueDepth", "check_disk", "check_queue_depth", "free_mb", "queue_depth",
           "register_capacity_guards"]

REDIS_RETRY_AFTER = 5
"""Seconds a client is asked to wait while Redis is unreachable (a supervised Redis is back in seconds)."""
DISK_RETRY_AFTER = 300
"""Seconds a client is asked to wait while the disk is full: an operator must free space."""


def free_mb() -> int:
    """Free megabytes on the data folder's file system."""
    data_dir = state().settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    return shutil.disk_usage(data_dir).free // (1024 * 1024)


DISK_FRESH_SECONDS = 1.0
"""How long a free-space reading of this process stands in for a new one, while it is far above the minimum."""
DISK_MARGIN_MB = 1024
"""Far above: this much more than DOCGEN_MIN_FREE_MB (the intake writes well under 100 MB a second)."""


def _free_mb_recent(minimum: int) -> int:
    """Free megabytes, from this process's reading of the last second when that one was far above
    ``minimum`` (a statvfs and a mkdir per POST cost ~0.03 ms); near the minimum every POST reads."""
    seen = current_app.extensions.get("docgen.free_mb")
    now = time.monotonic()
    if seen is not None and now - seen[1] < DISK_FRESH_SECONDS and seen[0] >= minimum + DISK_MARGIN_MB:
        return seen[0]
    free = free_mb()
    current_app.extensions["docgen.free_mb"] = (free, now)
    return free


def check_disk() -> None:
    """503 when the data folder has less than DOCGEN_MIN_FREE_MB free: a document accepted now could
    not be written. Accepting starts again by itself once space is freed. A refusal always rests on
    a reading made for this request."""
    minimum = state().settings.min_free_mb
    if minimum and (free := _free_mb_recent(minimum)) < minimum:
        raise Problem.coded(503, "disk_penuh", {"sisa": free, "minimum": minimum},
                            headers={"Retry-After": str(DISK_RETRY_AFTER)}, reason="disk_full")


DEPTH_FRESH_SECONDS = 0.25
"""How long a depth read in this process's last intake transaction stands in for a read of its own."""
DEPTH_EXACT_SHARE = 0.9
"""From this share of DOCGEN_MAX_QUEUE_DEPTH on, every POST reads the depth itself."""


class QueueDepth:
    """The single-document queue's depth as this process last saw it, and when."""

    def __init__(self) -> None:
        self._depth, self._at = 0, float("-inf")
        self._lock = threading.Lock()

    def seen(self, depth: int) -> None:
        """The depth read in an intake transaction just now."""
        with self._lock:
            self._depth, self._at = int(depth), time.monotonic()

    def current(self, limit: int) -> int:
        """The depth, read from Redis unless a recent figure is well below ``limit``."""
        with self._lock:
            depth, at = self._depth, self._at
        if time.monotonic() - at < DEPTH_FRESH_SECONDS and depth < limit * DEPTH_EXACT_SHARE:
            return depth
        depth = state().queue.count
        self.seen(depth)
        return depth

    def read_in(self, pipeline: Pipeline) -> None:
        """Add the depth's read (LLEN) to ``pipeline``: its answer is the last of the transaction's."""
        pipeline.llen(state().queue.key)


def queue_depth() -> QueueDepth:
    """The app's record of the queue depth (one per app, so each test's app starts fresh)."""
    return current_app.extensions.setdefault("docgen.queue_depth", QueueDepth())


def check_queue_depth() -> None:
    """503 when the single-document queue already holds DOCGEN_MAX_QUEUE_DEPTH documents."""
    st = state()
    limit = st.settings.max_queue_depth
    if limit and (depth := queue_depth().current(limit)) >= limit:
        # At the measured ~44 documents/s a full queue drains in about limit/44 s.
        retry_after = max(5, min(300, depth // 40))
        raise Problem.coded(503, "antrean_penuh", {"jumlah": depth, "batas": limit, "detik": retry_after},
                            headers={"Retry-After": str(retry_after)}, reason="queue_full")


def register_capacity_guards(app: Flask) -> None:
    """Disk check before every POST to /api/v1; Redis outages answered 503 instead of 500."""

    @app.before_request
    def _disk_before_intake() -> None:
        if request.method == "POST" and request.path.startswith("/api/v1/"):
            check_disk()

    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    def _redis_down(exc: Exception) -> Response:
        app.logger.warning("Redis unreachable: %s", exc)
        lang = request_language()
        response = problem_response(503, message("http_503", lang=lang),
                                    message("redis_tidak_terjangkau", {"detik": REDIS_RETRY_AFTER}, lang),
                                    reason="redis_unreachable")
        response.headers["Retry-After"] = str(REDIS_RETRY_AFTER)
        return response
