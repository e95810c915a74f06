"""Named domain errors: what was wrong with a payload, field by field, as codes of the
message table (sakip/messages.py) so each reader gets them in their language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sakip.messages import DEFAULT_LANGUAGE, message

__all__ = ["FieldError", "FieldProblem", "InvalidPayload", "ReadError"]


@dataclass(frozen=True)
class FieldProblem:
    """One bad field: ``loc`` is the dotted path into the request, ``code`` keys the message
    table and ``params`` fill it. ``msg`` is the Indonesian sentence."""

    loc: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The sentence in ``lang``."""
        return message(self.code, self.params, lang)

    @property
    def msg(self) -> str:
        return self.message()


class InvalidPayload(Exception):
    """A payload broke one or more rules; ``problems`` names every bad field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.loc}: {p.msg}" for p in problems))
        self.problems = problems


class ReadError(ValueError):
    """A value that could not be read; ``code`` keys the message table, ``params`` fill it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class FieldError(ReadError):
    """Raised inside a model validator for a rule across fields; ``loc`` is relative to that model."""

    def __init__(self, loc: str, code: str, **params: Any) -> None:
        super().__init__(code, **params)
        self.loc = loc
