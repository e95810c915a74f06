"""Spreadsheet cells that stay text: a CSV or XLSX cell whose text starts with = + - @, a tab or a
carriage return is a formula to Excel and LibreOffice (CSV injection). OWASP's advice: prefix such a
cell with a single quote, which the spreadsheet shows as text and a reader can strip."""

from __future__ import annotations

from typing import Any

__all__ = ["FORMULA_STARTS", "text_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def text_cell(value: Any) -> Any:
    """``value`` as a cell that can't run: strings starting a formula get a leading quote; anything
    else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
