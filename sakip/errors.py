"""Named domain errors: what was wrong with a payload, field by field."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FieldError", "FieldProblem", "InvalidPayload"]


@dataclass(frozen=True)
class FieldProblem:
    """One bad field: ``loc`` is the dotted path into the request, ``msg`` a readable sentence."""

    loc: str
    msg: str


class InvalidPayload(Exception):
    """A payload broke one or more rules; ``problems`` names every bad field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.loc}: {p.msg}" for p in problems))
        self.problems = problems


class FieldError(ValueError):
    """Raised inside a model validator for a rule across fields; ``loc`` is relative to that model."""

    def __init__(self, loc: str, msg: str) -> None:
        super().__init__(msg)
        self.loc = loc
