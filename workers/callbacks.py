"""Callback deliveries: when a document ends (finished or failed), POST a signed JSON event to
the client's callback_url. Runs on its own queue and workers, so a slow receiver never holds
up a render; retried with backoff through RQ's Retry on 5xx, time-outs and connection errors.

Signature: X-Signature: sha256=HEX, the HMAC-SHA256 with DOCGEN_WEBHOOK_SECRET of
"{X-Docgen-Timestamp}.{raw body}", so a receiver can refuse replays of old events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

from rq import get_current_job

from config.logs import request_id_var
from config.settings import get_settings
from storage.callback_urls import UnsafeCallback, resolve_callback
from storage.metrics import count
from storage.records import RecordStore
from workers.pinned_http import post_pinned

__all__ = ["deliver_callback", "sign"]

log = logging.getLogger(__name__)


class CallbackNotDelivered(Exception):
    """The receiver was unreachable or answered 5xx/408/429: RQ retries later."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Signature value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def deliver_callback(doc_id: str) -> str:
    """Send the event of document ``doc_id``; the outcome is kept in the record."""
    job = get_current_job()
    assert job is not None
    settings = get_settings()
    records = RecordStore(job.connection, settings.record_ttl_days * 86400)
    record = records.get(doc_id)
    if record is None or not record.callback_url or not settings.webhook_secret:
        return "nothing to deliver"
    url = record.callback_url
    try:
        # again: the name may resolve elsewhere now; the connection goes to the address checked here
        target = resolve_callback(url, settings.callback_allow)
    except UnsafeCallback as exc:
        records.note_callback(doc_id, f"refused: {exc}")
        count(job.connection, "callbacks", outcome="refused")
        return "refused"
    base = f"{settings.base_url}/api/v1/documents/{doc_id}"
    event = {"id": doc_id, "status": record.status, "links": {"self": base, "file": f"{base}/file"},
             "error": record.error or None}
    body = json.dumps(event, ensure_ascii=False).encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json", "User-Agent": "docgen-sakip-callback/1",
        "X-Docgen-Timestamp": timestamp, "X-Docgen-Event": f"document.{record.status}",
        "X-Signature": sign(settings.webhook_secret, timestamp, body),
    }
    if request_id_var.get():
        headers["X-Request-ID"] = request_id_var.get()  # the receiver can match it with the request it sent
    try:
        # A redirect is the answer, never followed: it could lead past the address check.
        status = post_pinned(target, body, headers, settings.callback_timeout)
    except OSError as exc:
        records.note_callback(doc_id, f"unreachable: {type(exc).__name__}; retrying")
        count(job.connection, "callbacks", outcome="retrying")
        raise CallbackNotDelivered(f"{url}: {exc}") from None
    if 200 <= status < 300:
        records.note_callback(doc_id, f"delivered ({status})")
        count(job.connection, "callbacks", outcome="delivered")
        return "delivered"
    if status >= 500 or status in (408, 429):
        records.note_callback(doc_id, f"answered {status}; retrying")
        count(job.connection, "callbacks", outcome="retrying")
        raise CallbackNotDelivered(f"{url} answered {status}")
    records.note_callback(doc_id, f"rejected ({status})")  # the receiver refused it: retrying won't help
    count(job.connection, "callbacks", outcome="rejected")
    return "rejected"
