"""Reading request bodies: JSON with exact decimals, under a size limit, with clear errors."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import request

from service.problems import Problem

__all__ = ["read_json_body"]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def read_json_body(max_bytes: int | None = None) -> tuple[str, Any]:
    """The raw body text and its parsed value, decimals exact (2.75 stays 2.75).

    Raises Problem 415 (not JSON), 400 (malformed); werkzeug raises 413 above the limit.
    """
    if request.mimetype and not (request.mimetype == "application/json" or request.mimetype.endswith("+json")):
        raise Problem.coded(415, "bukan_json")
    if max_bytes is not None:
        request.max_content_length = max_bytes
    raw = request.get_data(cache=False)
    try:
        text = raw.decode("utf-8")
        return text, json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise Problem.coded(400, "json_rusak", {"alasan": str(exc)}) from None
