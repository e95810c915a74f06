"""The Pohon Kinerja payload: the PKs whose cascade it draws (each as a batch item: ref and data),
the government it is for, and the year."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from pydantic import Field, model_validator

from doctypes.pk.model import PKData
from sakip.errors import FieldError
from sakip.models.common import Instansi, Strict, Text, Year

__all__ = ["MAX_PK", "PohonKinerjaData", "PohonPK"]

MAX_PK = 2000
"""Most PKs one Pohon Kinerja draws (a province with every supervisor is about a thousand)."""


class PohonPK(Strict):
    """One PK of the tree: its ``ref`` (what other PKs' ``atasan`` name) and its data."""

    ref: Annotated[str, Field(min_length=1, max_length=200)] = Field(description="The PK's ref, as atasan names it.")
    data: PKData


class PohonKinerjaData(Strict):
    """The data of one Pohon Kinerja: the PKs, linked by ``atasan`` and ``mendukung``."""

    tahun: Year
    instansi: Instansi = Field(description="The government (or agency) whose tree it is: the letterhead.")
    judul: Text | None = Field(default=None, description='Title; default "POHON KINERJA".')
    pk: list[PohonPK] = Field(min_length=1, max_length=MAX_PK,
                              description="The PKs, from the regional head down, each {ref, data}; "
                                          "or leave it out and name a batch.")
    batch: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")] | None = Field(
        default=None, description="Instead of pk: the id of a PK batch of yours; its valid items become pk "
                                  "when the request is accepted (the stored request carries them).")

    @model_validator(mode="after")
    def _unique_refs(self) -> PohonKinerjaData:
        if self.batch is not None:
            raise FieldError("batch", "batch_tidak_ada", id=self.batch)  # intake replaces a batch it knows
        twice = [ref for ref, count in Counter(p.ref for p in self.pk).items() if count > 1]
        if twice:
            raise FieldError("pk", "ref_ganda", refs=", ".join(repr(r) for r in twice[:5]))
        return self
