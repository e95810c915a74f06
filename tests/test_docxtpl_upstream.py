"""docxtpl's own test templates and contexts through our render path, against plain docxtpl.

Administrators upload templates we never wrote; docxtpl's test suite is a corpus of the
things templates do (cell loops and comments, merges, rich text, escapes, footnotes,
headers). Each comparable case must give the same document both ways, part for part after
normalisation (tests/test_prepared_renderer.assert_same_document); the rest are listed in
tests/docxtpl_upstream.py with the reason.
"""

from __future__ import annotations

import functools
import io

import pytest
from docx import Document

from tests.docx_reading import full_text, open_docx
from tests.docxtpl_upstream import CASES, NOT_COMPARABLE, REFUSED, UPSTREAM, Case
from tests.test_prepared_renderer import assert_same_document
from workers.prepared import PreparedTemplate, UnsupportedTemplate
from workers.render import TemplateRenderError, render_docx, render_prepared


@functools.cache
def _prepared(template: str) -> PreparedTemplate | None:
    """One prepared template per upstream file, reused across its cases like a worker does."""
    try:
        return PreparedTemplate((UPSTREAM / template).read_bytes())
    except UnsupportedTemplate:
        return None


def test_every_upstream_script_is_compared_refused_or_explained():
    scripts = set((UPSTREAM / "SCRIPTS").read_text().split())
    covered = {c.script for c in CASES.values()} | set(REFUSED) | set(NOT_COMPARABLE)
    assert covered == scripts
    assert len(CASES) >= 29


@pytest.mark.parametrize("key", sorted(CASES))
def test_upstream_case_renders_like_plain_docxtpl(key):
    case: Case = CASES[key]
    reference = render_docx(case.content, case.context())
    ours = render_prepared(case.content, f"upstream:{case.template}", case.context())
    assert_same_document(ours, reference)
    prepared = _prepared(case.template)
    if case.script == "doc_properties.py":
        # Tags in the document properties: this template falls back to plain docxtpl.
        assert prepared is None
        assert Document(io.BytesIO(ours)).core_properties.title == "HelloWorld"
    else:
        assert prepared is not None, "only doc_properties.py may fall back to plain docxtpl"
        assert_same_document(prepared.render(case.context()), reference)


def test_cell_comment_removes_the_cell_and_its_grid_column():
    """comments.py: {#tc ... #} drops a cell, {#tr ... #} a row; the grid keeps the table's width
    over the two columns left (docxtpl: 4605 + 4606 twips), as plain docxtpl makes it."""
    doc = open_docx(_prepared("comments_tpl.docx").render({}))
    table = doc.tables[0]
    assert [len(row.cells) for row in table.rows] == [2]
    assert [c.text for c in table.rows[0].cells] == ["This cell should be visible",
                                                      "And this cell – but no other rows or cells"]
    widths = [col.width.twips for col in table.columns]
    assert widths == [4605, 4606]
    assert "removed entirely" not in full_text(doc)


def test_nested_vertical_merge_keeps_its_cells_and_names():
    """vertical_merge_nested.py: a body that binds a prefix again (wp14 to w14's namespace)."""
    ours = _prepared("vertical_merge_nested_tpl.docx").render({})
    doc = open_docx(ours)
    assert "Desired output." in full_text(doc)
    assert doc.tables[0].rows[0].cells[0].text == "Header 1"


@pytest.mark.parametrize("key", sorted(REFUSED))
def test_templates_outside_the_sandbox_are_refused_by_both_paths(key):
    case = REFUSED[key]
    with pytest.raises(TemplateRenderError) as ours:
        PreparedTemplate(case.content).render(case.context())
    with pytest.raises(TemplateRenderError) as plain:
        render_docx(case.content, case.context())
    assert str(ours.value) == str(plain.value)
