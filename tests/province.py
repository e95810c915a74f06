"""A generated province-shaped PK batch for the cascade tests: one regional head, five agencies,
four levels, 181 PKs, with a known set of links broken on purpose (BROKEN, EXPECTED_FINDINGS)."""

from __future__ import annotations

import copy
from typing import Any

AGENCIES = 5
ADMINISTRATORS = 5
SUPERVISORS = 6
HEAD_OBJECTIVES = 4  # the 4th, M4, is served by no agency on purpose

PEMERINTAH = "Pemerintah Provinsi Sumatera Utara"


def _nip(n: int) -> str:
    return f"19{70 + n % 25:02d}{1 + n % 12:02d}{1 + n % 28:02d}1995{1 + n % 12:02d}{1 + n % 2}{n % 1000:03d}"


def _pk(tingkat: str, agency: str, name: str, jabatan: str, n: int, atasan: str | None,
        superior: dict[str, Any] | None, objectives: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tahun": 2026, "tingkat": tingkat, "instansi": {"pemerintah": PEMERINTAH, "nama": agency},
        "pihak_pertama": {"nama": name, "jabatan": jabatan, **({"nip": _nip(n)} if tingkat != "kepala_daerah" else {})},
        "tempat": "Medan", "tanggal": "2026-01-05", "sasaran": objectives,
    }
    if superior is not None:
        data["pihak_kedua"] = {k: v for k, v in superior["pihak_pertama"].items()}
    if atasan is not None:
        data["atasan"] = atasan
    return data


def _objectives(ref: str, n: int, serves: list[str | int | None]) -> list[dict[str, Any]]:
    out = []
    for s, mendukung in enumerate(serves):
        target = 50 + (n * 7 + s) % 50
        objective: dict[str, Any] = {
            "uraian": f"Sasaran {s + 1} {ref}",
            "indikator": [
                {"uraian": f"Indikator {s + 1}.1 {ref}", "satuan": "%", "target": f"{target},5",
                 "triwulan": [f"{target // 4},5", target // 2, f"{3 * target // 4},25", f"{target},5"]},
                {"uraian": f"Indikator {s + 1}.2 {ref}", "satuan": "Dokumen", "target": 1 + s,
                 "polaritas": "negatif" if s else "positif"},
            ],
        }
        if mendukung is not None:
            objective["mendukung"] = mendukung
        out.append(objective)
    return out


def province() -> list[dict[str, Any]]:
    """The batch's items, [{ref, data}], top down; the broken links of BROKEN applied."""
    head = _pk("kepala_daerah", PEMERINTAH, "H. Gubernur Contoh", "Gubernur Sumatera Utara", 0, None, None,
               _objectives("KD", 0, [None] * HEAD_OBJECTIVES))
    for s, objective in enumerate(head["sasaran"]):
        objective["kode"] = f"M{s + 1}"
    items = [{"ref": "KD", "data": head}]
    n = 1
    for a in range(AGENCIES):
        agency = f"Dinas Contoh {a + 1}"
        jpt_ref = f"D{a}"
        jpt = _pk("jpt", agency, f"Kepala Dinas {a}", f"Kepala {agency}", n, "KD", head,
                  _objectives(jpt_ref, n, [f"M{a % 3 + 1}", f"m{(a + 1) % 3 + 1}"]))  # by kode, any case
        items.append({"ref": jpt_ref, "data": jpt})
        n += 1
        for i in range(ADMINISTRATORS):
            admin_ref = f"{jpt_ref}-A{i}"
            admin = _pk("administrator", agency, f"Kepala Bidang {a}.{i}", f"Kepala Bidang {i} {agency}", n,
                        jpt_ref, jpt, _objectives(admin_ref, n, [i % 2 + 1, str((i + 1) % 2 + 1)]))
            items.append({"ref": admin_ref, "data": admin})
            n += 1
            for j in range(SUPERVISORS):
                ref = f"{admin_ref}-P{j}"
                items.append({"ref": ref, "data": _pk(
                    "pengawas", agency, f"Kepala Seksi {a}.{i}.{j}", f"Kepala Seksi {j} Bidang {i}", n,
                    admin_ref, admin, _objectives(ref, n, [j % 2 + 1, (j + 1) % 2 + 1]))})
                n += 1
    by_ref = {item["ref"]: item["data"] for item in items}
    for ref, change in BROKEN.items():
        change(by_ref[ref])
    return items


def _set(path: str, value: Any):
    def change(data: dict[str, Any]) -> None:
        target = data
        *parts, last = path.split(".")
        for part in parts:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is None:
            del target[last]
        else:
            target[last] = copy.deepcopy(value)
    return change


BROKEN = {
    "D0-A0-P0": _set("atasan", "TIDAK-ADA"),          # a link to nothing
    "D1-A0": _set("atasan", "D1-A1-P0"),              # a supervisor above an administrator
    "D2-A0-P0": _set("atasan", "D2-A0-P1"),           # two supervisors above each other: a cycle
    "D2-A0-P1": _set("atasan", "D2-A0-P0"),
    "D3-A2-P1": _set("sasaran.1.mendukung", None),    # an objective that serves nothing
    "D3-A2-P2": _set("sasaran.0.mendukung", 9),       # serves an objective the superior doesn't have
    "D4-A4": _set("atasan", None),                    # names no superior
}

EXPECTED_FINDINGS = {
    ("D0-A0-P0", "atasan_tidak_ada", "data.atasan"),
    ("D1-A0", "atasan_tingkat_salah", "data.atasan"),
    ("D2-A0-P0", "atasan_tingkat_salah", "data.atasan"),
    ("D2-A0-P1", "atasan_tingkat_salah", "data.atasan"),
    ("D2-A0-P0", "atasan_siklus", "data.atasan"),
    ("D2-A0-P1", "atasan_siklus", "data.atasan"),
    ("D3-A2-P1", "sasaran_tanpa_induk", "data.sasaran.1.mendukung"),
    ("D3-A2-P2", "mendukung_tidak_ada", "data.sasaran.0.mendukung"),
    ("D4-A4", "pk_tanpa_atasan", "data.atasan"),
    ("KD", "sasaran_tanpa_pendukung", "data.sasaran.3"),
}
"""(ref, code, loc) of every finding the generated batch must give, and no other."""


def expected_parent(ref: str) -> str | None:
    """The superior the tree shows for ``ref``: the generated one, or the broken one."""
    if ref in ("KD", "D0-A0-P0", "D2-A0-P0", "D2-A0-P1", "D4-A4"):
        return None  # no superior, a missing one, or a cut cycle
    if ref == "D1-A0":
        return "D1-A1-P0"
    return ref.rsplit("-", 1)[0] if "-" in ref else "KD"
