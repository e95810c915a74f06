"""Idempotency-Key on POST /api/v1/documents and /api/v1/batches: a retried POST gets the same resource.

Per client and resource kind, a key maps to the SHA-256 of the request body and the answer first
given (which holds the id). The key is claimed with SET NX, so of two concurrent requests with one
key exactly one creates the resource; the other replays its answer, or gets 409 when its body
differs. The record in the database keeps the key's hash too, so a retry still finds its resource
after Redis was lost.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import request

from service.auth import current_client
from service.problems import Problem
from service.state import state

__all__ = ["HEADER", "Idempotency"]

HEADER = "Idempotency-Key"
"""The request header clients send."""

KEY_PREFIX = "docgen:idem:"
"""Prefix of the Redis string holding one key's body hash and answer."""

MAX_KEY_LENGTH = 255
"""Longest accepted Idempotency-Key."""


class Idempotency:
    """The request's Idempotency-Key (if any) for one kind of resource and one body fingerprint."""

    def __init__(self, kind: str, fingerprint: str,
                 durable: Callable[[str], tuple[str, dict[str, Any]] | None] | None = None) -> None:
        value = request.headers.get(HEADER)
        if value is not None and not (0 < len(value.strip()) <= MAX_KEY_LENGTH and value.isprintable()):
            raise Problem.coded(400, "idempotency_key_format", {"header": HEADER, "maks": MAX_KEY_LENGTH},
                                errors=[{"loc": f"header.{HEADER}", "msg": "invalid"}])
        self.key = value.strip() if value is not None else None
        self.fingerprint = fingerprint
        self.durable = durable
        self.redis_key = self.key_sha256 = ""
        if self.key is not None:
            self.key_sha256 = hashlib.sha256(self.key.encode("utf-8")).hexdigest()
            self.redis_key = f"{KEY_PREFIX}{kind}:{current_client().name}:{self.key_sha256}"

    @staticmethod
    def body_hash(*parts: bytes | str) -> str:
        """SHA-256 over the request's parts (raw JSON, or a form's fields and file)."""
        digest = hashlib.sha256()
        for part in parts:
            data = part.encode("utf-8") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()

    def previous(self) -> dict[str, Any] | None:
        """The answer given before for this key and body; None if the key is new or absent.
        Raises Problem 409 when the key was used with a different body."""
        if self.key is None:
            return None
        raw = state().redis.get(self.redis_key)
        if raw is not None:
            stored = json.loads(raw)
            sha256, answer = stored["sha256"], stored["answer"]
        elif self.durable is not None and (found := self.durable(self.key_sha256)) is not None:
            sha256, answer = found  # Redis lost the key (flushed, replaced): the system of record has it
        else:
            return None
        if sha256 != self.fingerprint:
            raise Problem.coded(409, "idempotency_key_dipakai", {"header": HEADER, "kunci": self.key},
                                resource_id=answer["id"])
        return answer

    def record_fields(self) -> dict[str, str]:
        """What the resource's record keeps of the key, so ``durable`` can find it later."""
        return {"idempotency": self.key_sha256, "request_sha256": self.fingerprint} if self.key else {}

    def claim(self, answer: dict[str, Any]) -> dict[str, Any] | None:
        """Claim the key for ``answer`` (SET NX). None when claimed: go on and create the resource;
        else the answer of the request that claimed it first (or Problem 409)."""
        if self.key is None:
            return None
        st = state()
        value = json.dumps({"sha256": self.fingerprint, "answer": answer}, ensure_ascii=False)
        if st.redis.set(self.redis_key, value, nx=True, ex=st.settings.record_ttl_days * 86400):
            return None
        return self.previous()

    def release(self) -> None:
        """Forget a claim whose resource could not be created, so a retry can create it."""
        if self.key is not None:
            state().redis.delete(self.redis_key)

    @staticmethod
    def replayed(answer: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """The response for a replayed request: the first answer again, marked as a replay."""
        return answer, 202, {"Location": answer["links"]["self"], "Idempotent-Replayed": "true"}
