"""Key guessing is slow: failed admin sign-ins and unknown API keys are counted in Redis per client
address (and per key name, when a real key was used where it may not be), so every web process shares
the count. Past the limit the address (or key) gets 429 with Retry-After until its window ends, even
with a right key; every failure is logged with the address."""

from __future__ import annotations

import logging

from flask import request

from service.problems import Problem
from service.state import state

__all__ = ["KEY_PREFIX", "check_not_blocked", "client_address", "note_failure"]

log = logging.getLogger(__name__)

KEY_PREFIX = "docgen:authfail:"
"""Prefix of the failure counters: ``addr:<address>`` and ``key:<name>``."""


def client_address() -> str:
    """The caller's address as the web server saw it (a proxy in front should set it right)."""
    return request.remote_addr or "-"


def _subjects(key_name: str | None) -> list[str]:
    subjects = [f"addr:{client_address()}"]
    if key_name:
        subjects.append(f"key:{key_name}")
    return subjects


def check_not_blocked(key_name: str | None = None) -> None:
    """Problem 429 with Retry-After while the address (or the named key) is over its failure limit."""
    st = state()
    limit = st.settings.auth_failure_limit
    if limit <= 0:
        return
    with st.redis.pipeline(transaction=False) as pipe:
        for subject in _subjects(key_name):
            pipe.get(KEY_PREFIX + subject)
            pipe.ttl(KEY_PREFIX + subject)
        answers = pipe.execute()
    for count, ttl in zip(answers[::2], answers[1::2], strict=True):
        if count is not None and int(count) >= limit:
            retry_after = max(1, int(ttl) if ttl and int(ttl) > 0 else st.settings.auth_failure_window)
            raise Problem.coded(429, "terlalu_banyak_gagal", {"detik": retry_after},
                                headers={"Retry-After": str(retry_after)})


def note_failure(what: str, key_name: str | None = None) -> None:
    """Count one failed attempt (``what`` says which, for the log) against the address and key."""
    st = state()
    window = st.settings.auth_failure_window
    log.warning("failed %s from %s%s", what, client_address(), f" with the key '{key_name}'" if key_name else "")
    if st.settings.auth_failure_limit <= 0:
        return
    with st.redis.pipeline(transaction=True) as pipe:
        for subject in _subjects(key_name):
            pipe.set(KEY_PREFIX + subject, 0, ex=window, nx=True)  # the window starts at the first failure
            pipe.incr(KEY_PREFIX + subject)
        pipe.execute()
