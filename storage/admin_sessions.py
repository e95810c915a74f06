"""Sessions of the /admin page, kept in Redis: the browser holds only a random session id (in the
signed cookie); the session names the administrator and the hash of the key used to sign in, so
logging out, expiry or revoking that key ends it in every web process at once."""

from __future__ import annotations

import secrets
import time

from redis import Redis

__all__ = ["PREFIX", "AdminSessions"]

PREFIX = "docgen:admin-session:"
"""Prefix of one session's hash."""


class AdminSessions:
    """Create, look up (sliding expiry) and end admin sessions."""

    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl = ttl_seconds

    def create(self, name: str, digest: str) -> str:
        """A new session for the administrator ``name``; returns its id (256 random bits)."""
        session_id = secrets.token_urlsafe(32)
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(PREFIX + session_id, mapping={"name": name, "digest": digest, "created": str(int(time.time()))})
            pipe.expire(PREFIX + session_id, self.ttl)
            pipe.execute()
        return session_id

    def get(self, session_id: str | None) -> dict[str, str] | None:
        """The session (``name``, ``digest`` of the key that signed in, ``created``), its expiry
        renewed; None if unknown, ended or expired."""
        if not session_id:
            return None
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(PREFIX + session_id)
            pipe.expire(PREFIX + session_id, self.ttl)
            fields = pipe.execute()[0]
        if not fields:
            return None
        return {k.decode(): v.decode() for k, v in fields.items()}

    def end(self, session_id: str | None) -> None:
        """Forget the session (logout, or its key was revoked)."""
        if session_id:
            self.redis.delete(PREFIX + session_id)
