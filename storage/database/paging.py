"""Listings newest first, filtered, a page at a time by keyset: one shape for documents and batches."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Table

__all__ = ["newest_first"]


def newest_first(query: Select[Any], table: Table, equal: dict[str, Any], *, created_after: str | None = None,
                 created_before: str | None = None, before: tuple[str, str] | None = None,
                 limit: int = 50) -> Select[Any]:
    """``query`` on ``table`` narrowed to the rows whose columns equal ``equal`` (None: any value) and
    created in the open interval, after the page that ended at ``before`` = (created_at, id), newest
    first: a page costs the same however deep it is."""
    for name, value in equal.items():
        if value is not None:
            query = query.where(table.c[name] == value)
    if created_after is not None:
        query = query.where(table.c.created_at > created_after)
    if created_before is not None:
        query = query.where(table.c.created_at < created_before)
    if before is not None:
        created, last_id = before
        # the first condition is redundant but sargable: with it the index range starts at the cursor
        # (SQLite and PostgreSQL read an OR of two comparisons as a filter over the whole range)
        query = query.where(table.c.created_at <= created,
                            (table.c.created_at < created) | ((table.c.created_at == created) & (table.c.id < last_id)))
    return query.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit)
