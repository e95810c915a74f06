"""The LKjIP payload: the agency's year of targets, realisations, narrative and budget.

Numbers a reader checks (capaian, averages, absorption) are never accepted from the client:
they are computed by sakip.capaian from the targets and realisations posted here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from doctypes.pk.model import TargetValue
from sakip.errors import FieldError, ReadError
from sakip.models.common import Angka, Instansi, Money, Pejabat, Strict, Tanggal, Text, Year
from sakip.scales import DEFAULT_SCALE, SCALES

__all__ = [
    "AnggaranProgram",
    "IndikatorLKjIP",
    "LKjIPData",
    "Pendahuluan",
    "Pengaturan",
    "Penutup",
    "Perencanaan",
    "Riwayat",
    "SasaranLKjIP",
    "SumberDaya",
]

Paragraphs = Annotated[list[Text], Field(default_factory=list, max_length=200)]
"""Narrative: one entry per paragraph or list item, printed as sent."""


class Riwayat(Strict):
    """An earlier year of the same indicator."""

    tahun: Year
    target: TargetValue | None = Field(default=None, description="That year's target, if one was set.")
    realisasi: TargetValue


class IndikatorLKjIP(Strict):
    """A performance indicator with this year's target and realisation."""

    uraian: Text
    satuan: Text
    polaritas: Literal["positif", "negatif"] = Field(
        default="positif", description="positif: higher is better; negatif: lower is better.")
    metode: Literal["A", "B"] | None = Field(
        default=None, description="Formula for a negative indicator; default pengaturan.metode_negatif.")
    target: TargetValue
    realisasi: TargetValue
    target_akhir_renstra: TargetValue | None = None
    riwayat: list[Riwayat] = Field(default_factory=list, max_length=20)
    standar_nasional: TargetValue | None = None
    analisis: Paragraphs
    faktor_pendukung: Paragraphs
    faktor_penghambat: Paragraphs
    upaya: Paragraphs

    @model_validator(mode="after")
    def _years_once(self) -> IndikatorLKjIP:
        seen: set[int] = set()
        for index, entry in enumerate(self.riwayat):
            if entry.tahun in seen:
                raise FieldError(f"riwayat.{index}.tahun", "riwayat_tahun_ganda", tahun=entry.tahun)
            seen.add(entry.tahun)
        return self


class SasaranLKjIP(Strict):
    """A strategic objective with its indicators."""

    uraian: Text
    indikator: list[IndikatorLKjIP] = Field(min_length=1, max_length=100)


class SumberDaya(Strict):
    """A resource line of Bab I: staff by kind, assets."""

    uraian: Text
    jumlah: Annotated[Angka, Field(ge=0, max_digits=18)]
    satuan: Text | None = Field(default=None, description='Printed after the number, e.g. "orang".')


class Pendahuluan(Strict):
    """Bab I: each part is left out of the report when empty."""

    latar_belakang: Paragraphs
    dasar_hukum: Paragraphs
    tugas_fungsi: Paragraphs
    struktur_organisasi: Paragraphs
    sumber_daya: list[SumberDaya] = Field(default_factory=list, max_length=200)
    isu_strategis: Paragraphs


class Perencanaan(Strict):
    """Bab II: the Renstra and this year's PK in words (the tables come from the indicators)."""

    uraian: Paragraphs


class AnggaranProgram(Strict):
    """A program's budget ceiling (pagu) and what was spent."""

    uraian: Text
    pagu: Money
    realisasi: Money
    keterangan: Text | None = Field(default=None, description='Printed in the PK budget table, e.g. "APBD".')

    @model_validator(mode="after")
    def _within_pagu(self) -> AnggaranProgram:
        if self.realisasi > self.pagu:
            raise FieldError("realisasi", "realisasi_melebihi_pagu")
        return self


class Penutup(Strict):
    """Bab IV."""

    kesimpulan: Paragraphs
    rencana_tindak_lanjut: Paragraphs


class Pengaturan(Strict):
    """Regional settings of the arithmetic."""

    metode_negatif: Literal["A", "B"] = Field(
        default="A", description="A: (2 x target - realisasi) / target; B: target / realisasi.")
    skala_predikat: str = Field(default=DEFAULT_SCALE, description="Name of a scale in sakip/data/skala_predikat.json.")
    batas_atas_capaian: Annotated[Angka, Field(ge=100, le=1000)] | None = Field(
        default=Decimal(100), description="Capaian above this counts as this in averages; null: no cap.")
    pemetaan_nilai: dict[Text, dict[Text, Annotated[Angka, Field(ge=0, max_digits=12)]]] = Field(
        default_factory=dict, description='Extra tables scoring text values, e.g. {"opini": {"WTP": 4}}.')

    @field_validator("skala_predikat")
    @classmethod
    def _known_scale(cls, value: str) -> str:
        if value not in SCALES:
            raise ReadError("skala_tidak_dikenal", nilai=value, tersedia=", ".join(sorted(SCALES)))
        return value


class LKjIPData(Strict):
    """The data of one Laporan Kinerja Instansi Pemerintah."""

    tahun: Year
    instansi: Instansi
    kepala: Pejabat = Field(description="Head of agency, who signs the Kata Pengantar.")
    tempat: Text
    tanggal: Tanggal
    periode_renstra: Text | None = Field(default=None, description='e.g. "2024-2026".')
    kata_pengantar: Paragraphs
    pendahuluan: Pendahuluan = Field(default_factory=Pendahuluan)
    perencanaan: Perencanaan = Field(default_factory=Perencanaan)
    sasaran: list[SasaranLKjIP] = Field(min_length=1, max_length=50)
    anggaran: list[AnggaranProgram] = Field(default_factory=list, max_length=500)
    penutup: Penutup = Field(default_factory=Penutup)
    pengaturan: Pengaturan = Field(default_factory=Pengaturan)

    @model_validator(mode="after")
    def _history_before_this_year(self) -> LKjIPData:
        for s, sasaran in enumerate(self.sasaran):
            for i, ind in enumerate(sasaran.indikator):
                for r, entry in enumerate(ind.riwayat):
                    if entry.tahun >= self.tahun:
                        raise FieldError(f"sasaran.{s}.indikator.{i}.riwayat.{r}.tahun",
                                         "riwayat_sebelum_tahun", tahun=self.tahun)
        return self
