"""The batch envelope {type, format, template_version, merge_per_agency, items: [{ref, group, data}]}.

Only the envelope is checked at submit; each item's data is validated on its own by the
worker, so one bad item fails alone and the rest of the batch goes on.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import Field

from sakip.envelope import doctype_named
from sakip.errors import FieldProblem, InvalidPayload
from sakip.models.common import Strict
from sakip.validation import validate_model

__all__ = ["BatchItem", "BatchRequest", "parse_batch_request"]


class BatchItem(Strict):
    """One document of a batch: the caller's reference (a row key, an employee id) and its data."""

    ref: str = Field(min_length=1, max_length=200, description="Caller's reference, unique in the batch.")
    data: dict[str, Any] = Field(description="The document's data, as in POST /api/v1/documents.")
    cells: dict[str, str] | None = Field(default=None, description="Internal: workbook cell of each field.")
    group: str | None = Field(default=None, min_length=1, max_length=200,
                              description="Print bundle of this item (merge_per_agency); default its agency's name.")


class BatchRequest(Strict):
    """Body of POST /api/v1/batches (JSON form)."""

    type: str = Field(description='Document type of every item, e.g. "pk".')
    format: Literal["docx", "pdf"] = Field(default="docx", description="Output format of every item.")
    template_version: int | None = Field(default=None, ge=1, description="Pin a template version.")
    strict: bool = Field(default=False, description="Fail each item that has quality warnings.")
    merge_per_agency: bool = Field(default=False, description=(
        "PDF batches: also one merged PDF per agency (items' group, else data.instansi.nama) in the "
        "items' order, a bookmark per official, in the archive's per-instansi/ folder."))
    items: list[BatchItem] = Field(min_length=1)


def parse_batch_request(body: Any, max_items: int) -> BatchRequest:
    """The checked envelope, or InvalidPayload naming every bad field."""
    if not isinstance(body, dict):
        raise InvalidPayload([FieldProblem("body", "body_objek")])
    if isinstance(body.get("items"), list) and len(body["items"]) > max_items:
        raise InvalidPayload([FieldProblem("items", "batch_terlalu_banyak", {"maks": max_items})])
    request = validate_model(BatchRequest, body)
    doctype_named(request.type)
    if request.merge_per_agency and request.format != "pdf":
        raise InvalidPayload([FieldProblem("merge_per_agency", "gabung_hanya_pdf")])
    duplicates = [ref for ref, count in Counter(item.ref for item in request.items).items() if count > 1]
    if duplicates:
        shown = ", ".join(repr(r) for r in duplicates[:5])
        raise InvalidPayload([FieldProblem("items", "ref_ganda", {"refs": shown})])
    return request
