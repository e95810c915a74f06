"""An operation's OpenAPI, declared beside its view: ``@operation(query=..., body=..., responses=...)``.

The decorator only attaches an ``OperationSpec`` to the view function; service/openapi.py reads it
when it builds /openapi.json. Models are pydantic classes (their JSON schema goes under
components); a request body may also be given as a ready OpenAPI ``content`` map for multipart or
binary uploads. Nothing here is chosen by comparing paths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["ATTRIBUTE", "OperationSpec", "Response", "operation", "spec_of"]

ATTRIBUTE = "__openapi_operation__"
"""Where a view keeps its spec."""

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class Response:
    """One answer of an operation: its description and body (a model, a list of variants, or a raw
    content map such as a file download's)."""

    description: str
    model: type[BaseModel] | None = None
    content: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    """Header name -> description."""


@dataclass(frozen=True)
class OperationSpec:
    query: type[BaseModel] | None = None
    """Each field is one query parameter (its schema, description and examples from the field)."""
    body: dict[str, Any] | None = None
    """The OpenAPI requestBody."""
    body_models: tuple[type[BaseModel], ...] = ()
    """Models the body refers to (by ``#/components/schemas/Name``), to include in components."""
    responses: dict[str, Response] = field(default_factory=dict)
    headers: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Request header name -> {schema, description}."""


def operation(*, query: type[BaseModel] | None = None, body: dict[str, Any] | None = None,
              body_models: tuple[type[BaseModel], ...] = (), responses: dict[int | str, Response] | None = None,
              headers: dict[str, dict[str, Any]] | None = None) -> Callable[[View], View]:
    """Attach the operation's OpenAPI to the view it decorates (the view itself is unchanged)."""
    spec = OperationSpec(query=query, body=body, body_models=body_models,
                         responses={str(k): v for k, v in (responses or {}).items()}, headers=headers or {})

    def attach(view: View) -> View:
        setattr(view, ATTRIBUTE, spec)
        return view

    return attach


def spec_of(view: Any) -> OperationSpec | None:
    """The spec a view declared, if any."""
    return getattr(view, ATTRIBUTE, None)
