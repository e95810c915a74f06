"""The request id: taken from the client's X-Request-ID (when it is a sane token) or made, returned
in the answer's X-Request-ID, put on every log line of the request (config.logs) and carried into
the jobs it enqueues (job.meta) and so into the worker's log lines and the callback. One JSON log
line per answered request."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from config.logs import request_id_var

__all__ = ["HEADER", "register_request_ids"]

log = logging.getLogger(__name__)

HEADER = "X-Request-ID"
ACCEPTED = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
"""A client's request id is kept when it looks like an id (no spaces, quotes or control characters)."""


def register_request_ids(app: Flask) -> None:
    """Bind the request id before every view; return it and log the answer after."""

    @app.before_request
    def _bind() -> None:
        offered = request.headers.get(HEADER, "")
        g.request_id = offered if ACCEPTED.match(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        request_id_var.set(g.request_id)

    @app.after_request
    def _answer(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers[HEADER] = request_id
            log.info("%s %s %s", request.method, request.path, response.status_code,
                     extra={"method": request.method, "path": request.path, "status": response.status_code,
                            "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
                            "client": request.remote_addr})
        return response

    @app.teardown_request
    def _unbind(_exc: BaseException | None) -> None:
        request_id_var.set(None)
