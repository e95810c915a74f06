"""Our RQ worker: keeps the templates prepared before each fork, so every work horse inherits them,
binds each job's request id and job id to the log lines (config.logs), counts jobs by outcome
(storage.metrics) and reports whether it can make PDFs (workers.pdf_readiness); its maintenance
recovers dead workers' jobs (workers.recovery) and reconciles the queue with the database
(workers.reconcile) and purges what retention no longer keeps, once a day (workers.scheduled_purge).

A forking worker's horse dies after each job, and anything it prepared dies with it; what the
parent prepares is shared with every horse it forks. Checking costs a manifest read per job.
"""

from __future__ import annotations

import logging
from typing import Any

from rq import Worker

from config.logs import job_id_var, request_id_var
from config.settings import get_settings
from sakip.doctypes import DOCUMENT_TYPES
from storage.metrics import count
from storage.templates import TemplateRegistry, UnknownTemplate
from workers.pdf_readiness import report_converter
from workers.reconcile import reconcile_if_redis_was_lost, requeue_stranded
from workers.recovery import release_dead_scheduler_lock, requeue_abandoned
from workers.render import prepared
from workers.scheduled_purge import purge_when_due

__all__ = ["PreparingWorker", "prepare_active_templates"]

log = logging.getLogger(__name__)


def prepare_active_templates(registry: TemplateRegistry) -> None:
    """Prepare the active version of every document type (already prepared ones are kept).
    Preparing only saves time: a failure (a full disk on first use of the store) never stops the worker."""
    for doc_type in DOCUMENT_TYPES:
        try:
            template = registry.get(doc_type)
        except UnknownTemplate:
            continue
        except Exception:
            log.exception("could not read the active %s template", doc_type)
            continue
        try:
            prepared(template.content, template.sha256, template.paper)
        except Exception:
            log.exception("could not prepare template %s v%s", doc_type, template.version)


class PreparingWorker(Worker):
    """RQ's forking worker that prepares the active templates before forking each horse, and whose
    maintenance recovers a dead worker's jobs and scheduler lock within seconds (workers.recovery)."""

    def execute_job(self, job: Any, queue: Any) -> None:
        # Bound before the fork: the horse inherits the ids, and the parent's lines about the job carry them.
        tokens = (request_id_var.set((job.meta or {}).get("request_id")), job_id_var.set(job.id))
        try:
            prepare_active_templates(TemplateRegistry.for_settings(get_settings()))
            super().execute_job(job, queue)
        finally:
            request_id_var.reset(tokens[0])
            job_id_var.reset(tokens[1])

    def handle_job_success(self, job: Any, queue: Any, *args: Any, **kwargs: Any) -> None:
        count(self.connection, "jobs", queue=queue.name, outcome="finished")
        super().handle_job_success(job, queue, *args, **kwargs)

    def handle_job_failure(self, job: Any, queue: Any, *args: Any, **kwargs: Any) -> None:
        count(self.connection, "jobs", queue=job.origin, outcome="retried" if job.should_retry else "failed")
        super().handle_job_failure(job, queue, *args, **kwargs)

    def _report_converter(self) -> None:
        settings = get_settings()
        if settings.callback_queue in self.queue_names():
            return  # callback workers make no documents
        try:
            report_converter(self.connection, self.name, settings,
                             ttl=self.worker_ttl + 3 * int(self.maintenance_interval))
        except Exception:  # a report must never take the worker down
            log.exception("could not report the converter's state")

    def register_birth(self, *args: Any, **kwargs: Any) -> None:
        super().register_birth(*args, **kwargs)
        self._report_converter()

    def run_maintenance_tasks(self) -> None:
        """RQ's clean-ups (at start, then every maintenance interval), and ours: the jobs and scheduler
        locks of dead workers released within seconds (workers.recovery); when Redis was lost (new or
        flushed), the work accepted and not ended queued again from the database."""
        self._report_converter()
        for queue in self.queues:
            try:
                requeue_abandoned(queue, self.job_monitoring_interval, self._exc_handlers)
                release_dead_scheduler_lock(self.connection, queue.name,
                                            self.scheduler.interval if self.scheduler else 1)
            except Exception:  # maintenance must never take the worker down
                log.exception("recovery of dead workers' jobs on %s failed", queue.name)
        super().run_maintenance_tasks()
        try:
            reconcile_if_redis_was_lost(self.connection, get_settings())
            requeue_stranded(self.connection, get_settings())
        except Exception:
            log.exception("could not reconcile the queue with the database; retrying at the next maintenance")
        try:
            purge_when_due(self.connection, get_settings())
        except Exception:
            log.exception("retention purge failed; retrying at the next maintenance")
