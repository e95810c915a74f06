"""Our RQ worker: keeps the templates prepared before each fork, so every work horse inherits them,
binds each job's request id and job id to the log lines (config.logs), counts jobs by outcome
(storage.metrics) and reports whether it can make PDFs (workers.pdf_readiness); its maintenance
recovers dead workers' jobs (workers.recovery) and reconciles the queue with the database
(workers.reconcile) and purges what retention no longer keeps, once a day (workers.scheduled_purge).

A forking worker's horse dies after each job, and anything it prepared dies with it; what the
parent prepares is shared with every horse it forks. Checking costs a manifest read per job.
The parent also renders each prepared version's sample once: the fonts and text widths the
column fitting measures (workers/columns.py) and every other lazily made thing of a first
render are then inherited too, instead of being made again in each horse (each batch chunk).

``InProcessWorker`` is the same worker running each job in its own process, as RQ's SimpleWorker
does (DOCGEN_WORKER_FORK=false): no fork per job, and what it prepared stays warm. What isolation
gives up: a render that crashes the process takes the worker with it (its supervisor starts it again
and the recovery requeues the job, as for any dead worker), and memory a render leaks stays.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rq import Retry, Worker
from rq.executions import Execution
from rq.job import JobStatus
from rq.results import Result
from rq.suspension import WORKERS_SUSPENDED
from rq.utils import now, utcformat
from rq.worker import WorkerStatus

from config.logs import job_id_var, request_id_var
from config.settings import get_settings
from sakip.doctypes import DOCUMENT_TYPES
from storage.metrics import Held, count, held
from storage.templates import TemplateRegistry, UnknownTemplate
from workers import converter
from workers.pdf_readiness import report_converter
from workers.reconcile import reconcile_if_redis_was_lost, requeue_stranded
from workers.recovery import release_dead_scheduler_lock, requeue_abandoned
from workers.render import prepared
from workers.scheduled_purge import purge_when_due
from workers.submit import RENDER_JOB

__all__ = ["InProcessWorker", "PreparingWorker", "prepare_active_templates"]

log = logging.getLogger(__name__)

_rendered_once: set[str] = set()
"""Template versions (sha256 and paper) whose sample this process has rendered."""


def _render_sample(doc_type: str, template: Any) -> None:
    key = f"{template.sha256}:{template.paper}"
    if key in _rendered_once:
        return
    _rendered_once.add(key)  # once, even when it fails: a broken sample must not cost every job
    from workers.template_checks import sample_context

    ready = prepared(template.content, template.sha256, template.paper)
    if ready is not None:
        # Straight through the prepared template: charts stay undrawn (matplotlib would load
        # in the parent, seconds before the first job); the document itself is thrown away.
        ready.render(sample_context(doc_type, get_settings()))


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
            _render_sample(doc_type, template)
        except Exception:
            log.exception("could not prepare template %s v%s", doc_type, template.version)


class PreparingWorker(Worker):
    """RQ's forking worker that prepares the active templates before forking each horse, and whose
    maintenance recovers a dead worker's jobs and scheduler lock within seconds (workers.recovery)."""

    def execute_job(self, job: Any, queue: Any) -> None:
        with self._job_context(job):
            super().execute_job(job, queue)

    @staticmethod
    def _prepare_templates() -> None:
        prepare_active_templates(TemplateRegistry.for_settings(get_settings()))

    @contextmanager
    def _job_context(self, job: Any) -> Iterator[None]:
        # Bound before the fork: the horse inherits the ids, and the parent's lines about the job carry them.
        tokens = (request_id_var.set((job.meta or {}).get("request_id")), job_id_var.set(job.id))
        try:
            self._prepare_templates()
            yield
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


PREPARE_EVERY = 5.0
"""Seconds between two looks of an in-process worker for a newly activated template version. Its
renders prepare any version on first use and keep it (workers.render.prepared); looking ahead only
spares the first document after an activation that cost, so it need not be paid per job."""

HEARTBEAT_SLACK = 5.0
"""An in-process worker skips RQ's unpipelined worker heartbeat while its key's expiry is still within
this many seconds of what the beat would set: RQ beats two to three times around every dequeue."""


class _JobHeartbeat(threading.Thread):
    """Keeps one running job's heartbeats up, as a forking worker's monitor loop does: a beat every job
    monitoring interval while the job runs (a short job ends before its first). One per job, joined
    when the job ends: no thread of ours is alive when the worker forks (RQ's scheduler is forked from
    the worker's maintenance, between jobs)."""

    def __init__(self, worker: InProcessWorker, job: Any, execution: Any) -> None:
        super().__init__(name="job-heartbeat", daemon=True)
        self.worker, self.job, self.execution = worker, job, execution
        self.stopped = threading.Event()
        self.lock = threading.Lock()

    def stop(self) -> None:
        # Under the lock a beat is sent with: none lands after the execution ended (it would put a
        # finished execution back in the started registry).
        with self.lock:
            self.stopped.set()

    def run(self) -> None:
        while not self.stopped.wait(self.worker.job_monitoring_interval):
            with self.lock:
                if self.stopped.is_set():
                    return
                try:
                    self.worker.maintain_heartbeats(self.job, self.execution)
                except Exception:  # a missed beat is retried at the next interval
                    log.exception("could not refresh the heartbeat of job %s", self.job.id)


class InProcessWorker(PreparingWorker):
    """PreparingWorker running each job in its own process instead of a forked horse, as RQ's
    SimpleWorker does, but with RQ's heartbeats kept up while the job runs (a thread beats every job
    monitoring interval, as a forking worker's monitor loop does): a worker dead mid-job, on this host
    or another, is recognised and its job run again as fast as a forking worker's. Job time limits
    still hold (SIGALRM in this process).

    Per job it also spares what only a forking worker needs, since single documents are short and
    RQ's bookkeeping is a large part of their cost (bench/README.md, issue 17): the templates are
    looked at every PREPARE_EVERY seconds instead of before each job; the worker's state and heartbeat
    go in one round trip after each job, and RQ's repeated heartbeats around a dequeue are skipped
    while the last one is fresh; a finished job's own heartbeat is not sent again right before its
    success is recorded (its execution was refreshed when it started, a minute ahead); RQ's two
    preparations of a job go in one transaction, and a render job's success, the return to idle and
    the look at `rq suspend` in another. 4 round trips per document instead of 22, and 38 Redis
    commands instead of 61: the worker's state and heartbeat are one HSET, the job's heartbeat is not
    set twice, a render job's status goes in the HSET of its hash and the expiry of the dependents
    keys it never has is not set, and RQ's "Job OK" line is not logged beside "Successfully
    completed"."""

    log_result_lifespan = False  # "result is kept for N seconds": a log line per job that says nothing new

    _prepared_at = float("-inf")
    _key_expires_at = float("-inf")
    _heartbeat: _JobHeartbeat | None = None
    _held_metrics: Held | None = None
    _not_suspended = False
    _prepared_job_id: str | None = None
    _idle_again = False

    def _prepare_templates(self) -> None:
        if time.monotonic() - self._prepared_at >= PREPARE_EVERY:
            self._prepared_at = time.monotonic()
            super()._prepare_templates()

    def register_birth(self, *args: Any, **kwargs: Any) -> None:
        super().register_birth(*args, **kwargs)
        self._prepare_templates()  # before the first job, not during it

    def execute_job(self, job: Any, queue: Any) -> None:
        converter.jobs_run_in_this_process = True  # the converter a job starts is this worker's
        self._idle_again = False
        with self._job_context(job), held(self.connection) as self._held_metrics:
            execution = self.prepare_execution(job)
            self._heartbeat = _JobHeartbeat(self, job, execution)
            self._heartbeat.start()
            try:
                self.perform_job(job, queue, execution)
            finally:
                self._heartbeat.stop()
                self._heartbeat.join()
                self._heartbeat = None
            if self._idle_again:
                self._state = WorkerStatus.IDLE  # stored already, with the job's success
            else:
                with self.connection.pipeline() as pipeline:
                    self.set_state(WorkerStatus.IDLE, pipeline=pipeline)
                    self.heartbeat(pipeline=pipeline)
                    pipeline.execute()

    def check_for_suspension(self, burst: bool) -> None:
        not_suspended, self._not_suspended = self._not_suspended, False
        if not not_suspended:  # unless read in the transaction that ended the job just now
            super().check_for_suspension(burst)

    def prepare_execution(self, job: Any) -> Any:
        """RQ's two preparations of a job (the worker's, then the horse's: prepare_job_execution) in
        one transaction: there is no horse."""
        with self.connection.pipeline() as pipeline:
            ttl = self.get_heartbeat_ttl(job)
            execution = Execution.create(job, ttl, pipeline=pipeline, worker_name=self.name)
            self.executions[execution.id] = execution
            # RQ's set_state and heartbeat each send an HSET of the worker's hash: one here.
            self._state = WorkerStatus.BUSY
            self._beat(ttl, pipeline, state=WorkerStatus.BUSY)
            # RQ's job.heartbeat sets the job's last_heartbeat, which prepare_for_execution sets again.
            job.last_heartbeat = now()
            job.prepare_for_execution(self.name, pipeline=pipeline)
            pipeline.persist(job.key)
            if len(self.queues) == 1:  # RQ's crash-safe dequeue left the job in the intermediate queue
                pipeline.lrem(self.queue_class(job.origin, connection=self.connection).intermediate_queue_key,
                              1, job.id)
            pipeline.execute()
        self._prepared_job_id = job.id
        return execution

    def prepare_job_execution(self, job: Any, remove_from_intermediate_queue: bool = False) -> None:
        if self._prepared_job_id == job.id:
            self._prepared_job_id = None  # done in prepare_execution
            return
        super().prepare_job_execution(job, remove_from_intermediate_queue)

    def increment_successful_job_count(self, pipeline: Any = None) -> None:
        super().increment_successful_job_count(pipeline=pipeline)
        if pipeline is not None and self._held_metrics is not None:
            self._held_metrics.into(pipeline)  # the job's metrics go in RQ's transaction recording its end

    def handle_job_success(self, job: Any, queue: Any, started_job_registry: Any, execution: Any) -> None:
        if job.func_name != RENDER_JOB or job.repeats_left:
            super().handle_job_success(job, queue, started_job_registry, execution)
        else:
            self._render_succeeded(job, queue, execution)
        if self._held_metrics is not None:
            self._held_metrics.clear()  # sent with RQ's transaction

    def _render_succeeded(self, job: Any, queue: Any, execution: Any) -> None:
        """RQ's handle_job_success for a render job, in one transaction with the worker's return to
        idle: RQ's own first watches the job's dependents and reads them (two round trips), and a
        render job has none (enqueue_render is its only producer; nothing depends on it)."""
        count(self.connection, "jobs", queue=queue.name, outcome="finished")  # held: goes in the pipeline
        with self.connection.pipeline() as pipeline:
            self.increment_successful_job_count(pipeline=pipeline)
            self.increment_total_working_time(job.ended_at - job.started_at, pipeline)
            result_ttl = job.get_result_ttl(self.default_result_ttl)
            job._status = JobStatus.FINISHED
            if result_ttl != 0:
                # RQ's job._handle_success without its own HSET of the status: the job's hash has it.
                job.save(pipeline=pipeline, include_meta=False, include_result=False)
                Result.create(job, Result.Type.SUCCESSFUL, return_value=job._result, ttl=result_ttl,
                              worker_name=self.name, pipeline=pipeline, execution_id=execution.id,
                              execution_started_at=execution.created_at, execution_ended_at=job.ended_at)
                job.finished_job_registry.add(job, result_ttl, pipeline)
            if result_ttl and result_ttl > 0:
                # RQ's job.cleanup also sets the expiry of the job's dependents and dependencies keys,
                # which a render job never has.
                pipeline.expire(job.key, result_ttl)
            else:
                job.cleanup(result_ttl, pipeline=pipeline, remove_from_queue=False)
            self.cleanup_execution(job, pipeline=pipeline, execution=execution)
            # Stored idle, but busy for RQ's signal handling until perform_job has returned: a SIGTERM
            # now must wait for the job's end instead of raising into it (the job would count as failed).
            self._beat(self.worker_ttl + 60, pipeline, state=WorkerStatus.IDLE)
            pipeline.exists(WORKERS_SUSPENDED)  # what RQ asks before the next dequeue (`rq suspend`)
            self._not_suspended = not pipeline.execute()[-1]
        self._idle_again = True
        self.log.info("Successfully completed %s job in %ss on worker %s", job.description,
                      job.ended_at - job.started_at, self.name)

    def set_state(self, state: str, pipeline: Any = None) -> None:
        if pipeline is None and state == getattr(self, "_state", None) and time.monotonic() < self._key_expires_at:
            return  # already stored (RQ sets "idle" again before each dequeue)
        super().set_state(state, pipeline=pipeline)

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        ttl = timeout or self.worker_ttl + 60
        if pipeline is None and self._key_expires_at - time.monotonic() >= ttl - HEARTBEAT_SLACK:
            return
        super().heartbeat(timeout, pipeline=pipeline)
        self._key_expires_at = time.monotonic() + ttl

    def _beat(self, ttl: int, pipeline: Any, **fields: str) -> None:
        """RQ's worker heartbeat in ``pipeline``, with ``fields`` set in the same HSET."""
        self.last_heartbeat = now()
        pipeline.hset(self.key, mapping={**fields, "last_heartbeat": utcformat(self.last_heartbeat)})
        pipeline.expire(self.key, ttl)
        pipeline.expire(self.executions_key, ttl)
        self._key_expires_at = time.monotonic() + ttl

    def _finalize_success(self, job: Any, queue: Any, execution: Any, return_value: Any) -> None:
        """RQ's, for a render job, without its "Job OK" log line: the job's success is logged once,
        with its duration (_render_succeeded)."""
        if job.func_name != RENDER_JOB or job.repeats_left or isinstance(return_value, Retry) \
                or job.success_callback is not None:
            super()._finalize_success(job, queue, execution, return_value)
            return
        self.handle_execution_ended(job, queue, job.success_callback_timeout)
        job._result = return_value
        job._status = JobStatus.FINISHED
        self.handle_job_success(job=job, queue=queue, started_job_registry=queue.started_job_registry,
                                execution=execution)
        job.send_webhooks(JobStatus.FINISHED)

    def handle_execution_ended(self, job: Any, queue: Any, heartbeat_ttl: int) -> None:
        if self._heartbeat is not None:
            self._heartbeat.stop()
        if job.get_status(refresh=False) == JobStatus.FAILED or job.success_callback is not None:
            super().handle_execution_ended(job, queue, heartbeat_ttl)  # a callback runs next: beat for it
        else:
            job.ended_at = now()
