"""GET /healthz (the process answers) and /readyz: documents can be made now. Ready needs Redis
reachable and not nearly full, the document database reachable, a worker on every queue (the
callback queue only when callbacks are on), a worker that can make PDFs (workers.pdf_readiness)
and room on the data folder's disk."""

from __future__ import annotations

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from rq import Queue, Worker
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from service.capacity import free_mb
from service.state import ServiceState, state
from workers.pdf_readiness import KEY_PREFIX as CONVERTER_PREFIX

bp = Blueprint("health", __name__)

REDIS_MEMORY_LIMIT = 0.9
"""Share of Redis's maxmemory beyond which the service is not ready (noeviction refuses writes at 100%)."""


@bp.get("/healthz")
def healthz():
    """Always 200 while the process serves requests."""
    return jsonify(status="ok")


def _redis_memory(st: ServiceState) -> tuple[bool, str]:
    info = st.redis.info("memory")
    used, limit = int(info["used_memory"]), int(info.get("maxmemory") or 0)
    if not limit:
        return True, f"ok: {used / 2**20:.1f} MB used, no maxmemory set"
    share = used / limit
    text = f"{used / 2**20:.1f} MB of {limit / 2**20:.1f} MB used ({share:.0%})"
    return (True, f"ok: {text}") if share < REDIS_MEMORY_LIMIT else (False, f"nearly full: {text}")


def _queue_workers(st: ServiceState, name: str) -> tuple[bool, str]:
    workers = Worker.all(queue=Queue(name, connection=st.redis))
    return (True, f"{len(workers)} listening") if workers else (False, "none running")


def _converter(st: ServiceState) -> tuple[bool, str]:
    reports = {key.decode().removeprefix(CONVERTER_PREFIX): value.decode()
               for key in st.redis.scan_iter(match=CONVERTER_PREFIX + "*", count=100)
               if (value := st.redis.get(key)) is not None}
    ready = sum(1 for value in reports.values() if value == "ok")
    if ready:
        return True, f"ok on {ready} worker(s)"
    if reports:
        return False, "; ".join(sorted(set(reports.values())))
    return False, "no worker has reported"


@bp.get("/readyz")
def readyz():
    """200 when documents can be made now; 503 naming what is missing otherwise."""
    st = state()
    checks: dict[str, str] = {}
    ready = True

    def check(name: str, outcome: tuple[bool, str]) -> None:
        nonlocal ready
        ready = ready and outcome[0]
        checks[name] = outcome[1]

    try:
        st.redis.ping()
        checks["redis"] = "ok"
        check("redis_memory", _redis_memory(st))
        check("workers", _queue_workers(st, st.settings.queue))
        check("bulk_workers", _queue_workers(st, st.settings.bulk_queue))
        if st.settings.webhook_secret:
            check("callback_workers", _queue_workers(st, st.settings.callback_queue))
        else:
            checks["callback_workers"] = "not needed (DOCGEN_WEBHOOK_SECRET unset)"
        check("converter", _converter(st))
    except RedisError as exc:
        check("redis", (False, f"unreachable: {type(exc).__name__}"))
    free, minimum = free_mb(), st.settings.min_free_mb
    check("disk", (free >= minimum, f"{'ok' if free >= minimum else 'nearly full'}: {free} MB free "
                                    f"(minimum {minimum} MB)"))
    try:
        with st.records.database.read() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as exc:
        check("database", (False, f"unreachable: {type(exc).__name__}"))
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
