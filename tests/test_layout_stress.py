"""Layouts that hold on long, real data: the stress corpus (tests/stress_corpus.py) rendered to PDF
by the real LibreOffice, on F4 and A4, and read back with positions (pdfplumber).

Checked on every document: page size; no page begins with the signature block; both parties'
labels on one line; every word and figure of the document prints whole (no word broken inside
a table cell); the LKjIP's id and verification link on every page. On the LKjIP also: the front
matter numbered i, ii, iii and Bab I from 1; the Daftar Tabel and Daftar Grafik giving every
caption with the page it is on; the organisation chart of 25 long-named units (picture and
names); every table's text at one size; the efficiency table whole.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from docx import Document

from config.settings import REPO_ROOT, Settings
from storage.templates import TemplateRegistry
from tests.docx_reading import full_text
from tests.stress_corpus import ORGANISATION, PK_LEVELS, lkjip_stress, pk_stress
from workers.convert import converter_state_dir, warm_converter
from workers.converter import stop_converters
from workers.produce import produce_files

pytestmark = pytest.mark.slow

DOC_ID = "5e55c0de" * 4
PAPER_POINTS = {"F4": (215 / 25.4 * 72, 330 / 25.4 * 72), "A4": (210 / 25.4 * 72, 297 / 25.4 * 72)}
CASES = [(f"pk-{level}-{jenis}-{paper}", "pk", level, jenis, paper)
         for paper in ("F4", "A4") for level in PK_LEVELS for jenis in ("murni", "perubahan")]
CASES += [(f"lkjip-{paper}", "lkjip", None, None, paper) for paper in ("F4", "A4")]
MM = 72 / 25.4
FOOTER_ZONE = 0.9
"""Below this fraction of the page height lies the footer (id, QR code, page number)."""


@dataclass(frozen=True)
class Rendered:
    """One corpus document: the request, its DOCX and its PDF."""

    body: dict[str, Any]
    docx: bytes
    pdf: bytes
    paper: str


def _registry(root: Path, paper: str) -> TemplateRegistry:
    """The shipped templates with every version on ``paper``."""
    target = root / paper
    shutil.copytree(REPO_ROOT / "doctypes", target)
    for manifest_path in target.glob("*/manifest.json"):
        manifest = json.loads(manifest_path.read_text())
        for version in manifest["versions"]:
            version["paper"] = paper
        manifest_path.write_text(json.dumps(manifest))
    return TemplateRegistry(target)


def _empty_docx() -> bytes:
    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def _render_half(paper: str, registry: TemplateRegistry, settings: Settings) -> dict[str, Rendered]:
    """The corpus documents on ``paper``, converted by that half's own warm LibreOffice."""
    rendered = {}
    for name, doc_type, level, jenis, case_paper in CASES:
        if case_paper == paper:
            body = pk_stress(level, jenis) if doc_type == "pk" else lkjip_stress()
            body["format"] = ["docx", "pdf"]
            docx, pdf = produce_files(body, registry, doc_id=DOC_ID, settings=settings)
            rendered[name] = Rendered(body=body, docx=docx.content, pdf=pdf.content, paper=paper)
    return rendered


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Rendered]]:
    """Every document of the corpus: the F4 and the A4 half at once, each converted by a warm
    LibreOffice of its own (a data folder, so a profile and state, per half)."""
    root = tmp_path_factory.mktemp("stress")
    settings = {paper: Settings(data_dir=root / f"var-{paper}", public_url="http://docgen.test")
                for paper in PAPER_POINTS}
    registries = {paper: _registry(root / "templates", paper) for paper in PAPER_POINTS}
    try:
        # One converter started before the other: two threads starting theirs at once would share the
        # client's bookkeeping of started hosts, which is not made for threads.
        warm_converter(settings["F4"]).convert(_empty_docx())
        with ThreadPoolExecutor(max_workers=len(PAPER_POINTS)) as pool:
            halves = [pool.submit(_render_half, paper, registries[paper], settings[paper]) for paper in PAPER_POINTS]
            rendered = {name: document for half in halves for name, document in half.result().items()}
        yield {name: rendered[name] for name, *_ in CASES}
    finally:
        for opened in _OPENED.values():
            opened.close()
        _OPENED.clear()
        for paper_settings in settings.values():
            stop_converters(converter_state_dir(paper_settings.data_dir))


def _lines(page) -> list[tuple[float, str]]:
    """The page's body lines (footer left out), top to bottom: (top, text)."""
    words = [w for w in page.extract_words() if w["top"] < page.height * FOOTER_ZONE]
    lines: dict[int, list[dict[str, Any]]] = {}
    for word in words:
        lines.setdefault(round(word["top"]), []).append(word)
    return [(top, " ".join(w["text"] for w in sorted(ws, key=lambda w: w["x0"]))) for top, ws in sorted(lines.items())]


_OPENED: dict[bytes, pdfplumber.PDF] = {}
"""Each corpus PDF parsed once for the module: the tests only read it, and pdfplumber keeps a page's
parsed characters, so every test after the first reads them without parsing the PDF again."""


def _pages(pdf: bytes) -> contextlib.nullcontext[pdfplumber.PDF]:
    if pdf not in _OPENED:
        _OPENED[pdf] = pdfplumber.open(io.BytesIO(pdf))
    return contextlib.nullcontext(_OPENED[pdf])


def _docx_words(docx: bytes) -> set[str]:
    """Every word the DOCX prints (body, tables, footers), and the pieces a line may break into
    (after a hyphen or a slash, at a space or no-break space)."""
    doc = Document(io.BytesIO(docx))
    texts = [full_text(doc)]
    for section in doc.sections:
        for foot in (section.footer, section.first_page_footer):
            texts += [p.text for p in foot.paragraphs]
            texts += [c.text for t in foot.tables for r in t.rows for c in r.cells]
    words = set()
    for token in re.split(r"[\s\u00a0]+", " ".join(texts)):
        if token:
            words.add(token)
            words.update(piece for piece in re.split(r"(?<=[-/])", token) if piece)
    return words


def _printed_word(word: dict[str, Any]) -> str:
    """A PDF word as the document wrote it: a contents entry's dot leader and page number, and
    page numbers themselves (digits only, made by the layout), left out."""
    text = re.sub(r"\.{2,}(\d+|[ivxl]+)?$", "", word["text"])
    return "" if text.isdigit() or re.fullmatch(r"[ivxl]+", text) else text


@pytest.mark.parametrize("name", [case[0] for case in CASES])
def test_page_size(corpus, name):
    document = corpus[name]
    with _pages(document.pdf) as pdf:
        for page in pdf.pages:
            width, height = PAPER_POINTS[document.paper]
            assert abs(page.width - width) < 2 and abs(page.height - height) < 2, (page.width, page.height)


@pytest.mark.parametrize("name", [case[0] for case in CASES])
def test_every_word_and_figure_prints_whole(corpus, name):
    """A word broken inside a narrow cell prints as pieces ("Informati" / "f", "1.250.00" / "0")
    that are no word of the document."""
    document = corpus[name]
    allowed = _docx_words(document.docx)
    with _pages(document.pdf) as pdf:
        broken = {(number, word) for number, page in enumerate(pdf.pages, start=1)
                  for word in map(_printed_word, page.extract_words()) if word and word not in allowed}
    assert not broken, sorted(broken)[:20]
    if name.startswith("pk-"):
        # figures of the Rencana Aksi and budget are there whole, "Rp" on the line of its figure
        with _pages(document.pdf) as pdf:
            lines = [text for page in pdf.pages for _, text in _lines(page)]
        text = "\n".join(lines)
        for figure in ("1.250.000", "1.800.000", "2.500.000", "Informatif", "Rekomendasi", "Keluarga"):
            assert re.search(rf"(^|\s){re.escape(figure)}(\s|$)", text, re.MULTILINE), figure
        assert re.search(r"Rp 8\.551\.500\.000", text)
        assert not re.search(r"Rp$", text, re.MULTILINE)


@pytest.mark.parametrize("name", [case[0] for case in CASES])
def test_no_page_begins_with_the_signature_block(corpus, name):
    """PK: the statement's and the lampiran's; LKjIP: the Kata Pengantar's and Bab IV's."""
    document = corpus[name]
    date_line = "Medan, 1 Oktober 2026" if name.startswith("pk-") else "Medan, 20 Februari 2026"
    block_starts = ("PIHAK KEDUA,", "PIHAK PERTAMA,", date_line)
    with _pages(document.pdf) as pdf:
        signature_pages = 0
        for number, page in enumerate(pdf.pages, start=1):
            lines = _lines(page)
            assert lines, f"page {number} is empty"
            assert not lines[0][1].startswith(block_starts), f"page {number} begins with the signature block"
            texts = [text for _, text in lines]
            if any(date_line in text for text in texts):
                signature_pages += 1
                above = [text for text in texts[:next(i for i, t in enumerate(texts) if date_line in t)]]
                assert above, f"page {number}: nothing above the signature block"
        assert signature_pages == 2


@pytest.mark.parametrize("name", [case[0] for case in CASES if case[1] == "pk" and "kepala_daerah" not in case[0]])
def test_both_labels_on_one_line_date_above_the_first_party_only(corpus, name):
    document = corpus[name]
    with _pages(document.pdf) as pdf:
        found = 0
        for page in pdf.pages:
            words = page.extract_words()
            kedua = [w for w in words if w["text"] == "KEDUA,"]
            pertama = [w for w in words if w["text"] == "PERTAMA,"]
            dates = [w for w in words if w["text"] == "Medan,"]
            for left, right in zip(kedua, pertama, strict=True):
                assert abs(left["top"] - right["top"]) < 1, (left, right)
                assert left["x0"] < page.width / 2 < right["x0"]
                date = next(d for d in dates if d["top"] < right["top"])
                assert date["x0"] > page.width / 2  # over the first party's column only
                found += 1
    assert found == 2


@pytest.mark.parametrize("name", [case[0] for case in CASES if case[1] == "pk"])
def test_pk_perubahan_names_what_it_amends_and_why_under_the_title(corpus, name):
    document = corpus[name]
    with _pages(document.pdf) as pdf:
        lines = [text for _, text in _lines(pdf.pages[0])]
    text = " ".join(lines)
    if "perubahan" in name:
        assert ("PERJANJIAN KINERJA PERUBAHAN TAHUN 2026 Perubahan atas Perjanjian Kinerja Nomor "
                "800/1234/PK/DPMD/2026 tanggal 5 Januari 2026 Alasan perubahan: Perubahan Anggaran Pendapatan "
                "dan Belanja Daerah Tahun 2026") in text
    else:
        assert "PERJANJIAN KINERJA TAHUN 2026 Dalam rangka" in text
        assert "Perubahan atas" not in text and "Alasan perubahan" not in text


@pytest.mark.parametrize("name", [case[0] for case in CASES if case[1] == "pk"])
def test_the_verification_note_stays_with_the_signatures(corpus, name):
    """The statement page's QR note never stands alone on a page: where the signatures move on,
    it moves with them (the first party's name is on the note's page)."""
    signer = "Muhammad" if "kepala_daerah" in name else "Rahmawati"
    with _pages(corpus[name].pdf) as pdf:
        pages = [page.extract_text() for page in pdf.pages]
    noted = [text for text in pages if "Dokumen ini diterbitkan oleh layanan" in text]
    assert len(noted) == 1 and signer in noted[0]


@pytest.mark.parametrize("name", [case[0] for case in CASES if case[1] == "pk"])
def test_the_logo_beside_the_letterhead_or_the_garuda_above_it(corpus, name):
    """Page 1 only: the agency's logo left of the letterhead's first line (the Garuda of a regional
    head's PK centred above it), inside the margins; no picture on a later page but the footer's QR."""
    with _pages(corpus[name].pdf) as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
        first = next(w for w in words if w["text"] == "PEMERINTAH")
        title = next(w for w in words if w["text"] == "PERJANJIAN")
        letterhead = [w for w in words if w["top"] < title["top"] - 5]
        pictures = [i for i in page.images if i["top"] < title["top"]]
        assert len(pictures) == 1, pictures
        picture = pictures[0]
        assert picture["x0"] > 15 * MM and picture["x1"] < page.width - 15 * MM
        if "kepala_daerah" in name:
            assert picture["bottom"] <= first["top"] + 1
            middle = (min(w["x0"] for w in letterhead) + max(w["x1"] for w in letterhead)) / 2
            assert abs((picture["x0"] + picture["x1"]) / 2 - middle) < 3 * MM
        else:
            assert picture["x1"] < min(w["x0"] for w in letterhead)
            assert picture["top"] < max(w["bottom"] for w in letterhead) and picture["bottom"] > first["top"]
        for later in pdf.pages[1:]:
            # nothing but the footer's QR code and, where the statement page runs over, the signature's
            pictures = [i for i in later.images if i["top"] < later.height * FOOTER_ZONE]
            assert all(abs((i["x1"] - i["x0"]) - 24 * MM) < 1 * MM for i in pictures), later.page_number


@pytest.mark.parametrize("name", ["lkjip-F4", "lkjip-A4"])
def test_lkjip_id_and_verify_link_on_every_page(corpus, name):
    url = f"http://docgen.test/verify/{DOC_ID}"
    with _pages(corpus[name].pdf) as pdf:
        assert len(pdf.pages) > 15
        for number, page in enumerate(pdf.pages, start=1):
            text = page.extract_text()
            assert f"ID dokumen {DOC_ID}" in text, f"page {number}"
            assert f"Verifikasi: {url}" in text, f"page {number}"
        # and beside the head of agency's signature at the end of Bab IV
        assert any(f"ID dokumen: {DOC_ID}" in page.extract_text() for page in pdf.pages)


LKJIP = ["lkjip-F4", "lkjip-A4"]
PAGE_LABEL = re.compile(r"^(\d+|[ivxl]+)$")


def _label(page) -> str | None:
    """The page number the footer prints, centred just above the id: "iii", "12"; None on the cover."""
    words = page.extract_words()
    id_top = min(w["top"] for w in words if w["text"] == "ID" and w["top"] > page.height * FOOTER_ZONE)
    found = [w["text"] for w in words if id_top - 30 < w["top"] < id_top - 15
             and PAGE_LABEL.match(w["text"]) and abs((w["x0"] + w["x1"]) / 2 - page.width / 2) < 40]
    assert len(found) <= 1, found
    return found[0] if found else None


def _roman(n: int) -> str:
    return ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"][n - 1]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", LKJIP)
def test_lkjip_front_matter_is_numbered_in_roman_and_bab_one_starts_at_one(corpus, name):
    with _pages(corpus[name].pdf) as pdf:
        labels = [_label(page) for page in pdf.pages]
        bab1 = next(n for n, page in enumerate(pdf.pages) if _lines(page)[0][1] == "BAB I PENDAHULUAN")
    assert labels[0] is None  # the cover
    assert labels[1:bab1] == [_roman(n) for n in range(1, bab1)]
    assert labels[bab1:] == [str(n) for n in range(1, len(labels) - bab1 + 1)]


@pytest.mark.parametrize("name", LKJIP)
@pytest.mark.parametrize(("title", "kind"), [("DAFTAR TABEL", "Tabel"), ("DAFTAR GRAFIK", "Grafik")])
def test_lkjip_lists_of_tables_and_charts_give_every_caption_its_page(corpus, name, title, kind):
    with _pages(corpus[name].pdf) as pdf:
        pages = [(_label(page), _flat(page.extract_text()), [t for _, t in _lines(page)]) for page in pdf.pages]
    listing = [n for n, (_, _, lines) in enumerate(pages) if lines[0] == title]
    assert len(listing) == 1
    entries, pending = [], ""
    for line in pages[listing[0]][2][1:]:
        pending = f"{pending} {line}".strip()
        if match := re.fullmatch(rf"(?P<caption>{kind} \d+ .+?)\s*\.{{2,}}\s*(?P<page>\d+|[ivxl]+)", pending):
            entries.append((match["caption"], match["page"]))
            pending = ""
    assert not pending, pending
    # every caption of the body is listed, in order, numbered 1, 2, 3...
    body = [(label, text) for n, (label, text, _) in enumerate(pages) if n not in listing]
    printed = sorted({int(m) for _, text in body for m in re.findall(rf"(?:^| ){kind} (\d+) ", text)})
    assert [caption.split()[1] for caption, _ in entries] == [str(n) for n in printed] == \
        [str(n) for n in range(1, len(entries) + 1)]
    assert len(entries) == (17 if kind == "Tabel" else 10)
    for caption, label in entries:
        where = [page_label for page_label, text in body if caption in text]
        assert where == [label], (caption, label, where)


@pytest.mark.parametrize("name", LKJIP)
def test_lkjip_organisation_chart_is_drawn_and_names_every_unit(corpus, name):
    with _pages(corpus[name].pdf) as pdf:
        text = _flat(" ".join(page.extract_text() for page in pdf.pages))
        (chart_page,) = [page for page in pdf.pages if "Bagan Struktur Organisasi" in page.extract_text()]
        pictures = [image for image in chart_page.images if image["height"] > 200]
    assert "C. Tugas, Fungsi dan Struktur Organisasi" in text
    for unit in ORGANISATION:
        assert unit["nama"] in text, unit["nama"]
    assert len(pictures) == 1  # the chart graphviz drew (the QR code is small)
    width = pictures[0]["x1"] - pictures[0]["x0"]
    assert 200 < width <= 165 / 25.4 * 72 + 1


@pytest.mark.parametrize("name", LKJIP)
def test_lkjip_every_table_prints_at_one_size(corpus, name):
    sizes: dict[float, int] = {}
    tables = 0
    with _pages(corpus[name].pdf) as pdf:
        for page in pdf.pages:
            for table in page.find_tables():
                tables += 1
                for char in page.within_bbox(table.bbox).chars:
                    if char["text"].strip():
                        sizes[round(char["size"], 1)] = sizes.get(round(char["size"], 1), 0) + 1
    assert tables >= 20
    assert list(sizes) == [10.0], sizes


@pytest.mark.parametrize("name", LKJIP)
def test_lkjip_efficiency_per_objective_is_printed_whole(corpus, name):
    with _pages(corpus[name].pdf) as pdf:
        text = _flat(" ".join(page.extract_text() for page in pdf.pages))
    table = text.split("Efisiensi Penggunaan Anggaran per Sasaran Tahun 2025", 2)[-1].split("BAB IV PENUTUP")[0]
    assert "Secara umum" not in table
    rows = re.findall(r"(?:^| )(\d) Meningkatnya akuntabilitas (?:[^%]*? )?(\d) ([\d,]+%) ([\d,]+%) ([+\u2212][\d,]+) "
                      r"(Efisien|Belum efisien)", table)
    assert [row[0] for row in rows] == ["1", "2", "3"], table
    assert all(row[1] == "1" for row in rows)  # one program serves each objective
