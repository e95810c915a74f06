"""Gets work held by a dead worker running again within a minute, instead of RQ's ~10-18.

RQ finds a dead worker's job only once the job's heartbeat has expired (every heartbeat is
"interval + 60 s" ahead), and a dead worker's scheduler lock blocks retries for the lock's 60 s
TTL. Both are refreshed often while their owner lives: a heartbeat every job monitoring interval,
the scheduler lock every second. So how far an expiry has *fallen behind* its usual distance says
how long its owner has been silent, without waiting for it to reach zero. These checks run in every
worker's maintenance; RQ's own clean-up (retry or fail, callbacks) then handles what they find.
"""

from __future__ import annotations

import logging
import os
import socket

from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry
from rq.scheduler import RQScheduler
from rq.utils import current_timestamp

from config.settings import get_settings

__all__ = ["RQ_HEARTBEAT_MARGIN", "release_dead_scheduler_lock", "requeue_abandoned"]

log = logging.getLogger(__name__)

RQ_HEARTBEAT_MARGIN = 60
"""Seconds RQ adds to every heartbeat and lock TTL beyond its refresh interval."""
_REAPER_LOCK = "docgen:reaper-lock:{queue}"
_RELEASE_IF_OWNER = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

# Deletes the lock only if it is still the same owner's and still decaying: a live scheduler that
# refreshed it in between keeps it.
_RELEASE_IF_STALE = """
local ttl = redis.call('TTL', KEYS[1])
if ttl >= 0 and ttl < tonumber(ARGV[2]) and redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def _dead_on_this_host(connection: Redis, worker_name: str) -> bool:
    """Whether ``worker_name`` ran on this host under a pid that no longer exists: dead for certain,
    no need to wait for its heartbeat (the usual case under `docgen run`'s supervisor)."""
    hostname, pid = connection.hmget(f"rq:worker:{worker_name}", "hostname", "pid")
    return (hostname is not None and hostname.decode() == socket.gethostname() and pid is not None
            and not os.path.exists(f"/proc/{int(pid)}"))


def _expire_executions_of_dead_workers(connection: Redis, registry: StartedJobRegistry) -> None:
    for entry in connection.zrange(registry.key, 0, -1):
        worker = connection.hget(f"rq:execution:{entry.decode()}", "worker_name")
        if worker and _dead_on_this_host(connection, worker.decode()):
            connection.zadd(registry.key, {entry: 1}, xx=True)  # expired long ago: the clean-up takes it


def requeue_abandoned(queue: Queue, monitoring_interval: int, exception_handlers: list | None = None) -> None:
    """Hand RQ's clean-up every started job whose worker is dead: a worker of this host whose process
    is gone, or any worker silent for DOCGEN_WORKER_SILENT_AFTER seconds.

    A live job's heartbeat keeps its expiry at least ``RQ_HEARTBEAT_MARGIN`` seconds ahead; one that
    is that many seconds behind its last refresh belongs to a dead worker. One worker at a time
    (a short lock), so a job is never requeued twice.
    """
    lock = _REAPER_LOCK.format(queue=queue.name)
    token = os.urandom(8).hex()
    if not queue.connection.set(lock, token, nx=True, ex=max(5, monitoring_interval)):
        return
    try:
        cutoff = current_timestamp() + monitoring_interval + RQ_HEARTBEAT_MARGIN - get_settings().worker_silent_after
        registry = StartedJobRegistry(queue.name, connection=queue.connection)
        _expire_executions_of_dead_workers(queue.connection, registry)
        stale = registry.get_expired_job_ids(cutoff)
        if stale:
            log.warning("requeueing jobs of a dead worker on %s: %s", queue.name, ", ".join(stale))
            registry.cleanup(timestamp=cutoff, exception_handlers=exception_handlers)
    finally:
        # released at once (if still ours): a worker that dies right after its clean-up must not
        # keep its replacement from cleaning up for the lock's lifetime
        queue.connection.eval(_RELEASE_IF_OWNER, 1, lock, token)


def release_dead_scheduler_lock(connection: Redis, queue_name: str, scheduler_interval: float) -> bool:
    """Delete the queue's scheduler lock when its holder is dead (a process of this host that is gone,
    or silent for DOCGEN_WORKER_SILENT_AFTER seconds), so this worker's scheduler takes over retries now instead of
    after the lock's TTL."""
    key = RQScheduler.get_locking_key(queue_name)
    owner = connection.get(key)
    if owner is None:
        return False
    hostname, pid = connection.hmget(f"rq:scheduler:{owner.decode()}", "hostname", "pid")
    dead_here = (hostname is not None and hostname.decode() == socket.gethostname() and pid is not None
                 and int(pid) > 0 and not os.path.exists(f"/proc/{int(pid)}"))
    fresh_ttl = int(scheduler_interval) + RQ_HEARTBEAT_MARGIN
    below = fresh_ttl + 1 if dead_here else fresh_ttl - get_settings().worker_silent_after
    released = bool(connection.eval(_RELEASE_IF_STALE, 1, key, owner, below))
    if released:
        log.warning("released the scheduler lock of %s held by a dead scheduler (%s)", queue_name, owner.decode())
    return released
