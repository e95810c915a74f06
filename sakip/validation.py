"""Turns pydantic validation into InvalidPayload with dotted paths and plain messages."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sakip.errors import FieldError, FieldProblem, InvalidPayload
from sakip.models.pk import UNION_TAGS

__all__ = ["problems_from", "validate_model"]

M = TypeVar("M", bound=BaseModel)


def _message(error: dict[str, Any]) -> str:
    msg = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg


def _is_internal(part: object) -> bool:
    return isinstance(part, str) and ("[" in part or "(" in part)


def problems_from(exc: ValidationError, prefix: str = "") -> list[FieldProblem]:
    """Every error of ``exc`` as a FieldProblem whose loc starts with ``prefix``."""
    problems = []
    for error in exc.errors():
        # Union branch tags ("grup", "function-after[...]") are pydantic's, not the client's path.
        parts = [str(p) for p in error["loc"] if p not in UNION_TAGS and not _is_internal(p)]
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):
            parts.append(cause.loc)
        loc = ".".join(([prefix] if prefix else []) + parts)
        problems.append(FieldProblem(loc=loc or prefix, msg=_message(error)))
    return problems


def validate_model(model: type[M], data: Any, prefix: str = "") -> M:
    """``model`` validated from ``data``, or InvalidPayload naming every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidPayload(problems_from(exc, prefix)) from None
