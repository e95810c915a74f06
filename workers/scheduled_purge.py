"""Retention run by the workers themselves: once every DOCGEN_PURGE_INTERVAL_HOURS (a day by
default), the first worker whose maintenance finds the period's Redis key unset takes it
(SET NX with the period as its expiry: the key is both the lock and the schedule) and purges
what DOCGEN_RETENTION_YEARS and DOCGEN_FILE_RETENTION_DAYS no longer keep (storage.retention).

A purge that fails gives the key back, so the next maintenance tries again; a lost Redis only
makes the next purge come early, and purging twice deletes nothing more.
"""

from __future__ import annotations

import datetime as dt
import logging

from redis import Redis

from config.settings import Settings
from storage.database import database_for
from storage.records import utcnow
from storage.retention import Purged, purge

__all__ = ["LAST_PURGE", "purge_when_due"]

log = logging.getLogger(__name__)

LAST_PURGE = "docgen:retention:last-purge"
"""Redis key held for one purge interval by the worker that ran the period's purge (value: when)."""


def purge_when_due(connection: Redis, settings: Settings, now: dt.datetime | None = None) -> Purged | None:
    """Purge if no worker has in the current interval; None when it was not this worker's turn
    (or scheduled purging is off: DOCGEN_PURGE_INTERVAL_HOURS=0)."""
    hours = settings.purge_interval_hours
    if not hours or not connection.set(LAST_PURGE, utcnow(), nx=True, ex=hours * 3600):
        return None
    try:
        done = purge(database_for(settings.database_url), settings.documents_dir, settings.retention_years,
                     settings.file_retention_days, now=now)
    except Exception:
        connection.delete(LAST_PURGE)
        raise
    if done.records or done.files:
        log.info("retention purge: %s records past %s years, %s files deleted", done.records,
                 settings.retention_years, done.files)
    return done
