"""JSON out with every Decimal written as a JSON number, digit for digit.

Figures are read from JSON as Decimal (2.75 stays 2.75). Written back as strings they would
be read the Indonesian way next time ("2.75" is refused as ambiguous); as floats they would
lose digits. json.dumps can't write a raw number for an unknown type, so each Decimal goes out
as a marked string that is unquoted afterwards; the marker is random per call, so no string a
client sent can turn into a number.
"""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal
from typing import Any

__all__ = ["dumps"]


def dumps(value: Any) -> str:
    """``value`` as JSON text (UTF-8 characters kept), Decimals as numbers."""
    marker = uuid.uuid4().hex

    def number(item: Any) -> str:
        if isinstance(item, Decimal) and item.is_finite():
            return f"{marker}{item}{marker}"
        raise TypeError(f"{type(item).__name__} is not JSON")

    text = json.dumps(value, ensure_ascii=False, default=number)
    return re.sub(f'"{marker}([^"]*){marker}"', r"\1", text)
