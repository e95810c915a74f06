"""The Pohon Kinerja as the service knows it: its model, context and file name. It has no
signatories (the verify page shows the government and the year) and no batch workbook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from doctypes.pk.model import PKData
from doctypes.pohon_kinerja.context import pohon_kinerja_context
from doctypes.pohon_kinerja.model import PohonKinerjaData
from sakip.document_type import DocumentType
from sakip.errors import FieldProblem, InvalidPayload

__all__ = ["POHON_KINERJA"]


def _filename_parts(data: PohonKinerjaData) -> list[str]:
    return ["Pohon-Kinerja", str(data.tahun), data.instansi.nama]


def _valid_pk(raw: Any) -> bool:
    try:
        PKData.model_validate(raw)
    except (ValidationError, ValueError):
        return False
    return True


def _expand(data: dict[str, Any], batch_items: Callable[[str], list[dict[str, Any]] | None]) -> dict[str, Any]:
    """A request naming a ``batch`` (and no ``pk``) gets the batch's valid PKs as ``pk``; a batch the
    caller doesn't have is a 422 at data.batch."""
    batch_id = data.get("batch")
    if not isinstance(batch_id, str) or "pk" in data:
        return data  # the model says what is wrong with it
    items = batch_items(batch_id)
    if items is None:
        raise InvalidPayload([FieldProblem("data.batch", "batch_tidak_ada", {"id": batch_id})])
    pks = [{"ref": str(i.get("ref")), "data": i["data"]} for i in items
           if not i.get("errors") and _valid_pk(i.get("data"))]
    return {**{k: v for k, v in data.items() if k != "batch"}, "pk": pks}


POHON_KINERJA = DocumentType(
    name="pohon_kinerja", title="Pohon Kinerja", model=PohonKinerjaData, context=pohon_kinerja_context,
    filename_parts=_filename_parts, expand=_expand,
)
"""The Pohon Kinerja."""
