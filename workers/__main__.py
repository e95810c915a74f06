"""`python -m workers [--bulk | --callbacks]`: one RQ worker on one queue (RQ's crash-safe dequeue
needs a single queue): the interactive documents queue, the batch queue, or callback deliveries."""

from __future__ import annotations

import argparse
import logging

# Imported before the worker forks, so each work horse starts with them loaded.
import docxtpl  # noqa: F401
import lxml.etree  # noqa: F401
from redis import Redis

import sakip.envelope  # noqa: F401
from config.logs import setup_logging
from config.settings import get_settings
from storage.database import database_for
from workers import batch_jobs, jobs  # noqa: F401 - loaded before the fork
from workers.warm import InProcessWorker, PreparingWorker


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workers")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--bulk", action="store_true", help="serve the batch queue instead of single documents")
    which.add_argument("--callbacks", action="store_true", help="deliver callbacks instead of rendering")
    args = parser.parse_args(argv)
    settings = get_settings()
    if not settings.redis_url:
        raise SystemExit("DOCGEN_REDIS_URL is not set: start the service with `make run`, or point it at Redis")
    try:
        settings.check_public_url()  # the QR codes this worker prints must lead somewhere
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None
    setup_logging()
    connection = Redis.from_url(settings.redis_url)
    # The database opened (and its schema checked) before the first fork: each horse otherwise
    # imported Alembic and checked the schema again, ~100 ms of every batch chunk.
    try:
        database_for(settings.database_url)
    except Exception:  # unreachable now: each job tries again, as before
        logging.getLogger(__name__).exception("could not open the database before the first job")
    # Single documents are short renders, where a fork per job is most of the cost: without
    # DOCGEN_WORKER_FORK their worker runs jobs in its own process. Batch chunks (long, many
    # documents each) and callbacks keep their horse.
    in_process = not settings.worker_fork and not args.bulk and not args.callbacks
    worker = (InProcessWorker if in_process else PreparingWorker)(
        [settings.bulk_queue if args.bulk else settings.callback_queue if args.callbacks else settings.queue],
        connection=connection,
        maintenance_interval=settings.worker_maintenance_interval,
        # An idle worker blocks in its dequeue for worker_ttl - 15 s and runs maintenance only between
        # blocks: a short TTL keeps the recovery of a dead worker's jobs within a minute.
        worker_ttl=settings.worker_ttl,
        job_monitoring_interval=settings.job_monitoring_interval,
        work_horse_killed_handler=jobs.on_horse_killed,
    )
    worker.work(with_scheduler=True, logging_level="INFO")


if __name__ == "__main__":
    main()
