"""Schemathesis against /openapi.json: generated requests for every operation, never a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rq import Queue, Worker

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

        check()
    worker.register_death()
    assert server_errors == []
