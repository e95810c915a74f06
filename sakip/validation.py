"""Turns pydantic validation into InvalidPayload with dotted paths and message-table codes."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from doctypes.pk.model import UNION_TAGS
from sakip.errors import FieldError, FieldProblem, InvalidPayload, ReadError
from sakip.messages import GENERIC, MESSAGES

__all__ = ["problems_from", "validate_model"]

M = TypeVar("M", bound=BaseModel)

# Parameters pydantic puts in an error's context that are worth showing.
_SHOWN_CONTEXT = ("ge", "le", "gt", "lt", "min_length", "max_length", "expected", "max_digits",
                  "decimal_places", "whole_digits")


def _is_internal(part: object) -> bool:
    return isinstance(part, str) and ("[" in part or "(" in part)


def _coded(error: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The message code and parameters of one pydantic error; never pydantic's own text."""
    context = error.get("ctx") or {}
    cause = context.get("error")
    if isinstance(cause, ReadError):
        return cause.code, dict(cause.params)
    if isinstance(cause, ValueError):
        # A plain ValueError is a sentence one of our validators wrote, not pydantic's text.
        return str(cause), {}
    kind = error["type"]
    if kind in MESSAGES:
        params = {k: str(v) for k, v in context.items() if k in _SHOWN_CONTEXT}
        if "expected" in params:  # pydantic's "'a', 'b' or 'c'" in no language: "'a', 'b', 'c'"
            params["expected"] = params["expected"].replace(" or ", ", ")
        return kind, params
    return GENERIC, {}


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
        code, params = _coded(error)
        problems.append(FieldProblem(loc or prefix, code, params))
    return problems


def validate_model(model: type[M], data: Any, prefix: str = "") -> M:
    """``model`` validated from ``data``, or InvalidPayload naming every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidPayload(problems_from(exc, prefix)) from None
