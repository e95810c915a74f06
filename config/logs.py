"""Logging as JSON lines (python-json-logger), one object per line on stderr, each carrying the
request id and job id of the work it belongs to. The ids live in context variables: the web sets
the request id per request (service.request_log); a worker sets both from the job's meta before it
forks the work horse (workers.warm), so the horse's lines and RQ's own carry them too, and jobs it
enqueues (a callback) inherit the request id through ``job_meta``."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

__all__ = ["job_id_var", "job_meta", "request_id_var", "setup_logging"]

request_id_var: ContextVar[str | None] = ContextVar("docgen_request_id", default=None)
"""The id of the HTTP request the current work belongs to (X-Request-ID)."""
job_id_var: ContextVar[str | None] = ContextVar("docgen_job_id", default=None)
"""The RQ job being run, in a worker."""

FIELDS = "{asctime}{levelname}{name}{message}"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


class _ContextIds(logging.Filter):
    """Puts the current request and job ids on every record (absent ids are left out)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (("request_id", request_id_var), ("job_id", job_id_var)):
            value = var.get()
            if value and not hasattr(record, name):
                setattr(record, name, value)
        return True


class _DocgenHandler(logging.StreamHandler):
    """Our handler, recognisable so setting up twice adds nothing."""


def setup_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the whole process, like ``logging.basicConfig``: nothing is changed
    when the root logger has handlers already (a test runner's, or ours)."""
    root = logging.getLogger()
    if root.handlers:
        for handler in root.handlers:  # ids on the records other handlers see too
            if not any(isinstance(f, _ContextIds) for f in handler.filters):
                handler.addFilter(_ContextIds())
        return
    handler = _DocgenHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(FIELDS, style="{", rename_fields=RENAMED))
    handler.addFilter(_ContextIds())
    root.addHandler(handler)
    root.setLevel(level)


def job_meta() -> dict[str, Any]:
    """The meta of a job enqueued now: the request id it belongs to, if any."""
    request_id = request_id_var.get()
    return {"request_id": request_id} if request_id else {}
