"""Per-client rate limit on /api/: a fixed one-minute window counted in Redis, 429 with Retry-After."""

from __future__ import annotations

import time

from service.problems import Problem
from service.state import state

__all__ = ["check_rate"]

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
    if count > limit:
        retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
        raise Problem.coded(429, "batas_permintaan", {"batas": limit, "detik": retry_after},
                            headers={"Retry-After": str(retry_after)}, limit=limit)
