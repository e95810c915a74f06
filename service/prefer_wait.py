"""``Prefer: wait=N`` (RFC 7240) on POST /api/v1/documents: hold the answer until the document
has ended, at most N seconds (capped at MAX_WAIT_SECONDS), as a synchronous render would.

The wait blocks on the job's RQ result stream (XREAD BLOCK) over a connection of its own whose
socket timeout outlasts the block: the shared web connection cuts reads after
REDIS_SOCKET_TIMEOUT seconds. Each result is checked against the document record, which says
whether the document ended (a failed attempt that will be retried has not).
"""

from __future__ import annotations

import re
import time

from flask import request
from redis import Redis
from rq.results import Result

from service.state import state
from storage.records import IN_FLIGHT, DocumentRecord
from workers.submit import job_id_for

__all__ = ["MAX_WAIT_SECONDS", "preferred_wait", "wait_for_end"]

MAX_WAIT_SECONDS = 30
"""Longest a client may ask the intake to hold its answer."""

_WAIT = re.compile(r"(?:^|[,;]\s*)wait\s*=\s*\"?(\d+)\"?", re.IGNORECASE)


def preferred_wait() -> int:
    """Seconds the request's Prefer header asks to wait (0 when it asks none), at most MAX_WAIT_SECONDS.
    An unreadable preference is ignored, as RFC 7240 says."""
    match = None
    for value in request.headers.getlist("Prefer"):
        match = _WAIT.search(value) or match
    return min(int(match.group(1)), MAX_WAIT_SECONDS) if match else 0


def wait_for_end(doc_id: str, seconds: int) -> DocumentRecord | None:
    """The document's record once it has ended (finished or failed for good) within ``seconds``;
    None when it is still queued or running then."""
    st = state()
    deadline = time.monotonic() + seconds
    stream, last = Result.get_key(job_id_for(doc_id)), "0-0"
    connection = Redis.from_url(st.settings.redis_url, socket_timeout=seconds + 5, socket_connect_timeout=2)
    try:
        while True:
            record = st.records.get(doc_id)
            if record is None or record.status not in IN_FLIGHT:
                return record
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            if remaining_ms <= 0:
                return None
            # short blocks: a failed attempt's record is updated just after its result is written
            answer = connection.xread({stream: last}, block=min(remaining_ms, 1000))
            if answer:
                last = answer[0][1][-1][0]
    finally:
        connection.close()
