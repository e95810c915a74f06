"""GET /healthz (the process answers) and /readyz (Redis reachable, a worker on our queue)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from rq import Worker

from service.state import state

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Always 200 while the process serves requests."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """200 when documents can be made now; 503 naming what is missing otherwise."""
    st = state()
    checks: dict[str, str] = {}
    try:
        st.redis.ping()
        checks["redis"] = "ok"
        workers = Worker.all(queue=st.queue)
        checks["workers"] = f"{len(workers)} listening on '{st.queue.name}'" if workers else "none running"
    except RedisError as exc:
        checks["redis"] = f"unreachable: {type(exc).__name__}"
        workers = []
    ready = checks["redis"] == "ok" and bool(workers)
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
