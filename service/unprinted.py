"""Optional fields the chosen template version does not print: said as a warning at intake.

A document type names the optional fields a template may leave out and the template variable
that prints each (``DocumentType.printed_by``): the PK's logo (``kop_logo``) and Garuda, the
LKjIP's organisation chart (``struktur``) and its budget-to-objective mapping
(``efisiensi_sasaran``). Version 1 of the shipped PK has no place for a logo, and an
administrator's own template may leave any of them out; a request that sends such a field to
such a version would otherwise be accepted and the field silently not printed. The variables a
template uses are read once per template (by its sha256) with docxtpl's own parser; the intake
never renders.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from typing import Any

from docxtpl import DocxTemplate

from sakip.document_type import DocumentType
from sakip.quality import QualityWarning
from storage.templates import TemplateVersion

__all__ = ["template_variables", "unprinted_fields", "unprinted_warnings"]

_variables: dict[str, frozenset[str]] = {}
_lock = threading.Lock()


def template_variables(template: TemplateVersion) -> frozenset[str]:
    """The top-level variables ``template`` uses (its body, headers and footers)."""
    known = _variables.get(template.sha256)
    if known is None:
        with _lock:
            known = _variables.get(template.sha256)
            if known is None:
                names = DocxTemplate(io.BytesIO(template.content)).get_undeclared_template_variables()
                known = _variables[template.sha256] = frozenset(names)
    return known


def _sent(value: Any, steps: list[str]) -> bool:
    """Whether the raw data holds a non-empty value at ``steps`` ("anggaran[]" looks in every element)."""
    if not steps:
        return value not in (None, "", [], {})
    step, rest = steps[0], steps[1:]
    if step.endswith("[]"):
        items = value.get(step[:-2]) if isinstance(value, dict) else None
        return isinstance(items, list) and any(_sent(item, rest) for item in items)
    return isinstance(value, dict) and _sent(value.get(step), rest)


def unprinted_fields(doctype: DocumentType, template: TemplateVersion, data: Any) -> Iterator[tuple[str, str]]:
    """(field path, variable) of each optional field ``data`` (raw) sends that ``template`` doesn't print."""
    if not doctype.printed_by or not isinstance(data, dict):
        return
    used = None
    for path, variable in doctype.printed_by:
        if _sent(data, path.split(".")):
            used = template_variables(template) if used is None else used
            if variable not in used:
                yield path, variable


def unprinted_warnings(doctype: DocumentType, template: TemplateVersion, data: Any,
                       prefix: str = "data") -> list[QualityWarning]:
    """A ``tidak_dicetak`` warning for each field ``data`` sends that ``template`` doesn't print."""
    return [QualityWarning("tidak_dicetak", f"{prefix}.{path.replace('[]', '')}",
                           {"templat": template.name, "versi": template.version, "variabel": variable})
            for path, variable in unprinted_fields(doctype, template, data)]
