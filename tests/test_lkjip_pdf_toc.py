"""The LKjIP's table of contents in the PDF: the converter updates the document's indexes before
the export, so each entry carries the page its heading is really on (Word does the same on open
through updateFields; LibreOffice, left alone, prints the entries without numbers)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import example
from workers.convert import converter_state_dir
from workers.converter import stop_converters
from workers.converter_host import INDEX_PASSES, update_indexes

pytestmark = pytest.mark.usefixtures("shared_converter")
"""PDFs from the session's warm LibreOffice (conftest.shared_converter)."""

CHAPTERS = ["KATA PENGANTAR", "IKHTISAR EKSEKUTIF", "BAB I PENDAHULUAN", "BAB II PERENCANAAN KINERJA",
            "BAB III AKUNTABILITAS KINERJA", "BAB IV PENUTUP", "LAMPIRAN"]
TOC_LINE = re.compile(r"^\s*(?P<text>\S.*?)\s*(?:\.{2,}|\u2026{1,})\s*(?P<page>\d+|[ivxl]+)\s*$")
"""An entry's last line: its text, the dot leader, the page number (lower roman in the front matter)."""
PAGE_LABEL = re.compile(r"^\s*(\d+|[ivxl]+)\s*$")
"""A line holding nothing but a page number: the footer's."""


@pytest.fixture(autouse=True)
def _stop_converters(tmp_path: Path) -> Iterator[None]:
    """The test's LibreOffice ends with the test, not with the session."""
    yield
    stop_converters(converter_state_dir(tmp_path / "var"))


def _page_texts(pdf: Path) -> list[str]:
    """The text of each page, in order (pages counted from 1: ``texts[n - 1]`` is page n)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout for n in range(1, pages + 1)]


def page_label(page: str) -> str:
    """The page number its footer prints ("iii", "12")."""
    (label,) = [line.strip() for line in page.splitlines() if PAGE_LABEL.match(line)][-1:]
    return label


def _toc_entries(page: str, title: str = "DAFTAR ISI") -> list[tuple[str, str]]:
    """(entry text, page number) for each entry of the list titled ``title``; an entry that wraps is joined."""
    entries, pending = [], []
    lines = page.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title) + 1
    for line in lines[start:]:
        if not line.strip():
            continue
        if match := TOC_LINE.match(line):
            entries.append((" ".join([*pending, match["text"]]), match["page"]))
            pending = []
        elif PAGE_LABEL.match(line) or line.strip().startswith(("ID dokumen ", "Verifikasi: ")):
            continue  # the footer: the page's own number, the document's id and verification link
        else:
            pending.append(line.strip())
    assert not pending, f"entries without a page number: {pending}"
    return entries


def _heading_on(page: str, heading: str) -> bool:
    """``heading`` stands on lines of its own on ``page`` (a long heading may wrap)."""
    words = r"\s+".join(map(re.escape, heading.split()))
    return re.search(rf"(?:^|\n)[ \t]*{words}[ \t]*(?:\n|$)", page) is not None


@pytest.mark.slow
def test_pdf_contents_page_gives_each_heading_its_real_page(make_document, tmp_path):
    body = example("lkjip-opd")
    body["format"] = "pdf"
    record, content = make_document(body)
    assert record["file"]["content_type"] == "application/pdf"
    pdf = tmp_path / "lkjip.pdf"
    pdf.write_bytes(content)
    pages = _page_texts(pdf)
    (toc_page,) = [n for n, text in enumerate(pages, start=1) if "DAFTAR ISI" in text]
    entries = _toc_entries(pages[toc_page - 1])
    texts = [text for text, _ in entries]
    assert [text for text in texts if text in CHAPTERS] == CHAPTERS
    assert len(entries) == 20  # 7 chapters, 11 sections, 2 objectives: every one numbered
    assert "Sasaran 2: Meningkatnya kualitas penerapan Sistem Pemerintahan Berbasis Elektronik" in texts

    # Each entry's number is the page its heading is on, read page by page; entries go in order,
    # so a heading text used twice ("A. Latar Belakang"...) is looked for from the previous entry on.
    previous = 1
    for text, number in entries:
        found = next((n for n in range(previous, len(pages) + 1)
                      if n != toc_page and _heading_on(pages[n - 1], text)), None)
        assert found is not None, f"heading {text!r} not found after page {previous}"
        label = page_label(pages[found - 1])
        assert number == label, f"{text!r}: the contents page says {number}, the heading is on page {label}"
        previous = found
    numbers = dict(entries)
    # The front matter is numbered i, ii, iii; Bab I starts at 1 (the cover carries no number).
    assert numbers["KATA PENGANTAR"] == "i" and numbers["IKHTISAR EKSEKUTIF"] == "ii"
    assert page_label(pages[toc_page - 1]) == "iii"
    assert numbers["BAB I PENDAHULUAN"] == "1"
    assert numbers["LAMPIRAN"] == page_label(pages[-1]) == str(len(pages) - toc_page - 2)
    assert [page_label(page) for page in pages[1:]] == (
        ["i", "ii", "iii", "iv", "v"] + [str(n) for n in range(1, len(pages) - 5)])
    assert not PAGE_LABEL.search(pages[0].split("ID dokumen")[0].splitlines()[-1])  # the cover: no number


@pytest.mark.slow
@pytest.mark.parametrize(("title", "kind", "count"), [("DAFTAR TABEL", "Tabel", 12), ("DAFTAR GRAFIK", "Grafik", 4)])
def test_pdf_lists_of_tables_and_charts_give_each_caption_its_page(make_document, tmp_path, title, kind, count):
    body = example("lkjip-opd")
    body["format"] = "pdf"
    _, content = make_document(body)
    pdf = tmp_path / "lkjip.pdf"
    pdf.write_bytes(content)
    pages = _page_texts(pdf)
    (list_page,) = [n for n, text in enumerate(pages, start=1) if re.search(rf"^\s*{title}\s*$", text, re.M)]
    entries = _toc_entries(pages[list_page - 1], title)
    assert [text.split(" ", 2)[:2] for text, _ in entries] == [[kind, str(n)] for n in range(1, count + 1)]
    for text, number in entries:
        found = [n for n, page in enumerate(pages, start=1) if n != list_page and _heading_on(page, text)]
        assert len(found) == 1, f"caption {text!r} printed on pages {found}"
        assert number == page_label(pages[found[0] - 1]), text


class _Index:
    def __init__(self) -> None:
        self.updates = 0

    def update(self) -> None:
        self.updates += 1


class _Indexes:
    def __init__(self, count: int) -> None:
        self.items = [_Index() for _ in range(count)]

    def getCount(self) -> int:
        return len(self.items)

    def getByIndex(self, position: int) -> _Index:
        return self.items[position]


class _Document:
    def __init__(self, count: int) -> None:
        self.indexes = _Indexes(count)

    def getDocumentIndexes(self) -> _Indexes:
        return self.indexes


@pytest.mark.parametrize("count", [0, 1, 3])
def test_indexes_are_updated_in_two_passes_and_a_document_without_any_costs_nothing(count):
    document = _Document(count)
    assert update_indexes(document) == count
    assert [index.updates for index in document.indexes.items] == [INDEX_PASSES] * count
