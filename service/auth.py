"""Who is calling: the API key of a client application, checked before every /api/ view.

``Authorization: Bearer KEY`` names the client; a missing or unknown key is 401. With no keys
configured the API is open (the app logs a warning at start) and every caller is the anonymous
administrator. /healthz, /readyz, /verify/*, /openapi.json and /docs stay public.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, request

from service.problems import Problem
from service.ratelimit import check_rate
from service.signin_guard import check_not_blocked, note_failure
from service.state import state
from storage.record_types import BatchRecord, DocumentRecord

__all__ = ["ANONYMOUS", "Client", "current_client", "owns", "register_auth"]

PROTECTED_PREFIX = "/api/"
"""Paths that need a key."""


@dataclass(frozen=True)
class Client:
    """The calling client application; an admin sees every client's documents and batches."""

    name: str
    admin: bool


ANONYMOUS = Client(name="", admin=True)
"""The caller when no keys are configured."""


def _unauthorized(code: str) -> Problem:
    return Problem.coded(401, code, headers={"WWW-Authenticate": 'Bearer realm="docgen"'})


def authenticate() -> Client:
    """The client the request's key names. Raises Problem 401 for no key or an unknown one, and 429
    while the caller's address has sent too many unknown keys."""
    ring = state().keys
    if not ring.configured:
        return ANONYMOUS
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("kunci_api_wajib")
    check_not_blocked()
    key = ring.check(token)
    if key is None:
        note_failure("API key")
        raise _unauthorized("kunci_api_salah")
    return Client(name=key.name, admin=key.admin)


def current_client() -> Client:
    """The client of the current request."""
    return g.get("docgen_client", ANONYMOUS)


def owns(record: DocumentRecord | BatchRecord) -> bool:
    """Whether the current client may see a document or batch record."""
    client = current_client()
    return client.admin or record.client == client.name


def register_auth(app: Flask) -> None:
    """Check the key of every request under /api/, then the client's rate limit, before its view runs."""

    @app.before_request
    def _authenticate() -> None:
        if request.path.startswith(PROTECTED_PREFIX):
            g.docgen_client = authenticate()
            check_rate(g.docgen_client.name)
