"""What the views share, built once per app: settings, Redis, the queue, records, templates."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from redis import Redis
from rq import Queue

from config.settings import Settings
from signing.trust import load_trust_roots
from storage.apikeys import KeyRing, parse_env_keys
from storage.database import database_for
from storage.records import RecordStore
from storage.templates import TemplateRegistry

__all__ = ["REDIS_SOCKET_TIMEOUT", "ServiceState", "state"]

REDIS_SOCKET_TIMEOUT = 5
"""Seconds a web request waits on one Redis command; blocking reads use their own connection."""


@dataclass
class ServiceState:
    settings: Settings
    redis: Redis
    queue: Queue
    records: RecordStore
    templates: TemplateRegistry
    keys: KeyRing

    @classmethod
    def build(cls, settings: Settings) -> ServiceState:
        if not settings.redis_url:
            raise RuntimeError("DOCGEN_REDIS_URL is not set: start the service with `make run`, or point it at Redis")
        env_keys = parse_env_keys(settings.api_keys.get_secret_value()) if settings.api_keys else []
        keys = KeyRing(env_keys, settings.key_file, optional=settings.api_keys_file is None)
        if settings.require_keys and not keys.keys():
            raise RuntimeError("DOCGEN_REQUIRE_KEYS is set but no API key is configured: create one with "
                               "`docgen keys create NAME` (DOCGEN_API_KEYS_FILE) or set DOCGEN_API_KEYS")
        settings.check_public_url()
        load_trust_roots(settings.trust_roots)  # an unreadable root file stops the start, not an upload
        # Timeouts, so a Redis that is gone answers 503 within seconds instead of hanging the request.
        redis = Redis.from_url(settings.redis_url, socket_timeout=REDIS_SOCKET_TIMEOUT, socket_connect_timeout=2,
                               health_check_interval=30)
        return cls(
            settings=settings,
            redis=redis,
            queue=Queue(settings.queue, connection=redis),
            records=RecordStore(redis, settings.record_ttl_days * 86400, database_for(settings.database_url)),
            templates=TemplateRegistry.for_settings(settings),
            keys=keys,
        )


def state() -> ServiceState:
    """The current app's shared state."""
    return current_app.extensions["docgen"]
