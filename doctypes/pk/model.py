"""The Perjanjian Kinerja (PK) payload: parties, objectives with indicators, budget."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag, model_validator

from sakip.errors import FieldError, ReadError
from sakip.images import ImageRef
from sakip.models.common import MAX_TEXT, Instansi, Money, Pejabat, Strict, Tanggal, Text, Year, clean_text
from sakip.numbers import read_nilai

__all__ = ["AnggaranBaris", "AnggaranGrup", "Indikator", "PKAwal", "PKData", "Sasaran", "Tingkat"]


class Tingkat(StrEnum):
    """Level of the first party; decides the layout and the budget column label."""

    KEPALA_DAERAH = "kepala_daerah"
    JPT = "jpt"
    ADMINISTRATOR = "administrator"
    PENGAWAS = "pengawas"


def _target_value(value: object) -> Decimal | str:
    # One validator for both shapes, so an error names the field, not a union branch.
    # A number stays the number sent; a string written as a figure is read the Indonesian
    # way ("1.250" -> 1250) or refused; other strings ("WTP", "BB") stay text.
    result = read_nilai(value)
    if isinstance(result, str):
        if len(result) > MAX_TEXT:
            raise ReadError("teks_terlalu_panjang", maks=MAX_TEXT)
        return clean_text(result)
    return result


TargetValue = Annotated[Decimal | str, BeforeValidator(_target_value)]
"""A target: a number (printed Indonesian style) or a text such as an audit opinion."""


class Indikator(Strict):
    """A performance indicator and its target for the year."""

    uraian: Text = Field(description="Indicator text.")
    satuan: Text | None = Field(
        default=None, description='Unit, e.g. "%", "Indeks", "Orang"; missing: a quality warning.')
    target: TargetValue = Field(description='Annual target: a number, or a text such as "WTP".')
    polaritas: Literal["positif", "negatif"] = Field(
        default="positif", description="positif: higher is better; negatif: lower is better."
    )
    triwulan: list[TargetValue] | None = Field(
        default=None, min_length=4, max_length=4,
        description="Cumulative targets for quarters TW I-IV (Rencana Aksi).",
    )


def _number_as_text(value: object) -> object:
    # mendukung may be sent as the number 2 or the text "2" or "SS.2": one type, no union in error paths.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Sasaran(Strict):
    """An objective (strategic, program or activity, by level) with its indicators."""

    uraian: Text
    indikator: list[Indikator] = Field(min_length=1, description="At least one indicator.")
    kode: Text | None = Field(
        default=None, description='Optional code of the objective, e.g. "SS.1", that a subordinate\'s mendukung names.')
    mendukung: Annotated[Text, BeforeValidator(_number_as_text)] | None = Field(
        default=None, description="The superior's objective this one serves: its number (1 = first) or its kode.")


class AnggaranBaris(Strict):
    """A budget line: a program, activity or sub-activity with its amount."""

    uraian: Text
    jumlah: Money
    keterangan: Text | None = Field(default=None, description='Often the funding source, "APBD".')


class AnggaranGrup(Strict):
    """A budget header (program or activity) with the lines under it."""

    uraian: Text
    rincian: list[AnggaranBaris] = Field(min_length=1)


def _budget_kind(value: object) -> str:
    return "grup" if isinstance(value, dict) and "rincian" in value else "baris"


AnggaranItem = Annotated[
    Annotated[AnggaranGrup, Tag("grup")] | Annotated[AnggaranBaris, Tag("baris")],
    Discriminator(_budget_kind),
]

UNION_TAGS = frozenset({"grup", "baris"})
"""Names pydantic puts into error locations for the budget union; not part of the path."""


class PKAwal(Strict):
    """The PK a PK Perubahan amends."""

    nomor: Text = Field(description="Number of the amended PK, as printed on it.")
    tanggal: Tanggal = Field(description='Date of the amended PK: "2026-01-05", "05/01/2026" or "5 Januari 2026".')
    document_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")] | None = Field(
        default=None, description="Id of the amended PK when this service issued it.")


class PKData(Strict):
    """The data of one Perjanjian Kinerja."""

    tahun: Year
    jenis: Literal["murni", "perubahan"] = Field(
        default="murni", description="murni: the original PK; perubahan: a revised PK."
    )
    tingkat: Tingkat
    instansi: Instansi
    pihak_pertama: Pejabat = Field(description="The official who commits to the targets.")
    pihak_kedua: Pejabat | None = Field(
        default=None, description="The superior; required except for tingkat kepala_daerah."
    )
    tempat: Text = Field(description="Place of signing.")
    tanggal: Tanggal = Field(description='Date of signing: "2026-01-05", "05/01/2026" or "5 Januari 2026".')
    sasaran: list[Sasaran] = Field(min_length=1)
    anggaran: list[AnggaranItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_parties(self) -> PKData:
        single = self.tingkat is Tingkat.KEPALA_DAERAH
        if single and self.pihak_kedua is not None:
            raise FieldError("pihak_kedua", "pihak_kedua_tunggal")
        if not single and self.pihak_kedua is None:
            raise FieldError("pihak_kedua", "wajib_untuk_tingkat", tingkat=self.tingkat.value)
        if not single and self.pihak_pertama.nip is None:
            raise FieldError("pihak_pertama.nip", "wajib_untuk_tingkat", tingkat=self.tingkat.value)
        return self
    pk_awal: PKAwal | None = Field(
        default=None, description="jenis perubahan: the PK this one amends, printed under the title.")
    alasan_perubahan: Text | None = Field(
        default=None, description="jenis perubahan: why the PK is amended, printed under the title.")

    @model_validator(mode="after")
    def _amendment_only_for_perubahan(self) -> PKData:
        for name in ("pk_awal", "alasan_perubahan"):
            if getattr(self, name) is not None and self.jenis != "perubahan":
                raise FieldError(name, "only for jenis perubahan (a PK murni amends nothing)")
        return self
    garuda: ImageRef | None = Field(
        default=None, description="tingkat kepala_daerah only: the Garuda Pancasila emblem, centred at the top of "
        'the regional head\'s PK; {"data": base64 PNG/JPEG} or {"asset": id}.')

    @model_validator(mode="after")
    def _garuda_only_for_regional_head(self) -> PKData:
        if self.garuda is not None and self.tingkat is not Tingkat.KEPALA_DAERAH:
            raise FieldError("garuda", "garuda_hanya_kepala_daerah")
        return self
    atasan: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="The superior's PK: a document id of this service, or a batch item's ref.")
