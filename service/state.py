"""What the views share, built once per app: settings, Redis, the queue, records, templates."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from redis import Redis
from rq import Queue

from config.settings import Settings
from storage.records import RecordStore
from storage.templates import TemplateRegistry

__all__ = ["ServiceState", "state"]


@dataclass
class ServiceState:
    settings: Settings
    redis: Redis
    queue: Queue
    records: RecordStore
    templates: TemplateRegistry

    @classmethod
    def build(cls, settings: Settings) -> ServiceState:
        if not settings.redis_url:
            raise RuntimeError("DOCGEN_REDIS_URL is not set: start the service with `make run`, or point it at Redis")
        redis = Redis.from_url(settings.redis_url)
        return cls(
            settings=settings,
            redis=redis,
            queue=Queue(settings.queue, connection=redis),
            records=RecordStore(redis, settings.record_ttl_days * 86400),
            templates=TemplateRegistry(settings.templates_dir),
        )


def state() -> ServiceState:
    """The current app's shared state."""
    return current_app.extensions["docgen"]
