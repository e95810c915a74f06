"""Per-client rate limit on /api/: a fixed one-minute window counted in Redis, 429 with Retry-After.

Every counted answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (seconds
to the window's end), as the IETF RateLimit header fields draft has them, so a client can slow
down before it is refused."""

from __future__ import annotations

import time

from flask import Flask, Response, g

from service.problems import Problem
from service.state import state

__all__ = ["check_rate", "register_rate_headers"]

KEY_PREFIX = "docgen:rate:"
"""Prefix of the per-client, per-minute request counter."""

WINDOW_SECONDS = 60
"""Length of one counting window."""


def _now() -> float:
    return time.time()


def check_rate(client_name: str) -> None:
    """Count the request; Problem 429 with Retry-After when the client is over its limit this minute.
    Every web process shares the count through Redis. DOCGEN_RATE_LIMIT_PER_MINUTE=0 turns it off."""
    st = state()
    limit = st.settings.rate_limit_per_minute
    if limit <= 0:
        return
    now = _now()
    window = int(now // WINDOW_SECONDS)
    key = f"{KEY_PREFIX}{client_name or '-'}:{window}"
    with st.redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS + 5)
        count = pipe.execute()[0]
    reset = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
    g.docgen_rate = (limit, max(0, limit - count), reset)
    if count > limit:
        retry_after = reset
        raise Problem.coded(429, "batas_permintaan", {"batas": limit, "detik": retry_after},
                            headers={"Retry-After": str(retry_after)}, limit=limit)


def register_rate_headers(app: Flask) -> None:
    """Add the RateLimit header fields to every answer whose request was counted."""

    @app.after_request
    def _rate_headers(response: Response) -> Response:
        counted = g.get("docgen_rate")
        if counted is not None:
            limit, remaining, reset = counted
            response.headers.update({"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining),
                                     "RateLimit-Reset": str(reset)})
        return response
