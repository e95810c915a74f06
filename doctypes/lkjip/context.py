"""Builds the template context of an LKjIP: every figure computed and formatted for print.

The arithmetic is sakip.capaian's; this module decides what is printed where: the capaian
tables, the comparisons with earlier years, the Renstra and national standards, the budget,
the executive summary and conclusion written from the numbers, the charts (as BarChart
specs the workers draw), the cached table-of-contents entries, and the PK tables of the
Lampiran (built by doctypes.pk.context, the same code as the PK itself). Sections without data
are left out here, so the template never prints an empty heading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from doctypes.lkjip.model import IndikatorLKjIP, LKjIPData, StrukturOrganisasi
from doctypes.pk.context import kop_context, pejabat_context, pk_context, print_value
from doctypes.pk.model import AnggaranBaris, Indikator, PKData, Sasaran, Tingkat
from sakip.capaian import NOT_COMPUTABLE, Capaian, average, cap, capaian_of, efficiency, serapan
from sakip.formatting import format_angka, format_persen, format_rupiah, format_tanggal
from sakip.images import ImageRef
from sakip.media import BarChart, OrgChart, SuppliedPicture
from sakip.scales import SCALES, VALUE_MAPPINGS, Scale, map_text_values

__all__ = ["FORMULA_TEXT", "lkjip_context", "organisation_picture"]

FORMULA_TEXT = {
    "positif": "realisasi / target × 100%",
    "A": "(2 × target − realisasi) / target × 100%",
    "B": "target / realisasi × 100%",
}
"""The formulas as the report explains them to its readers."""

CHART_SIZE_MM = (150, 70)
"""Width and height of a target-vs-realisation chart: full text width, a third of a page at most."""
CHART_WIDTH_FEW_YEARS_MM = {1: 85, 2: 120}
"""Narrower charts for one or two years, so their bars don't stand in the middle of empty thirds."""


@dataclass
class _Computed:
    """One indicator with everything computed about it."""

    sasaran_no: int
    no: int
    source: IndikatorLKjIP
    metode: str
    capaian: Capaian
    predikat: str | None
    renstra: Capaian | None
    standar: Capaian | None
    riwayat: list[tuple[Any, Capaian]] = field(default_factory=list)


def _persen(value: Decimal | None) -> str:
    return NOT_COMPUTABLE if value is None else format_persen(value)


def _with_unit(value: Decimal | str, satuan: str) -> str:
    text = print_value(value)
    if isinstance(value, str):
        return text
    return f"{text}%" if satuan.strip() == "%" else f"{text} {satuan}"


def _signed(value: Decimal) -> str:
    # U+2212 minus: a line never breaks between it and its number, unlike a hyphen.
    return ("+" if value > 0 else "") + format_angka(value).replace("-", "\u2212")


def _why_not(ind: IndikatorLKjIP, metode: str, mappings: Mapping[str, Mapping[str, Decimal]]) -> str:
    numbers = map_text_values([ind.target, ind.realisasi], mappings)
    if numbers is None:
        return "nilai target atau realisasi berupa teks yang tidak terdapat dalam tabel pemetaan nilai"
    target, realisasi = numbers
    if target == 0:
        return "target bernilai 0 sedangkan realisasi tidak"
    if target < 0:
        return "target bernilai negatif"
    return f"realisasi bernilai negatif pada metode {metode}" if realisasi < 0 else "nilainya tidak memenuhi rumus"


def _compute(data: LKjIPData, scale: Scale, mappings: Mapping[str, Mapping[str, Decimal]]) -> list[list[_Computed]]:
    default_metode = data.pengaturan.metode_negatif
    objectives = []
    for s_no, sasaran in enumerate(data.sasaran, start=1):
        rows = []
        for no, ind in enumerate(sasaran.indikator, start=1):
            metode = ind.metode or default_metode

            def measure(target: Decimal | str | None, realisasi: Decimal | str,
                        ind: IndikatorLKjIP = ind, metode: str = metode) -> Capaian | None:
                if target is None:
                    return None
                return capaian_of(target, realisasi, ind.polaritas, metode, mappings)  # type: ignore[arg-type]

            result = measure(ind.target, ind.realisasi)
            assert result is not None
            rows.append(_Computed(
                sasaran_no=s_no, no=no, source=ind, metode=metode, capaian=result,
                predikat=None if result.nilai is None else scale.predicate(result.nilai),
                renstra=measure(ind.target_akhir_renstra, ind.realisasi),
                standar=measure(ind.standar_nasional, ind.realisasi),
                riwayat=[(entry, measure(entry.target, entry.realisasi) or Capaian(None))
                         for entry in sorted(ind.riwayat, key=lambda e: e.tahun)],
            ))
        objectives.append(rows)
    return objectives


def _average(rows: list[_Computed], upper: Decimal | None) -> Decimal | None:
    return average(cap(r.capaian.nilai, upper) for r in rows if r.capaian.nilai is not None)


def _change(c: _Computed, entry: Any, mappings: Mapping[str, Mapping[str, Decimal]]) -> tuple[str, str]:
    """(change of realisasi from that year to this year, its reading) by the indicator's polarity."""
    numbers = map_text_values([entry.realisasi, c.source.realisasi], mappings)
    if numbers is None:
        return "-", ""
    then, now = numbers
    diff = now - then
    if diff == 0:
        return "0", "tetap"
    better = (diff > 0) == (c.source.polaritas == "positif")
    return _signed(diff), "membaik" if better else "memburuk"


def _analysis(c: _Computed, tahun: int, periode: str | None, mappings: Mapping[str, Mapping[str, Decimal]],
              ) -> dict[str, Any]:
    ind = c.source
    target, realisasi = _with_unit(ind.target, ind.satuan), _with_unit(ind.realisasi, ind.satuan)
    sentences = [f"Target tahun {tahun} sebesar {target} dengan realisasi {realisasi}"]
    if c.capaian.nilai is None:
        sentences[0] += f"; capaian kinerja tidak dapat dihitung karena {_why_not(ind, c.metode, {**mappings})}."
    else:
        sentences[0] += f", sehingga capaian kinerja sebesar {format_persen(c.capaian.nilai)} " \
                        f"dengan predikat {c.predikat}."
    if ind.polaritas == "negatif":
        sentences.append(f"Indikator ini berpolaritas negatif (makin rendah makin baik); capaian dihitung "
                         f"dengan metode {c.metode}: {FORMULA_TEXT[c.metode]}.")
    if c.riwayat:
        entry, _ = c.riwayat[-1]
        change, reading = _change(c, entry, mappings)
        if reading:
            verb = "tidak berubah" if reading == "tetap" else f"berubah {change} ({reading})"
            sentences.append(f"Dibandingkan tahun {entry.tahun} (realisasi "
                             f"{_with_unit(entry.realisasi, ind.satuan)}), realisasi tahun {tahun} {verb}.")
    if c.renstra is not None and ind.target_akhir_renstra is not None:
        where = f"Renstra {periode}" if periode else "Renstra"
        sentences.append(f"Terhadap target akhir {where} sebesar {_with_unit(ind.target_akhir_renstra, ind.satuan)}, "
                         f"capaian sampai dengan tahun {tahun} sebesar {_persen(c.renstra.nilai)}.")
    if c.standar is not None and ind.standar_nasional is not None:
        sentences.append(f"Dibandingkan standar nasional sebesar {_with_unit(ind.standar_nasional, ind.satuan)}, "
                         f"capaiannya {_persen(c.standar.nilai)}.")
    return {
        "judul": f"Indikator {c.sasaran_no}.{c.no}: {ind.uraian}",
        "ringkasan": " ".join(sentences),
        "analisis": list(ind.analisis),
        "faktor_pendukung": _numbered(ind.faktor_pendukung),
        "faktor_penghambat": _numbered(ind.faktor_penghambat),
        "upaya": _numbered(ind.upaya),
    }


def _numbered(items: list[str]) -> list[dict[str, str]]:
    return [{"no": f"{n}.", "teks": text} for n, text in enumerate(items, start=1)]


def _chart(c: _Computed, tahun: int) -> BarChart | None:
    """Target and realisation by year; only for indicators whose values this year are numbers, not all 0."""
    ind = c.source
    if not isinstance(ind.target, Decimal) or not isinstance(ind.realisasi, Decimal):
        return None

    def number(value: Decimal | str | None) -> float | None:
        return float(value) if isinstance(value, Decimal) else None

    years = [(e.tahun, e.target, e.realisasi) for e, _ in c.riwayat] + [(tahun, ind.target, ind.realisasi)]
    # A year with neither a numeric target nor a numeric realisation would be an empty gap.
    years = [(y, t, r) for y, t, r in years if number(t) is not None or number(r) is not None]
    if not any(number(v) for _, t, r in years for v in (t, r)):
        return None  # all zero (e.g. zero incidents targeted and reached): bars of nothing say nothing
    width, height = CHART_SIZE_MM
    width = CHART_WIDTH_FEW_YEARS_MM.get(len(years), width)
    return BarChart(
        title=ind.uraian,
        labels=[str(y) for y, _, _ in years],
        series=[("Target", [number(t) for _, t, _ in years]), ("Realisasi", [number(r) for _, _, r in years])],
        width_mm=width, height_mm=height, y_label=ind.satuan,
    )


class _Captions:
    """Numbers tables and charts in order of appearance. ``judul``: numbered within chapter 3
    ("Tabel 3.4", the v1 template's captions); ``no``: numbered through the document, as the
    template's SEQ fields count them (v2: "Tabel 7", listed by the Daftar Tabel field); ``teks``:
    the caption without its number. ``listed`` keeps each kind's captions for the cached lists."""

    def __init__(self, chapter: int) -> None:
        self.chapter = chapter
        self.counts = {"Tabel": 0, "Grafik": 0}
        self.listed: dict[str, list[dict[str, str]]] = {"Tabel": [], "Grafik": []}

    def __call__(self, kind: str, text: str, chapter: bool = True) -> dict[str, str]:
        """``chapter``: False for captions the v1 template does not print (they don't count there)."""
        if chapter:
            self.counts[kind] += 1
        no = str(len(self.listed[kind]) + 1)
        self.listed[kind].append({"no": no, "teks": text, "judul": f"{kind} {no} {text}"})
        return {"judul": f"{kind} {self.chapter}.{self.counts[kind]} {text}", "no": no, "teks": text}


def _objective(s_no: int, sasaran: Any, rows: list[_Computed], data: LKjIPData, scale: Scale,
               mappings: Mapping[str, Mapping[str, Decimal]], captions: _Captions) -> dict[str, Any]:
    tahun = data.tahun
    upper = data.pengaturan.batas_atas_capaian
    avg = _average(rows, upper)
    capaian_rows = [{
        "no": str(c.no), "uraian": c.source.uraian, "satuan": c.source.satuan,
        "target": print_value(c.source.target), "realisasi": print_value(c.source.realisasi),
        "capaian": _persen(c.capaian.nilai), "predikat": c.predikat or "-",
    } for c in rows]
    history = []
    for c in rows:
        if not c.riwayat:
            continue
        years = []
        for entry, result in c.riwayat:
            change, reading = _change(c, entry, mappings)
            years.append({
                "tahun": str(entry.tahun), "target": "-" if entry.target is None else print_value(entry.target),
                "realisasi": print_value(entry.realisasi),
                "capaian": "-" if entry.target is None else _persen(result.nilai),
                "perubahan": f"{change} ({reading})" if reading else "-",
            })
        years.append({"tahun": str(tahun), "target": print_value(c.source.target),
                      "realisasi": print_value(c.source.realisasi), "capaian": _persen(c.capaian.nilai),
                      "perubahan": "-"})
        history.append({"no": str(c.no), "uraian": c.source.uraian, "tahun": years})

    def against(attr: str, value_attr: str) -> list[dict[str, str]]:
        return [{
            "no": str(c.no), "uraian": c.source.uraian, "satuan": c.source.satuan,
            "realisasi": print_value(c.source.realisasi), "pembanding": print_value(getattr(c.source, value_attr)),
            "capaian": _persen(getattr(c, attr).nilai),
        } for c in rows if getattr(c, attr) is not None]

    renstra, standar = against("renstra", "target_akhir_renstra"), against("standar", "standar_nasional")
    charts = []
    for c in rows:
        chart = _chart(c, tahun)
        if chart is not None:
            charts.append({"gambar": chart, **captions("Grafik", f"Target dan Realisasi {c.source.uraian}")})
    periode = data.periode_renstra
    return {
        "no": str(s_no),
        "judul": f"Sasaran {s_no}: {sasaran.uraian}",
        "uraian": sasaran.uraian,
        "tabel_capaian": {**captions("Tabel", f"Capaian Kinerja Sasaran {s_no} Tahun {tahun}"),
                          "baris": capaian_rows, "rata_rata": _persen(avg),
                          "predikat": "-" if avg is None else scale.predicate(avg)},
        "grafik": charts,
        "riwayat": history and {**captions("Tabel", f"Perbandingan Realisasi Sasaran {s_no} dengan "
                                                    "Tahun-Tahun Sebelumnya"), "baris": history},
        "renstra": renstra and {**captions("Tabel", f"Capaian Sasaran {s_no} terhadap Target Akhir Renstra"
                                                    + (f" {periode}" if periode else "")),
                                "baris": renstra},
        "standar": standar and {**captions("Tabel", f"Capaian Sasaran {s_no} terhadap Standar Nasional"),
                                "baris": standar},
        "analisis": [_analysis(c, tahun, periode, mappings) for c in rows],
        "_avg": avg,
    }


def _rupiah(value: Decimal) -> str:
    # A no-break space: "Rp" never stands at a line's end apart from its figure, in tables or text.
    return format_rupiah(value).replace(" ", "\u00a0")


def _budget(data: LKjIPData, captions: _Captions) -> dict[str, Any] | None:
    if not data.anggaran:
        return None
    rows = [{
        "no": str(n), "uraian": a.uraian, "pagu": _rupiah(a.pagu), "realisasi": _rupiah(a.realisasi),
        "serapan": _persen(serapan(a.pagu, a.realisasi)), "sisa": _rupiah(a.pagu - a.realisasi),
    } for n, a in enumerate(data.anggaran, start=1)]
    pagu = sum((a.pagu for a in data.anggaran), Decimal(0))
    realisasi = sum((a.realisasi for a in data.anggaran), Decimal(0))
    return {
        **captions("Tabel", f"Realisasi Anggaran per Program Tahun {data.tahun}"),
        "baris": rows,
        "pagu": _rupiah(pagu), "realisasi": _rupiah(realisasi),
        "serapan": _persen(serapan(pagu, realisasi)), "sisa": _rupiah(pagu - realisasi),
        "_serapan": serapan(pagu, realisasi), "_pagu": pagu, "_realisasi": realisasi,
    }


def _efficiency_text(avg: Decimal | None, absorbed: Decimal | None) -> str:
    if avg is None or absorbed is None:
        return ""
    diff = efficiency(avg, absorbed)
    if diff > 0:
        reading = "capaian kinerja melampaui serapan anggaran, sehingga penggunaan anggaran dinilai efisien"
    elif diff < 0:
        reading = "capaian kinerja berada di bawah serapan anggaran, sehingga penggunaan anggaran belum efisien"
    else:
        reading = "capaian kinerja sebanding dengan serapan anggaran"
    return (f"Rata-rata capaian kinerja sebesar {format_persen(avg)} dengan serapan anggaran sebesar "
            f"{format_persen(absorbed)}; selisihnya {_signed(diff)} poin: {reading}.")


def _efficiency_per_objective(data: LKjIPData, objectives: list[dict[str, Any]],
                              captions: _Captions) -> dict[str, Any] | None:
    """Per objective: its average capaian against the absorption of the programs that serve it
    (anggaran[].sasaran). None when no program names the objective it serves."""
    served: dict[int, list[Any]] = {}
    for program in data.anggaran:
        if program.sasaran is not None:
            served.setdefault(program.sasaran, []).append(program)
    if not served:
        return None
    rows, sentences = [], []
    for o in objectives:
        programs = served.get(int(o["no"]), [])
        pagu = sum((a.pagu for a in programs), Decimal(0))
        realisasi = sum((a.realisasi for a in programs), Decimal(0))
        absorbed = serapan(pagu, realisasi) if programs else None
        avg = o["_avg"]
        if avg is None or absorbed is None:
            diff_text, reading = "-", ("tidak ada program yang mendukung" if not programs
                                       else "capaian tidak dapat dihitung")
        else:
            diff = efficiency(avg, absorbed)
            diff_text = _signed(diff)
            reading = "Efisien" if diff > 0 else "Belum efisien" if diff < 0 else "Sebanding"
            sentences.append(f"sasaran {o['no']} {reading.lower()} (capaian {format_persen(avg)}, serapan "
                             f"{format_persen(absorbed)}, selisih {diff_text} poin)")
        rows.append({"no": o["no"], "uraian": o["uraian"], "program": str(len(programs)),
                     "rata_rata": _persen(avg), "serapan": _persen(absorbed), "selisih": diff_text,
                     "keterangan": reading})
    unmapped = sum(1 for a in data.anggaran if a.sasaran is None)
    text = ("Efisiensi per sasaran membandingkan rata-rata capaian sasaran dengan serapan anggaran program yang "
            "mendukungnya" + (f": {'; '.join(sentences)}." if sentences else "."))
    if unmapped:
        text += f" {unmapped} program tidak dipetakan ke sasaran dan tidak ikut dalam perhitungan per sasaran."
    return {**captions("Tabel", f"Efisiensi Penggunaan Anggaran per Sasaran Tahun {data.tahun}", chapter=False),
            "baris": rows, "kalimat": text}


def _predicate_counts(computed: list[_Computed], scale: Scale) -> list[dict[str, str]]:
    counts = [{"predikat": band.label, "jumlah": str(sum(1 for c in computed if c.predikat == band.label))}
              for band in scale.bands]
    missing = sum(1 for c in computed if c.predikat is None)
    if missing:
        counts.append({"predikat": f"Capaian {NOT_COMPUTABLE}", "jumlah": str(missing)})
    return counts


SUMMARY_ITEMS = 5
"""Obstacles (and steps) the executive summary lists at most, each once."""


def _obstacles_and_steps(computed: list[_Computed]) -> str:
    """The Ikhtisar's obstacles and steps, drawn from the indicators' faktor_penghambat and upaya:
    those of indicators below target (capaian under 100% or not computable) first, each text once."""
    below = [c for c in computed if c.capaian.nilai is None or c.capaian.nilai < 100]
    ordered = below + [c for c in computed if c not in below]

    def collect(attr: str) -> list[str]:
        seen: list[str] = []
        for c in ordered:
            for text in getattr(c.source, attr):
                if text not in seen:
                    seen.append(text)
        return seen[:SUMMARY_ITEMS]

    obstacles, steps = collect("faktor_penghambat"), collect("upaya")
    sentences = []
    if obstacles:
        sentences.append(f"Kendala yang dihadapi dalam mencapai target: {'; '.join(obstacles)}.")
    if steps:
        sentences.append(f"Langkah yang telah ditempuh: {'; '.join(steps)}.")
    return " ".join(sentences)


def _summary(data: LKjIPData, computed: list[_Computed], avg: Decimal | None, scale: Scale,
             budget: dict[str, Any] | None) -> list[str]:
    nama = data.instansi.nama
    paragraphs = [
        f"Laporan Kinerja Instansi Pemerintah (LKjIP) {nama} Tahun {data.tahun} menyajikan capaian "
        f"{len(computed)} indikator kinerja dari {len(data.sasaran)} sasaran strategis yang ditetapkan dalam "
        f"Perjanjian Kinerja Tahun {data.tahun}."
    ]
    parts = [f"{n} indikator berpredikat {band.label}" for band in scale.bands
             if (n := sum(1 for c in computed if c.predikat == band.label))]
    missing = sum(1 for c in computed if c.predikat is None)
    if missing:
        parts.append(f"{missing} indikator {NOT_COMPUTABLE} capaiannya")
    listing = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " dan " + parts[-1]
    sentence = f"Dari {len(computed)} indikator kinerja, {listing}."
    if avg is not None:
        sentence += f" Rata-rata capaian seluruh indikator sebesar {format_persen(avg)} dengan predikat " \
                    f"{scale.predicate(avg)}."
    paragraphs.append(sentence)
    ranked = [c for c in computed if c.capaian.nilai is not None]
    if len(ranked) > 1:
        low = min(ranked, key=lambda c: c.capaian.nilai)  # type: ignore[arg-type, return-value]
        text = (f"Capaian terendah terdapat pada indikator {low.source.uraian} sebesar "
                f"{format_persen(low.capaian.nilai)} (predikat {low.predikat}).")  # type: ignore[arg-type]
        if low.source.faktor_penghambat:
            text += f" Kendala utamanya: {'; '.join(low.source.faktor_penghambat)}."
        if low.source.upaya:
            text += f" Upaya yang dilakukan: {'; '.join(low.source.upaya)}."
        paragraphs.append(text)
    if obstacles := _obstacles_and_steps(computed):
        paragraphs.append(obstacles)
    if budget is not None:
        text = (f"Realisasi anggaran tahun {data.tahun} sebesar {budget['realisasi']} dari pagu {budget['pagu']} "
                f"atau serapan {budget['serapan']}, dengan sisa anggaran {budget['sisa']}.")
        efficiency_text = _efficiency_text(avg, budget["_serapan"])
        paragraphs.append(f"{text} {efficiency_text}".strip())
    return paragraphs


STRUCTURE_WIDTH_MM = 160
"""Widest an organisation chart is placed: the text width of A4 and F4 alike."""
STRUCTURE_MAX_HEIGHT_MM = 200
"""Tallest a supplied organisation chart is placed, leaving room for its caption on the page."""


def organisation_picture(ref: ImageRef) -> SuppliedPicture:
    """The organisation chart a request supplies as a picture (inline or an uploaded asset), fitted
    to the text width; the workers resolve it (workers/images.py) like the PK's logo."""
    return SuppliedPicture(ref, STRUCTURE_WIDTH_MM, STRUCTURE_MAX_HEIGHT_MM, loc="data.struktur_organisasi.gambar")


def _outline(units: list[Any]) -> list[dict[str, Any]]:
    """The units as a numbered outline ("1.", "1.1.", ...) under their parents, in the order given."""
    children: dict[str | None, list[str]] = {}
    for unit in units:
        children.setdefault(unit.induk, []).append(unit.nama)
    rows: list[dict[str, Any]] = []

    def walk(parent: str | None, prefix: str, depth: int) -> None:
        for n, name in enumerate(children.get(parent, []), start=1):
            number = f"{prefix}{n}."
            rows.append({"no": number, "teks": name, "tingkat": min(depth, 2)})
            walk(name, number, depth + 1)

    walk(None, "", 0)
    return rows


def _structure(struktur: StrukturOrganisasi, instansi: str) -> dict[str, Any]:
    """The chart (a supplied picture, or the units for graphviz) and the units as text."""
    if struktur.gambar is not None:
        chart: SuppliedPicture | OrgChart | None = organisation_picture(struktur.gambar)
    elif struktur.unit:
        chart = OrgChart(units=[(u.nama, u.induk) for u in struktur.unit], width_mm=STRUCTURE_WIDTH_MM)
    else:
        chart = None
    return {"bagan": chart, "bagan_judul": f"Bagan Struktur Organisasi {instansi}" if chart else "",
            "susunan": _outline(struktur.unit)}


def _bab1(data: LKjIPData, captions: _Captions | None = None,
          structure: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    captions = captions or _Captions(1)
    structure = structure or _structure(data.struktur_organisasi, data.instansi.nama)
    p = data.pendahuluan
    background = p.latar_belakang or [
        f"Laporan Kinerja Instansi Pemerintah {data.instansi.nama} Tahun {data.tahun} disusun sebagai wujud "
        "pertanggungjawaban atas pelaksanaan tugas dan fungsi serta capaian kinerja selama satu tahun anggaran."
    ]
    has_structure = bool(p.struktur_organisasi or structure["bagan"])
    # Announce the structure only where the report shows one.
    title_tugas = "Tugas, Fungsi dan Struktur Organisasi" if has_structure else "Tugas dan Fungsi"
    parts: list[tuple[str, list[str], list[str], list[dict[str, str]]]] = [
        ("Latar Belakang", background, [], []),
        ("Dasar Hukum", [], p.dasar_hukum, []),
        (title_tugas, [*p.tugas_fungsi, *p.struktur_organisasi], [], []),
        ("Sumber Daya", [], [], [
            {"no": str(n), "uraian": r.uraian,
             "jumlah": format_angka(r.jumlah) + (f" {r.satuan}" if r.satuan else "")}
            for n, r in enumerate(p.sumber_daya, start=1)]),
        ("Isu Strategis", [], p.isu_strategis, []),
    ]
    sections = []
    for title, paragraphs, items, table in parts:
        own_structure = title == title_tugas and structure["bagan"] is not None
        if paragraphs or items or table or own_structure:
            letter = "ABCDEFGH"[len(sections)]
            section = {"judul": f"{letter}. {title}", "paragraf": paragraphs, "daftar": _numbered(items),
                       "tabel": table, "bagan": None, "bagan_judul": "", "susunan": [], "bagan_rujukan": "",
                       "tabel_judul": captions("Tabel", f"{title} Tahun {data.tahun}", chapter=False)
                       if table else None}
            if own_structure:
                # The chart itself closes the chapter (a page-high picture in the middle of it
                # would leave most of a page blank); the section names the units and points there.
                section["bagan_rujukan"] = "Bagan struktur organisasi disajikan pada akhir bab ini."
                section["susunan"] = structure["susunan"]
            sections.append(section)
    return sections


def _lampiran_pk(data: LKjIPData) -> dict[str, Any]:
    """The year's PK tables, built by the PK's own context code from this report's targets and pagu.

    The LKjIP carries no PK signatories, so the PK is assembled without validation of its
    parties; only its table parts are used.
    """
    pk = PKData.model_construct(
        tahun=data.tahun, jenis="murni", tingkat=Tingkat.JPT, instansi=data.instansi,
        pihak_pertama=data.kepala, pihak_kedua=None, tempat=data.tempat, tanggal=data.tanggal,
        sasaran=[Sasaran.model_construct(uraian=s.uraian, indikator=[
            Indikator.model_construct(uraian=i.uraian, satuan=i.satuan, target=i.target, polaritas=i.polaritas,
                                      triwulan=None) for i in s.indikator]) for s in data.sasaran],
        anggaran=[AnggaranBaris.model_construct(uraian=a.uraian, jumlah=a.pagu, keterangan=a.keterangan)
                  for a in data.anggaran],
    )
    context = pk_context(pk)
    return {key: context[key] for key in ("judul", "sasaran", "anggaran", "anggaran_label", "anggaran_total")}


def _toc(bab1: list[dict[str, Any]], renstra: str, tahun: int, objectives: list[dict[str, Any]], budget: bool,
         penutup: list[str]) -> list[dict[str, Any]]:
    """Entries cached in the TOC field, shown until Word (or a converter) updates the field."""
    entries = [(1, "KATA PENGANTAR"), (1, "IKHTISAR EKSEKUTIF"), (1, "BAB I PENDAHULUAN")]
    entries += [(2, s["judul"]) for s in bab1]
    entries += [(1, "BAB II PERENCANAAN KINERJA"), (2, f"A. {renstra}"), (2, f"B. Perjanjian Kinerja Tahun {tahun}"),
                (1, "BAB III AKUNTABILITAS KINERJA"), (2, "A. Capaian Kinerja Organisasi")]
    entries += [(3, o["judul"]) for o in objectives]
    if budget:
        entries.append((2, "B. Realisasi Anggaran"))
    entries += [(1, "BAB IV PENUTUP"), (2, "A. Kesimpulan")]
    if penutup:
        entries.append((2, "B. Rencana Tindak Lanjut"))
    entries.append((1, "LAMPIRAN"))
    return [{"tingkat": level, "judul": title} for level, title in entries]


def lkjip_context(data: LKjIPData) -> dict[str, Any]:
    """The variables the LKjIP template uses (see doctypes/lkjip/manifest.json)."""
    settings = data.pengaturan
    scale = SCALES[settings.skala_predikat]
    # The document's own tables are tried before the shipped ones, so a region can rescore "WTP".
    mappings: dict[str, Mapping[str, Decimal]] = {**settings.pemetaan_nilai, **VALUE_MAPPINGS}
    per_objective = _compute(data, scale, mappings)
    computed = [c for rows in per_objective for c in rows]
    overall = _average(computed, settings.batas_atas_capaian)
    # Captions are numbered in the order the template prints them.
    captions = _Captions(3)
    tahun = data.tahun
    predikat_caption = captions("Tabel", f"Jumlah Indikator Kinerja menurut Predikat Capaian Tahun {tahun}",
                                chapter=False)
    structure = _structure(data.struktur_organisasi, data.instansi.nama)
    bab1 = _bab1(data, captions, structure)
    renstra_caption = captions("Tabel", "Sasaran Strategis, Indikator Kinerja dan Target Akhir Renstra",
                               chapter=False)
    pk_caption = captions("Tabel", f"Sasaran, Indikator Kinerja dan Target Perjanjian Kinerja Tahun {tahun}",
                          chapter=False)
    skala_caption = captions("Tabel", "Skala Predikat Capaian Kinerja", chapter=False)
    ringkasan_caption = captions("Tabel", f"Ringkasan Capaian Kinerja per Sasaran Strategis Tahun {tahun}",
                                 chapter=False)
    objectives = [_objective(n, s, rows, data, scale, mappings, captions)
                  for n, (s, rows) in enumerate(zip(data.sasaran, per_objective, strict=True), start=1)]
    budget = _budget(data, captions)
    per_objective_efficiency = _efficiency_per_objective(data, objectives, captions) if budget else None
    summary = _summary(data, computed, overall, scale, budget)
    periode = data.periode_renstra
    renstra_title = f"Rencana Strategis {periode}" if periode else "Rencana Strategis"
    has_negative = any(c.source.polaritas == "negatif" for c in computed)
    metode_used = sorted({c.metode for c in computed if c.source.polaritas == "negatif"})
    method_text = "; ".join(f"polaritas negatif metode {m}: {FORMULA_TEXT[m]}" for m in metode_used)
    cap_text = (f"capaian di atas {format_angka(settings.batas_atas_capaian)}% dihitung "
                f"{format_angka(settings.batas_atas_capaian)}%" if settings.batas_atas_capaian is not None
                else "capaian di atas 100% dihitung apa adanya")
    conclusion = [summary[1]]
    if budget is not None:
        conclusion.append(summary[-1])
    conclusion += data.penutup.kesimpulan
    instansi = data.instansi.nama
    return {
        "judul": "LAPORAN KINERJA INSTANSI PEMERINTAH",
        "tahun": str(data.tahun),
        "kop": kop_context(data.instansi),
        "instansi": {"pemerintah": data.instansi.pemerintah.upper(), "nama": data.instansi.nama.upper()},
        "kepala": pejabat_context(data.kepala),
        "tempat_tanggal": f"{data.tempat}, {format_tanggal(data.tanggal)}",
        "kata_pengantar": list(data.kata_pengantar) or [
            "Puji syukur kehadirat Tuhan Yang Maha Esa atas rahmat dan karunia-Nya sehingga Laporan Kinerja "
            f"Instansi Pemerintah (LKjIP) {instansi} Tahun {data.tahun} dapat diselesaikan.",
            f"LKjIP ini menyajikan capaian kinerja {instansi} selama tahun {data.tahun} terhadap target yang "
            f"ditetapkan dalam Perjanjian Kinerja, sebagai wujud akuntabilitas kepada publik dan bahan evaluasi "
            "untuk perbaikan kinerja pada tahun-tahun berikutnya.",
            "Semoga laporan ini bermanfaat bagi seluruh pemangku kepentingan.",
        ],
        "ikhtisar": summary,
        "predikat_jumlah": _predicate_counts(computed, scale),
        "predikat_judul": predikat_caption,
        "daftar_tabel": captions.listed["Tabel"],
        "daftar_grafik": captions.listed["Grafik"],
        "pk_judul": pk_caption,
        "efisiensi_sasaran": per_objective_efficiency,
        "daftar_isi": _toc(bab1, renstra_title, data.tahun, objectives, budget is not None,
                           data.penutup.rencana_tindak_lanjut),
        "bab1": bab1,
        "struktur": structure["bagan"] and {"bagan": structure["bagan"], "judul": structure["bagan_judul"]},
        "renstra": {
            "judul": renstra_title,
            "tabel_judul": renstra_caption,
            "paragraf": list(data.perencanaan.uraian),
            "baris": [{"no": str(n), "uraian": s.uraian, "indikator": [
                {"uraian": i.uraian, "satuan": i.satuan,
                 "target": "-" if i.target_akhir_renstra is None else print_value(i.target_akhir_renstra)}
                for i in s.indikator]} for n, s in enumerate(data.sasaran, start=1)],
        },
        "pk_kalimat": f"Perjanjian Kinerja {instansi} Tahun {data.tahun} memuat {len(data.sasaran)} sasaran "
                      f"dengan {len(computed)} indikator kinerja beserta targetnya sebagai berikut.",
        "metode": {
            "kalimat": "Capaian kinerja dihitung dengan membandingkan realisasi terhadap target: polaritas positif "
                       f"(makin tinggi makin baik): {FORMULA_TEXT['positif']}"
                       + (f"; {method_text}" if has_negative else "")
                       + f". Rata-rata capaian dihitung dari capaian yang dibatasi (capaian negatif dihitung 0; "
                         f"{cap_text}), sedangkan tabel memuat capaian apa adanya. Predikat mengikuti skala "
                         f"{scale.title}:",
            "skala": [{"rentang": r, "predikat": label} for r, label in scale.ranges()],
            "tabel_judul": skala_caption,
        },
        "ringkasan_sasaran": {
            "baris": [{"no": o["no"], "uraian": o["uraian"], "jumlah": str(len(rows)),
                       "rata_rata": _persen(o["_avg"]), "predikat": "-" if o["_avg"] is None
                       else scale.predicate(o["_avg"])} for o, rows in zip(objectives, per_objective, strict=True)],
            "rata_rata": _persen(overall), "predikat": "-" if overall is None else scale.predicate(overall),
            "jumlah": str(len(computed)),
            "tabel_judul": ringkasan_caption,
        },
        "sasaran": [{k: v for k, v in o.items() if not k.startswith("_")} for o in objectives],
        "anggaran": budget and {k: v for k, v in budget.items() if not k.startswith("_")},
        "efisiensi": _efficiency_text(overall, budget and budget["_serapan"]),
        "kesimpulan": conclusion,
        "rencana_tindak_lanjut": _numbered(data.penutup.rencana_tindak_lanjut),
        "lampiran_pk": _lampiran_pk(data),
    }
