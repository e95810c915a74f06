"""The cascade (keselarasan) of PKs: who serves whom, from the regional head down to every
official, and what breaks it.

A PK names its superior's PK (``atasan``: a batch item's ref or a document id of ours) and, per
objective, the superior's objective it serves (``mendukung``: its kode, or its number, 1 for the
first). From a list of PKs this module builds the tree (nodes and links) and the findings, as
quality warnings (codes in sakip.quality.CASCADE_WARNING_CODES, sentences in sakip.messages):

- ``atasan_tidak_ada``: ``atasan`` names no PK of the list;
- ``atasan_tingkat_salah``: the superior's level is not above this one's (a pengawas above an
  administrator, anyone above the regional head);
- ``atasan_siklus``: following the superiors comes back to the same PK;
- ``pk_tanpa_atasan``: a PK below the regional head names no superior;
- ``sasaran_tanpa_induk``: an objective serves nothing above it (no ``mendukung``);
- ``mendukung_tidak_ada``: ``mendukung`` names an objective the superior doesn't have;
- ``sasaran_tanpa_pendukung``: a superior's objective nothing below supports (only for a PK that
  has at least one subordinate in the list: a list without the lower levels is not a finding).

Pure: no Flask, no Redis; the caller gathers the PKs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from doctypes.pk.model import PKData, Sasaran, Tingkat
from sakip.messages import DEFAULT_LANGUAGE
from sakip.quality import QualityWarning

__all__ = ["LEVEL_RANK", "Cascade", "CascadeEntry", "Finding", "Node", "batch_findings", "build_cascade",
           "sasaran_number"]

LEVEL_RANK = {Tingkat.KEPALA_DAERAH: 0, Tingkat.JPT: 1, Tingkat.ADMINISTRATOR: 2, Tingkat.PENGAWAS: 3}
"""Higher in the hierarchy is smaller; a superior's rank must be smaller than its subordinate's."""


@dataclass(frozen=True)
class CascadeEntry:
    """One PK of the list: its document id (may be empty), its batch ref (may be empty), its data.
    An ``external`` PK (a superior from outside the list) is a node that others link to, but it has
    no findings and no export rows of its own: its other subordinates are not in the list."""

    id: str
    ref: str
    data: PKData
    external: bool = False


@dataclass(frozen=True)
class Finding:
    """A warning about one PK of the list."""

    id: str
    ref: str
    warning: QualityWarning

    def to_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        return {"id": self.id, "ref": self.ref, **self.warning.to_dict(lang)}


@dataclass
class Node:
    """A PK in the tree; ``parent`` is the key of its superior's node when that was found."""

    key: str
    entry: CascadeEntry
    parent: str | None = None
    # per objective (0-based): the superior's objective index it serves, when resolved
    serves: dict[int, int] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)


@dataclass
class Cascade:
    """Nodes by key (in input order), objective links and findings."""

    nodes: dict[str, Node]
    findings: list[Finding]

    def roots(self) -> list[str]:
        return [k for k, n in self.nodes.items() if n.parent is None]

    def links(self) -> list[dict[str, Any]]:
        """Every resolved link: PK to superior's PK, and objective to superior's objective."""
        out: list[dict[str, Any]] = []
        for node in self.nodes.values():
            if node.parent is None:
                continue
            parent = self.nodes[node.parent]
            out.append({"dari": _public_key(node), "ke": _public_key(parent), "jenis": "pk"})
            for s, p in sorted(node.serves.items()):
                out.append({"dari": _public_key(node), "ke": _public_key(parent), "jenis": "sasaran",
                            "sasaran": s + 1, "sasaran_atasan": p + 1})
        return out

    def to_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        """The JSON of GET /api/v1/batches/{id}/cascade: nodes, links, findings."""
        depth = self.depths()
        nodes = []
        for node in self.nodes.values():
            data = node.entry.data
            nodes.append({
                "id": node.entry.id or None, "ref": node.entry.ref or None, "tingkat": data.tingkat.value,
                "kedalaman": depth.get(node.key), "nama": data.pihak_pertama.nama, "nip": data.pihak_pertama.nip,
                "jabatan": data.pihak_pertama.jabatan, "instansi": data.instansi.nama,
                "atasan": _public_key(self.nodes[node.parent]) if node.parent else None,
                "bawahan": [_public_key(self.nodes[c]) for c in node.children],
                "sasaran": [{"no": s + 1, "kode": sasaran.kode, "uraian": sasaran.uraian,
                             "mendukung": node.serves[s] + 1 if s in node.serves else None,
                             "indikator": [i.uraian for i in sasaran.indikator]}
                            for s, sasaran in enumerate(data.sasaran)],
            })
        return {"nodes": nodes, "links": self.links(), "findings": [f.to_dict(lang) for f in self.findings]}

    def depths(self) -> dict[str, int]:
        """Distance from a root (0), for the nodes a root reaches (not those in a cycle)."""
        depth: dict[str, int] = {}
        stack = [(k, 0) for k in self.roots()]
        while stack:
            key, d = stack.pop()
            depth[key] = d
            stack += [(c, d + 1) for c in self.nodes[key].children if c not in depth]
        return depth


def _public_key(node: Node) -> str:
    return node.entry.ref or node.entry.id


def sasaran_number(superior: list[Sasaran], mendukung: str) -> int | None:
    """The 0-based index of the superior's objective ``mendukung`` names: its kode (any case),
    else its number (1 = the first)."""
    wanted = mendukung.strip().casefold()
    for s, sasaran in enumerate(superior):
        if sasaran.kode is not None and sasaran.kode.strip().casefold() == wanted:
            return s
    if wanted.isdigit() and 1 <= int(wanted) <= len(superior):
        return int(wanted) - 1
    return None


def _finding(node: Node, code: str, loc: str, **params: Any) -> Finding:
    return Finding(node.entry.id, node.entry.ref, QualityWarning(code, f"data.{loc}", params))


def _label(node: Node) -> str:
    return node.entry.ref or node.entry.id


def build_cascade(entries: Iterable[CascadeEntry]) -> Cascade:
    """The tree of ``entries`` and its findings, in input order."""
    nodes: dict[str, Node] = {}
    by_name: dict[str, str] = {}
    for n, entry in enumerate(entries):
        key = f"{n}"
        nodes[key] = Node(key, entry)
        for name in (entry.id, entry.ref):
            if name:
                by_name.setdefault(name, key)
    findings: list[Finding] = []
    for node in nodes.values():
        data = node.entry.data
        if data.atasan is None:
            if data.tingkat is not Tingkat.KEPALA_DAERAH:
                findings.append(_finding(node, "pk_tanpa_atasan", "atasan", pk=_label(node)))
            continue
        parent_key = by_name.get(data.atasan)
        if parent_key is None:
            findings.append(_finding(node, "atasan_tidak_ada", "atasan", atasan=data.atasan))
            continue
        parent = nodes[parent_key]
        if LEVEL_RANK[parent.entry.data.tingkat] >= LEVEL_RANK[data.tingkat]:
            findings.append(_finding(node, "atasan_tingkat_salah", "atasan", atasan=data.atasan,
                                     tingkat_atasan=parent.entry.data.tingkat.value, tingkat=data.tingkat.value))
        node.parent = parent_key
        parent.children.append(node.key)
    findings += _cycles(nodes)
    for node in nodes.values():
        if node.parent is None:
            continue
        superior = nodes[node.parent].entry.data.sasaran
        for s, sasaran in enumerate(node.entry.data.sasaran):
            if sasaran.mendukung is None:
                findings.append(_finding(node, "sasaran_tanpa_induk", f"sasaran.{s}.mendukung",
                                         sasaran=sasaran.uraian))
                continue
            target = sasaran_number(superior, sasaran.mendukung)
            if target is None:
                findings.append(_finding(node, "mendukung_tidak_ada", f"sasaran.{s}.mendukung",
                                         mendukung=sasaran.mendukung, atasan=node.entry.data.atasan))
            else:
                node.serves[s] = target
    for node in nodes.values():
        if not node.children:
            continue
        supported = {nodes[c].serves[s] for c in node.children for s in nodes[c].serves}
        for s, sasaran in enumerate(node.entry.data.sasaran):
            if s not in supported:
                findings.append(_finding(node, "sasaran_tanpa_pendukung", f"sasaran.{s}", sasaran=sasaran.uraian))
    external = {(n.entry.id, n.entry.ref) for n in nodes.values() if n.entry.external}
    return Cascade(nodes, [f for f in findings if (f.id, f.ref) not in external])


def _cycles(nodes: dict[str, Node]) -> list[Finding]:
    """One finding per PK on a cycle of superiors; their links are cut, so the tree stays a tree."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    found: list[Finding] = []
    for start in nodes:
        path: list[str] = []
        key: str | None = start
        while key is not None and key not in state:
            state[key] = 1
            path.append(key)
            key = nodes[key].parent
        if key is not None and state.get(key) == 1:
            cycle = path[path.index(key):]
            names = " → ".join(_label(nodes[k]) for k in [*cycle, cycle[0]])
            for k in cycle:
                found.append(_finding(nodes[k], "atasan_siklus", "atasan", siklus=names))
            for k in cycle:  # cut the cycle: these PKs become roots
                parent = nodes[k].parent
                if parent is not None:
                    nodes[parent].children.remove(k)
                    nodes[k].parent = None
        for k in path:
            state[k] = 2
    return found


def _valid_pk(raw: Any) -> PKData | None:
    try:
        return PKData.model_validate(raw)
    except (ValidationError, ValueError):
        return None  # the item fails on its own, with its field errors


def batch_findings(items: Sequence[Mapping[str, Any]],
                   external: Callable[[list[CascadeEntry]], list[CascadeEntry]] | None = None,
                   ) -> dict[int, list[QualityWarning]]:
    """The cascade findings of a batch's items ({ref, data, doc_id}), by item index: what the
    batch adds to each item's quality warnings. Only a batch that links its PKs (some item names an
    ``atasan``) is a cascade: a batch of unlinked PKs gets no findings (it isn't missing anything).
    Items that fail validation are left out. ``external`` may add the superiors named by a document
    id outside the batch (marked external), so such a link is not reported as broken."""
    if not any(isinstance(item.get("data"), Mapping) and item["data"].get("atasan") for item in items):
        return {}
    entries: list[CascadeEntry] = []
    index_of: dict[str, int] = {}
    for index, item in enumerate(items):
        data = None if item.get("errors") else _valid_pk(item.get("data"))
        if data is not None:
            doc_id = str(item.get("doc_id") or f"item-{index}")
            index_of[doc_id] = index
            entries.append(CascadeEntry(doc_id, str(item.get("ref", index)), data))
    found: dict[int, list[QualityWarning]] = {}
    for finding in build_cascade(external(entries) if external else entries).findings:
        if finding.id in index_of:
            found.setdefault(index_of[finding.id], []).append(finding.warning)
    return found
