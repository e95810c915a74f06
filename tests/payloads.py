"""Editing request bodies in tests: one field at a given dotted path set, or removed."""

from __future__ import annotations

import copy
from typing import Any

DELETE = object()
"""Pass as the value to remove the field."""


def with_value(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``body`` with the field at ``path`` ("data.sasaran.0.target") set to ``value``
    (missing objects on the way are created), or removed when ``value`` is DELETE."""
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    target: Any = body
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    if value is DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return body
