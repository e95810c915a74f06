"""Keeps the worker's templates prepared before each fork, so every work horse inherits them; its
maintenance also reconciles the queue with the database after Redis was lost (workers/reconcile.py).

A forking worker's horse dies after each job, and anything it prepared dies with it; what the
parent prepares is shared with every horse it forks. Checking costs a manifest read per job.
"""

from __future__ import annotations

import logging
from typing import Any

from rq import Worker

from config.settings import get_settings
from sakip.doctypes import DOCUMENT_TYPES
from storage.templates import TemplateRegistry, UnknownTemplate
from workers.reconcile import reconcile_if_redis_was_lost, requeue_stranded
from workers.recovery import release_dead_scheduler_lock, requeue_abandoned
from workers.render import prepared

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
        prepare_active_templates(TemplateRegistry.for_settings(get_settings()))
        super().execute_job(job, queue)

    def run_maintenance_tasks(self) -> None:
        """RQ's clean-ups (at start, then every maintenance interval), and ours: the jobs and scheduler
        locks of dead workers released within seconds (workers.recovery); when Redis was lost (new or
        flushed), the work accepted and not ended queued again from the database."""
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
