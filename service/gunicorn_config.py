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

reuse_port = True
"""Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel deals new connections
among them. On one shared socket a threaded worker that wakes first accepts every connection that
is waiting, and keeps it while the client keeps it alive: under 16 keep-alive clients one process
often held all 16 and served them alone (~490 instead of ~960 POST/s, counted with ``ss``;
bench/README.md "The intake under ApacheBench"). A second server started on the same port by
mistake would be dealt connections too: `docgen run` refuses a port that is already taken
(cli/run.py)."""


def post_worker_init(_worker: Any) -> None:
    """After the app is loaded in a worker: request counts written by a timer thread, and what
    exists now lives as long as the process, so the collector leaves it alone (``gc.freeze``)."""
    from service.metrics import flush_in_background

    flush_in_background()  # an idle worker's last request counts reach Redis within a second too
    gc.collect()
    gc.freeze()
