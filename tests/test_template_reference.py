"""The README's template-data tables are the code's: regenerated output matches, and every
variable the shipped templates use is documented for its type."""

from __future__ import annotations

import pytest
from docxtpl import DocxTemplate

from config.settings import REPO_ROOT
from workers.render import sandbox_environment
from workers.template_reference import README, readme_block, reference_settings, template_reference

REGENERATE = ".venv/bin/python -m workers.template_reference --write"
SHIPPED = [("lkjip", "lkjip/lkjip-v1.docx"), ("lkjip", "lkjip/lkjip-v2.docx"), ("pk", "pk/pk-v1.docx")]


@pytest.fixture(scope="module")
def reference() -> str:
    return template_reference(reference_settings())


def _top_level_rows(reference: str, doc_type: str) -> set[str]:
    """Names of the top-level rows in the type's table (`kop`, not `kop.nama` or `sasaran[].no`)."""
    section = reference.split(f"### Template data: {doc_type}\n", 1)[1].split("\n### ", 1)[0]
    names = {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}
    return {name for name in names if "." not in name and "[" not in name}


def test_readme_block_is_the_generated_reference(reference: str) -> None:
    block = readme_block(README.read_text(encoding="utf-8"))
    assert block == reference, f"the README's template data is out of date: run `{REGENERATE}`"


def test_the_reference_does_not_change_between_runs(reference: str) -> None:
    assert template_reference(reference_settings()) == reference


@pytest.mark.parametrize(("doc_type", "template"), SHIPPED)
def test_every_variable_of_the_shipped_template_is_documented(reference: str, doc_type: str, template: str) -> None:
    path = REPO_ROOT / "doctypes" / template
    used = DocxTemplate(path).get_undeclared_template_variables(jinja_env=sandbox_environment())
    assert used, f"no variables found in {path.name}"
    missing = sorted(used - _top_level_rows(reference, doc_type))
    assert not missing, f"{path.name} uses variables its README table lacks: {missing}"
