"""Schemathesis against /openapi.json: generated requests for every operation, never a 5xx, and
every answer matching the schema the operation declares for its status."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rq import Queue, Worker
from schemathesis.specs.openapi.checks import response_schema_conformance

from service.app import create_app
from workers.pdf_readiness import report_converter


@schemathesis.serializer("application/pdf")
def _pdf_body(ctx, value) -> bytes:
    """Generated bodies for the signed-copy upload: whatever was generated, as bytes."""
    return value if isinstance(value, bytes) else str(value).encode()


def test_no_generated_request_gets_a_server_error(redis, settings):
    app = create_app(settings.model_copy(update={"admin_wait_seconds": 1}))
    # A worker on the queues (and able to make PDFs), so /readyz's honest 503 ("no worker") doesn't
    # count as a server error.
    worker = Worker([Queue(name, connection=redis) for name in (settings.queue, settings.bulk_queue)],
                    connection=redis)
    worker.register_birth()
    report_converter(redis, worker.name, settings, ttl=600)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    server_errors = []
    mismatches: list[tuple[str, str, int, str]] = []
    for operation in operations:

        @hypothesis_settings(max_examples=25, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case) -> None:
            response = case.call()
            # A template upload or preview waits for a worker that this test doesn't run: 503 is honest.
            honest = response.status_code == 503 and "/api/v1/templates/" in case.formatted_path
            if response.status_code >= 500 and not honest:
                server_errors.append((case.method, case.formatted_path, response.status_code, response.text[:300]))
            try:
                case.validate_response(response, checks=[response_schema_conformance])
            except Exception as exc:  # schemathesis raises a group of failures; keep its text
                mismatches.append((case.method, case.formatted_path, response.status_code, str(exc)[:600]))

        check()
    worker.register_death()
    assert server_errors == []
    assert mismatches == []


def test_real_answers_match_the_declared_schemas(client, settings, run_worker, run_bulk_worker):
    """Generated requests mostly earn 4xx; here real documents, batches and templates are read
    through every declared operation and each answer is checked against its schema."""
    from tests.conftest import example

    doc_id = client.post("/api/v1/documents", json=example("pk-jpt")).get_json()["id"]
    queued = client.get(f"/api/v1/documents/{doc_id}").get_json()
    run_worker()
    bad = {**example("pk-jpt")["data"], "pihak_pertama": {**example("pk-jpt")["data"]["pihak_pertama"], "nip": "1"}}
    items = [{"ref": "A-1", "data": example("pk-jpt")["data"]}, {"ref": "A-2", "data": bad}]
    batch_id = client.post("/api/v1/batches", json={"type": "pk", "items": items}).get_json()["id"]
    running = client.get(f"/api/v1/batches/{batch_id}").get_json()
    run_bulk_worker()
    assert queued["status"] == "queued" and running["status"] == "running"
    schema = schemathesis.openapi.from_wsgi("/openapi.json", create_app(settings))
    calls = [("GET", "/api/v1/documents", {}, {}), ("GET", "/api/v1/documents", {}, {"status": "finished"}),
             ("GET", "/api/v1/documents/{doc_id}", {"doc_id": doc_id}, {}),
             ("GET", "/api/v1/batches", {}, {}), ("GET", "/api/v1/batches/{batch_id}", {"batch_id": batch_id}, {}),
             ("GET", "/api/v1/batches/{batch_id}/errors", {"batch_id": batch_id}, {}),
             ("GET", "/api/v1/batches/{batch_id}/warnings", {"batch_id": batch_id}, {}),
             ("GET", "/api/v1/templates", {}, {}), ("GET", "/api/v1/templates/{doc_type}", {"doc_type": "pk"}, {}),
             ("GET", "/api/v1/documents/{doc_id}/file", {"doc_id": "0" * 32}, {})]
    checked = []
    for method, path, path_parameters, query in calls:
        case = schema[path][method].Case(path_parameters=path_parameters, query=query)
        response = case.call()
        case.validate_response(response, checks=[response_schema_conformance])
        checked.append(response.status_code)
    revoke = schema["/api/v1/documents/{doc_id}"]["DELETE"].Case(path_parameters={"doc_id": doc_id},
                                                                 body={"reason": "uji"}, media_type="application/json")
    response = revoke.call()
    revoke.validate_response(response, checks=[response_schema_conformance])
    assert response.status_code == 200 and checked == [200] * 9 + [404]
