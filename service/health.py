"""GET /healthz (the process answers) and /readyz (Redis and the document database reachable, a
worker on our queue)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

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
    try:
        with st.records.database.read() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    ready = checks["redis"] == "ok" and checks["database"] == "ok" and bool(workers)
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
