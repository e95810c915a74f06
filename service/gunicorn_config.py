"""How gunicorn runs the web process, wherever it is started (`docgen run`, the Dockerfile,
docker-compose.yml): ``gunicorn -c python:service.gunicorn_config ... "service.app:create_app()"``.
Options given on the command line (bind, workers, timeout) win over these.

Measured with bench/intake_bench.py (bench/README.md, "Intake cuts"): threaded workers keep the
client's connection open between requests (a sync worker closes it after each one, so every POST
also paid a TCP connect and close) and go on with another request while one waits on Redis or the
database; freezing what the app holds after start-up keeps the garbage collector's full passes
from walking the ~190,000 objects of the loaded app again and again.
"""

from __future__ import annotations

import gc
from typing import Any

worker_class = "gthread"
"""Threaded workers: keep-alive connections, and a request waiting on I/O doesn't stall the process."""

threads = 4
"""Requests each worker process handles at once."""


def post_worker_init(_worker: Any) -> None:
    """After the app is loaded in a worker: request counts written by a timer thread, and what
    exists now lives as long as the process, so the collector leaves it alone (``gc.freeze``)."""
    from service.metrics import flush_in_background

    flush_in_background()  # an idle worker's last request counts reach Redis within a second too
    gc.collect()
    gc.freeze()
