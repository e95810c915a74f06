"""/openapi.json is generated from the request models and the app's routes (/docs: tests/test_api_docs_browser.py)."""

from __future__ import annotations

from config.settings import REPO_ROOT
from doctypes.pk.model import PKData
from sakip.envelope import DocumentRequest
from tests.conftest import bearer


def _resolve(document, ref):
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_is_3_1_with_the_request_models_schemas(keyed_client):
    response = keyed_client.get("/openapi.json")  # public: no key needed
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"] == "3.1.0" and document["info"]["version"]
    schemas = document["components"]["schemas"]
    assert schemas["PKData"]["properties"].keys() == PKData.model_json_schema()["properties"].keys()
    assert {"pihak_pertama", "sasaran", "tahun"} <= set(schemas["PKData"]["properties"])
    assert schemas["DocumentRequest"]["properties"].keys() == DocumentRequest.model_json_schema()["properties"].keys()
    assert {"items", "type"} <= set(schemas["BatchRequest"]["properties"]) and "LKjIPData" in schemas
    for ref in set(_refs(document)):  # every reference resolves
        assert _resolve(document, ref) is not None, ref


def test_paths_are_the_apps_routes_with_bodies_security_and_idempotency(client):
    document = client.get("/openapi.json").get_json()
    paths = document["paths"]
    assert {"/api/v1/documents", "/api/v1/documents/{doc_id}", "/api/v1/documents/{doc_id}/file",
            "/api/v1/batches", "/api/v1/batches/{batch_id}", "/verify/{doc_id}", "/healthz"} <= set(paths)
    submit = paths["/api/v1/documents"]["post"]
    variants = submit["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    pk = _resolve(document, variants[0]["$ref"])
    assert pk["allOf"][1]["properties"]["data"] == {"$ref": "#/components/schemas/PKData"}
    assert "202" in submit["responses"] and submit["security"] == [{"apiKey": []}]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in submit["parameters"])
    assert "multipart/form-data" in paths["/api/v1/batches"]["post"]["requestBody"]["content"]
    assert paths["/verify/{doc_id}"]["get"]["security"] == []
    status = paths["/api/v1/documents/{doc_id}"]["get"]
    assert status["parameters"] == [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_the_request_examples_are_whole_requests_the_api_accepts(keyed_client):
    body = keyed_client.get("/openapi.json").get_json()["paths"]["/api/v1/documents"]["post"]["requestBody"]
    examples = body["content"]["application/json"]["examples"]
    assert {"pk", "lkjip"} <= set(examples)
    for example in examples.values():
        answer = keyed_client.post("/api/v1/documents", json=example["value"], headers=bearer("a"))
        assert answer.status_code == 202, answer.get_json()


def test_operations_declare_their_answers_query_parameters_and_examples_beside_the_views(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    status = paths["/api/v1/documents/{doc_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert status["schema"] == {"$ref": "#/components/schemas/Document"} and status["example"]["status"] == "finished"
    submit = paths["/api/v1/documents"]["post"]
    assert {"201", "202"} <= set(submit["responses"]) and any(p["name"] == "Prefer" for p in submit["parameters"])
    listing = {p["name"] for p in paths["/api/v1/documents"]["get"]["parameters"]}
    assert {"status", "type", "year", "tahun", "batch", "ref", "created_after", "created_before", "limit",
            "before"} <= listing
    assert {p["name"] for p in paths["/api/v1/documents/{doc_id}/file"]["get"]["parameters"]} >= {"format", "version"}
    assert {p["name"] for p in paths["/api/v1/batches/template.xlsx"]["get"]["parameters"]} == {"type"}
    batch = paths["/api/v1/batches/{batch_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert batch["schema"] == {"$ref": "#/components/schemas/Batch"} and batch["example"]["total"] == 120
    assert "200" in paths["/api/v1/batches"]["get"]["responses"] and "delete" in paths["/api/v1/documents/{doc_id}"]
    assert paths["/api/v1/templates/{doc_type}"]["get"]["responses"]["200"]["content"]
    # declared beside the views: the OpenAPI module names no API path
    source = (REPO_ROOT / "service" / "openapi.py").read_text()
    assert '"/api/v1' not in source and "path ==" not in source
