"""GET /openapi.json (OpenAPI 3.1), public; service/api_docs.py shows it at /docs.

The schemas come from the pydantic models that validate the requests (``model_json_schema``):
the envelopes DocumentRequest and BatchRequest and each document type's data model. The paths
are assembled from the app's own routes and their view docstrings; each view declares its query
parameters, request body and answers beside itself (``@operation``, service/api_spec.py, with the
models of service/api_models.py), so none of it can drift from the code.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from flask import Blueprint, current_app
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from config.settings import REPO_ROOT
from sakip.batch import BatchRequest
from sakip.doctypes import DOCUMENT_TYPES
from sakip.envelope import DocumentRequest
from service.api_spec import OperationSpec, spec_of
from storage.templates import TemplateRegistry, UnknownTemplate

__all__ = ["IDEMPOTENCY_PARAMETER", "batch_request_body", "bp", "document_request_body", "openapi_document"]

bp = Blueprint("openapi", __name__)

REF = "#/components/schemas/{model}"
API_VERSION = "1.0.0"
"""Version of the /api/v1 contract the document describes."""


class FieldError(BaseModel):
    """One invalid field: its dotted path into the request and what is wrong."""

    loc: str | list[str] = Field(description='Dotted path, e.g. "data.sasaran.0.indikator.1.target".')
    msg: str


class ProblemDetails(BaseModel):
    """An RFC 7807 error answer (application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(default=None, description="For 422: every invalid field.")


def _declared_models() -> list[type[BaseModel]]:
    """Every model the views' declared operations name, in a stable order."""
    found: dict[str, type[BaseModel]] = {}
    for view in current_app.view_functions.values():
        spec = spec_of(view)
        if spec is None:
            continue
        for model in (*spec.body_models, *(r.model for r in spec.responses.values() if r.model)):
            found.setdefault(model.__name__, model)
    return [found[name] for name in sorted(found)]


def _schemas() -> dict[str, Any]:
    models = [DocumentRequest, BatchRequest, *(t.model for t in DOCUMENT_TYPES.values()), ProblemDetails,
              *_declared_models()]
    _, top = models_json_schema([(m, "serialization" if m in _declared_models() else "validation")
                                 for m in models], ref_template=REF)
    schemas = dict(top["$defs"])
    for name, doctype in DOCUMENT_TYPES.items():
        # the envelope with ``data`` narrowed to this type's model
        schemas[f"{doctype.model.__name__}Request"] = {
            "title": f"DocumentRequest for type {name!r}",
            "allOf": [{"$ref": REF.format(model="DocumentRequest")}, {
                "type": "object",
                "properties": {"type": {"const": name}, "data": {"$ref": REF.format(model=doctype.model.__name__)}},
            }],
        }
    return schemas


IDEMPOTENCY_PARAMETER = {"schema": {"type": "string", "maxLength": 255},
                         "description": "Makes a retried POST return the same resource."}
"""The Idempotency-Key header as a POST that creates declares it."""


def _json(model: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=model)}}}


def document_request_body() -> dict[str, Any]:
    """POST /api/v1/documents: a DocumentRequest whose ``data`` is the chosen type's model."""
    variants = [{"$ref": REF.format(model=f"{t.model.__name__}Request")} for t in DOCUMENT_TYPES.values()]
    return {"required": True, "content": {"application/json": {"schema": {"oneOf": variants},
                                                                "examples": _request_examples()}}}


def _request_examples() -> dict[str, Any]:
    """A complete request per document type, its data the type's shipped sample (so "Try it out"
    in /docs sends a request that is accepted as it stands)."""
    shipped = TemplateRegistry(REPO_ROOT / "doctypes")
    examples: dict[str, Any] = {}
    for name in DOCUMENT_TYPES:
        try:
            data = shipped.sample(name)
        except (OSError, UnknownTemplate, KeyError):
            continue  # a type without a shipped sample is still declared, without an example
        examples[name] = {"summary": f"{name}: the type's sample", "value": {"type": name, "format": "docx",
                                                                          "data": data}}
    return examples


def batch_request_body() -> dict[str, Any]:
    """POST /api/v1/batches: JSON items, or a filled workbook as multipart."""
    upload = {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "contentMediaType": "application/octet-stream"},
        "type": {"type": "string", "default": "pk"}, "format": {"enum": ["docx", "pdf"]},
        "template_version": {"type": "integer", "minimum": 1}}}
    return {"required": True, "content": {**_json("BatchRequest"), "multipart/form-data": {"schema": upload}}}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("default", None)
        prop.pop("title", None)
        variants = [v for v in prop.pop("anyOf", []) if v.get("type") != "null"]
        if variants:
            prop.update(variants[0])
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _responses(spec: OperationSpec | None) -> dict[str, Any]:
    if spec is None or not spec.responses:
        return {"200": {"description": "OK"}}
    answers: dict[str, Any] = {}
    for status, response in spec.responses.items():
        answer: dict[str, Any] = {"description": response.description}
        if response.model is not None:
            answer["content"] = _json(response.model.__name__)
            examples = (response.model.model_config.get("json_schema_extra") or {})
            if isinstance(examples, dict) and examples.get("examples"):
                answer["content"]["application/json"]["example"] = examples["examples"][0]
        elif response.content is not None:
            answer["content"] = response.content
        if response.headers:
            answer["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                                 for name, text in response.headers.items()}
        answers[status] = answer
    return answers


def _operation(view: Any, method: str, path: str, params: list[str]) -> dict[str, Any]:
    doc = inspect.cleandoc(view.__doc__ or "")
    operation: dict[str, Any] = {
        "operationId": f"{method}_{view.__name__}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "summary": doc.split(". ")[0].split("\n")[0].rstrip("."),
        "description": doc,
        "parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params],
    }
    spec = spec_of(view)
    if spec is not None and spec.query is not None:
        operation["parameters"] += _query_parameters(spec.query)
    for name, header in (spec.headers if spec else {}).items():
        operation["parameters"].append({"name": name, "in": "header", "required": False, **header})
    if spec is not None and spec.body:
        operation["requestBody"] = spec.body
    problem = {"description": "Problem details", "content": {
        "application/problem+json": {"schema": {"$ref": REF.format(model="ProblemDetails")}}}}
    operation["responses"] = _responses(spec)
    operation["responses"]["4XX"] = problem
    if path.startswith("/api/"):
        operation["security"] = [{"apiKey": []}]
    else:
        operation["security"] = []
    return operation


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the current app."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.rule.startswith("/admin") or rule.endpoint.startswith("api_docs."):
            continue  # pages for people (admin, the API's own docs) are not API
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        view = current_app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, method.lower(), path, list(rule.arguments))
    return {
        "openapi": "3.1.0",
        "info": {"title": "SAKIP document service", "version": API_VERSION,
                 "description": "Perjanjian Kinerja and LKjIP documents from JSON, as DOCX and PDF."},
        "servers": [{"url": current_app.extensions["docgen"].settings.base_url}],
        "paths": paths,
        "components": {"schemas": _schemas(),
                       "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                                      "description": "The client application's API key."}}},
    }


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 description of this API."""
    return openapi_document()
