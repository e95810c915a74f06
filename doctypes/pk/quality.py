"""Quality warnings about a PK: indicators without a unit or with a target that is no figure,
quarters that do not end at the annual target, duplicate indicators, budget lines in cents and a
signing date outside the year."""

from __future__ import annotations

from decimal import Decimal

from doctypes.pk.model import AnggaranGrup, PKData
from sakip.formatting import format_angka, format_tanggal
from sakip.quality import QualityWarning, duplicate_indicators, indicator_checks, sen_warnings
from sakip.scales import VALUE_MAPPINGS

__all__ = ["pk_warnings"]


def _tw4_differs(target: Decimal | str, quarters: list[Decimal | str] | None) -> bool:
    """Cumulative quarters end at the annual target. Quarters that add up to it are targets per
    quarter, not cumulative ones: consistent too."""
    if not quarters or not isinstance(target, Decimal) or not all(isinstance(q, Decimal) for q in quarters):
        return False
    return quarters[3] != target and sum(quarters, Decimal(0)) != target  # type: ignore[arg-type]


def pk_warnings(pk: PKData, prefix: str) -> list[QualityWarning]:
    found: list[QualityWarning] = []
    indicators = []
    for s, sasaran in enumerate(pk.sasaran):
        for i, ind in enumerate(sasaran.indikator):
            loc = f"{prefix}sasaran.{s}.indikator.{i}"
            indicators.append((loc, ind.uraian))
            found += indicator_checks(loc, ind.uraian, ind.satuan, ind.target, VALUE_MAPPINGS)
            for q, value in enumerate(ind.triwulan or []):
                if isinstance(value, Decimal) and value < 0:
                    found.append(QualityWarning("target_negatif", f"{loc}.triwulan.{q}",
                                                {"nilai": format_angka(value)}))
            if _tw4_differs(ind.target, ind.triwulan):
                found.append(QualityWarning("triwulan_tw4_beda", f"{loc}.triwulan.3",
                                            {"tw4": format_angka(ind.triwulan[3]), "target": format_angka(ind.target)}))
    found += duplicate_indicators(indicators)
    for n, item in enumerate(pk.anggaran):
        if isinstance(item, AnggaranGrup):
            for m, line in enumerate(item.rincian):
                found += sen_warnings(f"{prefix}anggaran.{n}.rincian.{m}.jumlah", line.jumlah)
        else:
            found += sen_warnings(f"{prefix}anggaran.{n}.jumlah", item.jumlah)
    if pk.tanggal.year != pk.tahun:
        found.append(QualityWarning("tanggal_di_luar_tahun", f"{prefix}tanggal",
                                    {"tanggal": format_tanggal(pk.tanggal), "tahun": pk.tahun}))
    return found
