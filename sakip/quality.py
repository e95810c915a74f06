"""Quality warnings: what a reviewer (the Inspektorat's reviu) would question in a valid
document. They never stop a document, unless the request asks for ``"strict": true``.

Each warning is a code of the message table (sakip/messages.py), the dotted path of the
field it is about (as in validation errors) and the parameters of its sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from doctypes.lkjip.model import LKjIPData
from doctypes.pk.model import AnggaranGrup, PKData
from sakip.capaian import HUNDRED, capaian_of
from sakip.errors import FieldProblem
from sakip.formatting import format_angka, format_persen, format_rupiah, format_tanggal
from sakip.messages import DEFAULT_LANGUAGE, message
from sakip.scales import SCALES, VALUE_MAPPINGS

__all__ = ["CASCADE_WARNING_CODES", "WARNING_CODES", "QualityWarning", "quality_warnings", "warnings_as_problems"]

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


def _indicator_checks(loc: str, uraian: str, satuan: str | None, target: Decimal | str,
                      mappings: Mapping[str, Mapping[str, Decimal]]) -> Iterable[QualityWarning]:
    if satuan is None or _key(satuan) in _NO_UNIT:
        yield QualityWarning("indikator_tanpa_satuan", f"{loc}.satuan", {"indikator": uraian})
    if isinstance(target, str) and not _known_text(target, mappings):
        yield QualityWarning("target_bukan_angka", f"{loc}.target", {"indikator": uraian, "nilai": target})
    if isinstance(target, Decimal) and target < 0:
        yield QualityWarning("target_negatif", f"{loc}.target", {"nilai": format_angka(target)})


def _duplicates(indicators: list[tuple[str, str]]) -> Iterable[QualityWarning]:
    first: dict[str, str] = {}
    for loc, uraian in indicators:
        key = _key(uraian)
        if key in first:
            yield QualityWarning("indikator_ganda", f"{loc}.uraian", {"indikator": uraian, "pertama": first[key]})
        else:
            first[key] = loc


def _sen(loc: str, amount: Decimal) -> Iterable[QualityWarning]:
    if amount != amount.to_integral_value():
        yield QualityWarning("anggaran_sen", loc, {"jumlah": format_rupiah(amount)})


def _tw4_differs(target: Decimal | str, quarters: list[Decimal | str] | None) -> bool:
    """Cumulative quarters end at the annual target. Quarters that add up to it are targets per
    quarter, not cumulative ones: consistent too."""
    if not quarters or not isinstance(target, Decimal) or not all(isinstance(q, Decimal) for q in quarters):
        return False
    return quarters[3] != target and sum(quarters, Decimal(0)) != target  # type: ignore[arg-type]


def _pk(pk: PKData, prefix: str) -> list[QualityWarning]:
    found: list[QualityWarning] = []
    indicators = []
    for s, sasaran in enumerate(pk.sasaran):
        for i, ind in enumerate(sasaran.indikator):
            loc = f"{prefix}sasaran.{s}.indikator.{i}"
            indicators.append((loc, ind.uraian))
            found += _indicator_checks(loc, ind.uraian, ind.satuan, ind.target, VALUE_MAPPINGS)
            for q, value in enumerate(ind.triwulan or []):
                if isinstance(value, Decimal) and value < 0:
                    found.append(QualityWarning("target_negatif", f"{loc}.triwulan.{q}",
                                                {"nilai": format_angka(value)}))
            if _tw4_differs(ind.target, ind.triwulan):
                found.append(QualityWarning("triwulan_tw4_beda", f"{loc}.triwulan.3",
                                            {"tw4": format_angka(ind.triwulan[3]), "target": format_angka(ind.target)}))
    found += _duplicates(indicators)
    for n, item in enumerate(pk.anggaran):
        if isinstance(item, AnggaranGrup):
            for m, line in enumerate(item.rincian):
                found += _sen(f"{prefix}anggaran.{n}.rincian.{m}.jumlah", line.jumlah)
        else:
            found += _sen(f"{prefix}anggaran.{n}.jumlah", item.jumlah)
    if pk.tanggal.year != pk.tahun:
        found.append(QualityWarning("tanggal_di_luar_tahun", f"{prefix}tanggal",
                                    {"tanggal": format_tanggal(pk.tanggal), "tahun": pk.tahun}))
    return found


_LKJIP_SECTIONS = (
    # (path, name as the report's outline announces it)
    ("kata_pengantar", "Kata Pengantar"),
    ("pendahuluan.latar_belakang", "Bab I - Latar Belakang"),
    ("pendahuluan.dasar_hukum", "Bab I - Dasar Hukum"),
    ("pendahuluan.tugas_fungsi", "Bab I - Tugas dan Fungsi"),
    ("pendahuluan.struktur_organisasi", "Bab I - Struktur Organisasi"),
    ("perencanaan.uraian", "Bab II - Perencanaan Kinerja"),
    ("penutup.kesimpulan", "Bab IV - Kesimpulan"),
)


def _predicate_spelling(data: LKjIPData, prefix: str) -> Iterable[QualityWarning]:
    """Narrative that spells a predicate otherwise than the report's scale ("predikat tinggi" where
    the tables print "Tinggi"): printed as sent, so the reviewer is told, not the text changed."""
    labels = {band.label.lower(): band.label for band in SCALES[data.pengaturan.skala_predikat].bands}
    pattern = re.compile(r"\bpredikat\s+(" + "|".join(sorted(map(re.escape, labels), key=len, reverse=True))
                         + r")\b", re.IGNORECASE)
    texts = [(f"kata_pengantar.{n}", t) for n, t in enumerate(data.kata_pengantar)]
    texts += [(f"penutup.kesimpulan.{n}", t) for n, t in enumerate(data.penutup.kesimpulan)]
    texts += [(f"sasaran.{s}.indikator.{i}.analisis.{n}", t) for s, sasaran in enumerate(data.sasaran)
              for i, ind in enumerate(sasaran.indikator) for n, t in enumerate(ind.analisis)]
    for path, text in texts:
        for match in pattern.finditer(text):
            label = labels[match.group(1).lower()]
            if match.group(1) != label:
                yield QualityWarning("predikat_ejaan", f"{prefix}{path}", {"ditulis": match.group(0),
                                                                           "predikat": label})


def _value_at(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = getattr(data, part, None)
    return data


def _lkjip(data: LKjIPData, prefix: str) -> list[QualityWarning]:
    found: list[QualityWarning] = []
    mappings = {**data.pengaturan.pemetaan_nilai, **VALUE_MAPPINGS}
    indicators = []
    for s, sasaran in enumerate(data.sasaran):
        for i, ind in enumerate(sasaran.indikator):
            loc = f"{prefix}sasaran.{s}.indikator.{i}"
            indicators.append((loc, ind.uraian))
            found += _indicator_checks(loc, ind.uraian, ind.satuan, ind.target, mappings)
            result = capaian_of(ind.target, ind.realisasi, ind.polaritas,
                                ind.metode or data.pengaturan.metode_negatif, mappings)
            if result.nilai is not None and result.nilai < HUNDRED and not ind.analisis \
                    and not ind.faktor_penghambat:
                found.append(QualityWarning("capaian_tanpa_analisis", f"{loc}.analisis",
                                            {"indikator": ind.uraian, "capaian": format_persen(result.nilai)}))
    found += _duplicates(indicators)
    for n, program in enumerate(data.anggaran):
        found += _sen(f"{prefix}anggaran.{n}.pagu", program.pagu)
        found += _sen(f"{prefix}anggaran.{n}.realisasi", program.realisasi)
    found += _predicate_spelling(data, prefix)
    for path, name in _LKJIP_SECTIONS:
        if path == "pendahuluan.struktur_organisasi" and (data.struktur_organisasi.unit
                                                           or data.struktur_organisasi.gambar):
            continue  # the chart (and its units) is the section's content
        if not _value_at(data, path):
            found.append(QualityWarning("bagian_kosong", f"{prefix}{path}", {"bagian": name}))
    return found


def quality_warnings(data: Any, prefix: str = "data") -> list[QualityWarning]:
    """Every warning about a validated document's data; paths start with ``prefix``."""
    start = f"{prefix}." if prefix else ""
    if isinstance(data, PKData):
        return _pk(data, start)
    if isinstance(data, LKjIPData):
        return _lkjip(data, start)
    return []


def warnings_as_problems(warnings: list[QualityWarning]) -> list[FieldProblem]:
    """The warnings as field errors, for a request that asked for ``"strict": true``."""
    return [FieldProblem(w.loc, w.code, w.params) for w in warnings]
