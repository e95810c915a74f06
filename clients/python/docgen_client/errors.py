"""What the client raises: the service could not be reached, or it answered with a problem."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "DocgenError", "ServiceUnreachable"]


class DocgenError(Exception):
    """Anything the client could not do."""


class ServiceUnreachable(DocgenError):
    """No answer from the service at ``url`` (refused, unknown host, timed out)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach the service at {url} ({reason})")
        self.url, self.reason = url, reason


class ApiError(DocgenError):
    """The service answered with an error: its status, the RFC 7807 problem and field errors."""

    def __init__(self, status: int, url: str, problem: dict[str, Any]) -> None:
        self.status, self.url, self.problem = status, url, problem
        self.detail: str = str(problem.get("detail") or problem.get("title") or f"HTTP {status}")
        self.errors: list[dict[str, Any]] = list(problem.get("errors") or [])
        fields = "; ".join(f"{e.get('loc')}: {e.get('msg')}" for e in self.errors)
        super().__init__(f"{status} from {url}: {self.detail}" + (f" ({fields})" if fields else ""))
