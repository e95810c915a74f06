"""Quality warnings about an LKjIP: the indicator checks shared with the PK, an achievement below
target without analysis, budget figures in cents, a predicate spelt unlike the scale and sections of
the outline left empty."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from doctypes.lkjip.model import LKjIPData
from sakip.capaian import HUNDRED, capaian_of
from sakip.formatting import format_persen
from sakip.quality import QualityWarning, duplicate_indicators, indicator_checks, sen_warnings
from sakip.scales import SCALES, VALUE_MAPPINGS

__all__ = ["lkjip_warnings"]


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


def lkjip_warnings(data: LKjIPData, prefix: str) -> list[QualityWarning]:
    found: list[QualityWarning] = []
    mappings = {**data.pengaturan.pemetaan_nilai, **VALUE_MAPPINGS}
    indicators = []
    for s, sasaran in enumerate(data.sasaran):
        for i, ind in enumerate(sasaran.indikator):
            loc = f"{prefix}sasaran.{s}.indikator.{i}"
            indicators.append((loc, ind.uraian))
            found += indicator_checks(loc, ind.uraian, ind.satuan, ind.target, mappings)
            result = capaian_of(ind.target, ind.realisasi, ind.polaritas,
                                ind.metode or data.pengaturan.metode_negatif, mappings)
            if result.nilai is not None and result.nilai < HUNDRED and not ind.analisis \
                    and not ind.faktor_penghambat:
                found.append(QualityWarning("capaian_tanpa_analisis", f"{loc}.analisis",
                                            {"indikator": ind.uraian, "capaian": format_persen(result.nilai)}))
    found += duplicate_indicators(indicators)
    for n, program in enumerate(data.anggaran):
        found += sen_warnings(f"{prefix}anggaran.{n}.pagu", program.pagu)
        found += sen_warnings(f"{prefix}anggaran.{n}.realisasi", program.realisasi)
    found += _predicate_spelling(data, prefix)
    for path, name in _LKJIP_SECTIONS:
        if path == "pendahuluan.struktur_organisasi" and (data.struktur_organisasi.unit
                                                           or data.struktur_organisasi.gambar):
            continue  # the chart (and its units) is the section's content
        if not _value_at(data, path):
            found.append(QualityWarning("bagian_kosong", f"{prefix}{path}", {"bagian": name}))
    return found
