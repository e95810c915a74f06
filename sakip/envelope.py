"""The request envelope {type, format, template_version, data} and its full validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from sakip.doctypes import DOCUMENT_TYPES, PLANNED_TYPES, DocumentType
from sakip.errors import FieldProblem, InvalidPayload, ReadError
from sakip.models.common import Strict
from sakip.validation import validate_model

__all__ = ["DocumentRequest", "ValidDocument", "doctype_named", "parse_document_request"]

OutputFormat = Literal["docx", "pdf"]
FORMATS = ("docx", "pdf")
"""Output formats a request may ask for."""


class DocumentRequest(Strict):
    """Body of POST /api/v1/documents."""

    type: str = Field(description='Document type: "pk" (and "lkjip" once available).')
    format: OutputFormat | list[OutputFormat] = Field(
        default="docx", description='Output file format, or several: ["docx", "pdf"] (one file each).')

    callback_url: str | None = Field(
        default=None, max_length=2000,
        description="http(s) URL that receives a signed JSON event when the document ends (finished or failed).")

    @field_validator("format", mode="before")
    @classmethod
    def _known_formats(cls, value: Any) -> Any:
        """One clear sentence for any bad format, instead of one error per union branch."""
        formats = value if isinstance(value, list) else [value]
        if not formats or not all(f in FORMATS for f in formats):
            raise ReadError("format_tidak_dikenal")
        if len(set(formats)) != len(formats):
            raise ReadError("format_ganda")
        return value

    @property
    def formats(self) -> list[str]:
        """The requested formats in the client's order; the first one is the main file."""
        return list(self.format) if isinstance(self.format, list) else [self.format]
    template_version: int | None = Field(default=None, ge=1, description="Pin a template version.")
    pdf_profile: Literal["pdf", "pdfa-2b"] | None = Field(
        default=None, description='PDF flavour: "pdf", or "pdfa-2b" (PDF/A-2b for archives); default: the '
                                  "service's DOCGEN_PDF_PROFILE.")
    strict: bool = Field(default=False, description="Refuse the document (422) when it has quality warnings.")
    data: dict[str, Any] = Field(description="The document's data; its shape depends on type.")


@dataclass(frozen=True)
class ValidDocument:
    """A request that passed every check, with its typed data."""

    request: DocumentRequest
    doctype: DocumentType
    data: BaseModel


def doctype_named(name: str) -> DocumentType:
    """The document type called ``name``, or InvalidPayload at loc "type" saying which exist."""
    if name in DOCUMENT_TYPES:
        return DOCUMENT_TYPES[name]
    known = ", ".join(sorted(DOCUMENT_TYPES))
    code = "jenis_dokumen_belum_tersedia" if name in PLANNED_TYPES else "jenis_dokumen_tidak_dikenal"
    raise InvalidPayload([FieldProblem("type", code, {"nilai": name, "tersedia": known})])


def parse_document_request(body: Any) -> ValidDocument:
    """The validated request, or InvalidPayload listing every bad field of envelope and data."""
    if not isinstance(body, dict):
        raise InvalidPayload([FieldProblem("body", "body_objek")])
    problems: list[FieldProblem] = []
    request = doctype = data = None
    try:
        request = validate_model(DocumentRequest, body)
    except InvalidPayload as exc:
        problems += exc.problems
    type_name = body.get("type")
    if isinstance(type_name, str) and not any(p.loc == "type" for p in problems):
        try:
            doctype = doctype_named(type_name)
        except InvalidPayload as exc:
            problems += exc.problems
    if doctype is not None and isinstance(body.get("data"), dict):
        try:
            data = validate_model(doctype.model, body["data"], prefix="data")
        except InvalidPayload as exc:
            problems += exc.problems
    if problems:
        raise InvalidPayload(problems)
    assert request is not None and doctype is not None and data is not None
    return ValidDocument(request=request, doctype=doctype, data=data)
