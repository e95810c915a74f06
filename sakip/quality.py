"""Quality warnings: what a reviewer (the Inspektorat's reviu) would question in a valid
document. They never stop a document, unless the request asks for ``"strict": true``.

The checks of each document type live in its folder (doctypes/<type>/quality.py) and use the
shared ones here. Each warning is a code of the message table (sakip/messages.py), the dotted path of the
field it is about (as in validation errors) and the parameters of its sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sakip.errors import FieldProblem
from sakip.formatting import format_angka, format_rupiah
from sakip.messages import DEFAULT_LANGUAGE, message

__all__ = ["CASCADE_WARNING_CODES", "WARNING_CODES", "QualityWarning", "duplicate_indicators", "indicator_checks",
           "quality_warnings", "sen_warnings", "warnings_as_problems"]

WARNING_CODES = (
    "indikator_tanpa_satuan", "target_bukan_angka", "triwulan_tw4_beda", "indikator_ganda", "anggaran_sen",
    "target_negatif", "tanggal_di_luar_tahun", "capaian_tanpa_analisis", "bagian_kosong", "predikat_ejaan",
)
"""Every warning this module can give (the README lists each)."""

CASCADE_WARNING_CODES = (
    "pk_tanpa_atasan", "atasan_tidak_ada", "atasan_tingkat_salah", "atasan_siklus", "sasaran_tanpa_induk",
    "mendukung_tidak_ada", "sasaran_tanpa_pendukung",
)
"""The alignment findings about a list of PKs (sakip.cascade; the README lists each)."""

_NO_UNIT = {"", "-", "–", "—", "n/a", "na", "tanpa satuan"}


@dataclass(frozen=True)
class QualityWarning:
    """One finding: ``code`` keys the message table, ``loc`` is the field's dotted path."""

    code: str
    loc: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return message(self.code, self.params, lang)

    def to_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        """{code, loc, msg} as records, batches and clients see it."""
        return {"code": self.code, "loc": self.loc, "msg": self.message(lang)}

    def to_stored(self) -> dict[str, Any]:
        """{code, loc, msg, params}: what a record keeps, so each reader gets its language."""
        return {**self.to_dict(), "params": {k: str(v) for k, v in self.params.items()}}


def _printed(value: Decimal | str) -> str:
    return format_angka(value) if isinstance(value, Decimal) else value


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _known_text(value: str, mappings: Mapping[str, Mapping[str, Decimal]]) -> bool:
    folded = value.strip().casefold()
    return any(folded in {k.strip().casefold() for k in table} for table in mappings.values())


def indicator_checks(loc: str, uraian: str, satuan: str | None, target: Decimal | str,
                      mappings: Mapping[str, Mapping[str, Decimal]]) -> Iterable[QualityWarning]:
    if satuan is None or _key(satuan) in _NO_UNIT:
        yield QualityWarning("indikator_tanpa_satuan", f"{loc}.satuan", {"indikator": uraian})
    if isinstance(target, str) and not _known_text(target, mappings):
        yield QualityWarning("target_bukan_angka", f"{loc}.target", {"indikator": uraian, "nilai": target})
    if isinstance(target, Decimal) and target < 0:
        yield QualityWarning("target_negatif", f"{loc}.target", {"nilai": format_angka(target)})


def duplicate_indicators(indicators: list[tuple[str, str]]) -> Iterable[QualityWarning]:
    first: dict[str, str] = {}
    for loc, uraian in indicators:
        key = _key(uraian)
        if key in first:
            yield QualityWarning("indikator_ganda", f"{loc}.uraian", {"indikator": uraian, "pertama": first[key]})
        else:
            first[key] = loc


def sen_warnings(loc: str, amount: Decimal) -> Iterable[QualityWarning]:
    if amount != amount.to_integral_value():
        yield QualityWarning("anggaran_sen", loc, {"jumlah": format_rupiah(amount)})


def quality_warnings(data: Any, prefix: str = "data") -> list[QualityWarning]:
    """Every warning about a validated document's data (its type's checks, doctypes/<type>/quality.py);
    paths start with ``prefix``."""
    from sakip.doctypes import DOCUMENT_TYPES  # the types' checks import this module

    start = f"{prefix}." if prefix else ""
    doctype = next((t for t in DOCUMENT_TYPES.values() if isinstance(data, t.model)), None)
    return list(doctype.quality(data, start)) if doctype is not None and doctype.quality else []


def warnings_as_problems(warnings: list[QualityWarning]) -> list[FieldProblem]:
    """The warnings as field errors, for a request that asked for ``"strict": true``."""
    return [FieldProblem(w.loc, w.code, w.params) for w in warnings]
