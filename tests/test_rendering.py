"""The renderer: sandboxed, escaping, deterministic, and clear about broken templates."""

from __future__ import annotations

import hashlib
import io

import pytest
from docx import Document

from config.settings import REPO_ROOT
from sakip.envelope import parse_document_request
from storage.templates import TemplateRegistry
from tests.conftest import example
from tests.docx_reading import full_text, open_docx
from workers.render import TemplateRenderError, render_docx


def _template(text: str) -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pk_context():
    valid = parse_document_request(example("pk-jpt"))
    return valid.doctype.context(valid.data)


def test_same_data_gives_the_same_bytes():
    template = TemplateRegistry(REPO_ROOT / "doctypes").get("pk")
    first = render_docx(template.content, _pk_context())
    second = render_docx(template.content, _pk_context())
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


@pytest.mark.parametrize("tag", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ nama.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
])
def test_a_template_reaching_for_python_internals_does_not_execute(tag):
    try:
        content = render_docx(_template(f"A {tag} B"), {"nama": "x"})
    except TemplateRenderError as exc:
        assert "template error" in str(exc)
    else:
        text = full_text(open_docx(content))
        assert "subclasses" not in text and "uid=" not in text and "<class" not in text


def test_a_broken_tag_is_reported_as_a_template_error():
    with pytest.raises(TemplateRenderError, match="template error"):
        render_docx(_template("{% if x %} never closed"), {})


def test_values_are_escaped_not_interpreted():
    context = {"nama": "A & B <c/> {{ 1+1 }} </w:t></w:r>"}
    text = full_text(open_docx(render_docx(_template("{{ nama }}"), context)))
    assert "A & B <c/> {{ 1+1 }} </w:t></w:r>" in text
