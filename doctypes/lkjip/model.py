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
from sakip.images import ImageRef
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
    "StrukturOrganisasi",
    "SumberDaya",
    "UnitOrganisasi",
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


class UnitOrganisasi(Strict):
    """A unit of the agency's organisation chart and the unit it reports to."""

    nama: Text
    induk: Text | None = Field(default=None, description="nama of the unit above; none for the head of the chart.")


class StrukturOrganisasi(Strict):
    """The organisation chart of Bab I: a picture (``gambar``) or units drawn by graphviz (``unit``)."""

    gambar: ImageRef | None = Field(default=None, description="The chart as a PNG/JPEG, like the logo.")
    unit: list[UnitOrganisasi] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _one_chart_of_a_tree(self) -> StrukturOrganisasi:
        if self.gambar is not None and self.unit:
            raise FieldError("unit", "struktur_satu_sumber")
        names: dict[str, int] = {}
        for index, unit in enumerate(self.unit):
            if unit.nama in names:
                raise FieldError(f"unit.{index}.nama", "unit_ganda", nama=unit.nama)
            names[unit.nama] = index
        for index, unit in enumerate(self.unit):
            if unit.induk is not None and unit.induk not in names:
                raise FieldError(f"unit.{index}.induk", "unit_induk_tidak_ada", induk=unit.induk)
        parents = {unit.nama: unit.induk for unit in self.unit}
        for index, unit in enumerate(self.unit):
            seen, current = [unit.nama], unit.induk
            while current is not None:
                if current in seen:
                    raise FieldError(f"unit.{index}.induk", "unit_siklus",
                                     siklus=" -> ".join([*seen, current]))
                seen.append(current)
                current = parents[current]
        return self


class Perencanaan(Strict):
    """Bab II: the Renstra and this year's PK in words (the tables come from the indicators)."""

    uraian: Paragraphs


class AnggaranProgram(Strict):
    """A program's budget ceiling (pagu) and what was spent."""

    uraian: Text
    pagu: Money
    realisasi: Money
    keterangan: Text | None = Field(default=None, description='Printed in the PK budget table, e.g. "APBD".')
    sasaran: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="The objective this program serves: its number in sasaran (1 = first); "
                                  "gives the efficiency per objective.")

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
    struktur_organisasi: StrukturOrganisasi = Field(default_factory=StrukturOrganisasi)
    perencanaan: Perencanaan = Field(default_factory=Perencanaan)
    sasaran: list[SasaranLKjIP] = Field(min_length=1, max_length=50)
    anggaran: list[AnggaranProgram] = Field(default_factory=list, max_length=500)
    penutup: Penutup = Field(default_factory=Penutup)
    pengaturan: Pengaturan = Field(default_factory=Pengaturan)

    @model_validator(mode="after")
    def _programs_serve_known_objectives(self) -> LKjIPData:
        for index, program in enumerate(self.anggaran):
            if program.sasaran is not None and program.sasaran > len(self.sasaran):
                raise FieldError(f"anggaran.{index}.sasaran", "anggaran_sasaran_tidak_ada",
                                 nomor=program.sasaran, jumlah=len(self.sasaran))
        return self

    @model_validator(mode="after")
    def _history_before_this_year(self) -> LKjIPData:
        for s, sasaran in enumerate(self.sasaran):
            for i, ind in enumerate(sasaran.indikator):
                for r, entry in enumerate(ind.riwayat):
                    if entry.tahun >= self.tahun:
                        raise FieldError(f"sasaran.{s}.indikator.{i}.riwayat.{r}.tahun",
                                         "riwayat_sebelum_tahun", tahun=self.tahun)
        return self
