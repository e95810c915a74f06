"""callback_url: refused when unsafe (SSRF), delivered signed when the document ends, retried on 5xx."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue

from config.settings import Settings, get_settings
from service.app import create_app
from tests.conftest import example
from workers.warm import PreparingWorker

SECRET = "s3cret-for-tests"


@pytest.fixture
def receiver():
    """A real HTTP receiver on 127.0.0.1; a test sets its ``statuses`` and ``location``."""
    made = _Receiver([200])
    yield made
    made.close()


@pytest.fixture
def hooks_client(settings, monkeypatch, receiver):
    monkeypatch.setenv("DOCGEN_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("DOCGEN_CALLBACK_RETRY_INTERVALS", "0,0")
    monkeypatch.setenv("DOCGEN_CALLBACK_ALLOW", f"127.0.0.1:{receiver.port}")
    get_settings.cache_clear()
    return create_app(Settings()).test_client()


@pytest.fixture
def name_resolving_to_10(monkeypatch):
    """A host name that resolves to a private address, through the system's own resolver."""
    hosts = Path("/etc/hosts")
    original = hosts.read_text()
    hosts.write_text(original + "\n10.20.30.40 internal-partner.test\n")
    yield "internal-partner.test"
    hosts.write_text(original)


def _submit(client, url: str):
    body = example("pk-jpt")
    body["callback_url"] = url
    return client.post("/api/v1/documents", json=body)


@pytest.mark.parametrize("url", [
    "HTTP://localhost:8000/hook", "http://0x7f.1/hook", "http://[::1]/hook", "http://169.254.169.254/latest/meta-data",
    "http://[::ffff:169.254.169.254]/", "ftp://example.org/hook", "file:///etc/passwd", "http://user:pw@8.8.8.8/",
    "http://10.0.0.1/hook", "http://192.168.1.1/hook", "http://224.0.0.1/", "http://0.0.0.0/",
    "http://100.64.0.1/hook", "http://[2002:7f00:1::]/hook", "http://[64:ff9b::7f00:1]/hook",
    "http://127.0.0.1:6379/",  # the allowed receiver's host on another port (Redis)
])
def test_unsafe_callback_urls_are_refused_at_submit(hooks_client, records, url):
    response = _submit(hooks_client, url)
    assert response.status_code == 422, response.get_json()
    assert [e["loc"] for e in response.get_json()["errors"]] == ["callback_url"]
    assert records.count() == 0


def test_a_name_resolving_to_a_private_address_is_refused(hooks_client, name_resolving_to_10):
    response = _submit(hooks_client, f"http://{name_resolving_to_10}/hook")
    assert response.status_code == 422
    assert "10.20.30.40" in response.get_json()["errors"][0]["msg"]


def test_callbacks_need_a_secret(client):
    response = _submit(client, "https://example.org/hook")
    assert response.status_code == 422
    assert "DOCGEN_WEBHOOK_SECRET" in response.get_json()["errors"][0]["msg"]


class _Receiver:
    """A real HTTP server answering with the given statuses in turn, recording what it got."""

    def __init__(self, statuses: list[int], location: str = "") -> None:
        self.statuses, self.location, self.requests = list(statuses), location, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/docgen"

    def close(self) -> None:
        self.server.shutdown()


def _deliver(redis: Redis) -> None:
    queue = Queue(get_settings().callback_queue, connection=redis)
    PreparingWorker([queue], connection=redis).work(burst=True)


def test_finished_document_is_announced_signed_and_retried_after_5xx(hooks_client, run_worker, redis, records,
                                                                    receiver):
    receiver.statuses = [503, 200]
    submitted = _submit(hooks_client, receiver.url)
    doc_id = submitted.get_json()["id"]
    run_worker()
    _deliver(redis)
    assert len(receiver.requests) == 2  # 503, then delivered on the retry
    headers, body = receiver.requests[-1]
    event = json.loads(body)
    assert event == {"id": doc_id, "status": "finished", "error": None,
                     "links": {"self": f"http://docgen.test/api/v1/documents/{doc_id}",
                               "file": f"http://docgen.test/api/v1/documents/{doc_id}/file"}}
    expected = hmac.new(SECRET.encode(), headers["X-Docgen-Timestamp"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert headers["X-Signature"] == f"sha256={expected}"
    assert headers["X-Request-ID"] == submitted.headers["X-Request-ID"]  # the request it answers
    assert records.get(doc_id).callback_status == "delivered (200)"
    assert hooks_client.get(f"/api/v1/documents/{doc_id}").get_json()["callback_status"] == "delivered (200)"


def test_a_redirect_is_not_followed(hooks_client, run_worker, redis, records, receiver):
    receiver.statuses, receiver.location = [302], "http://169.254.169.254/latest/meta-data"
    doc_id = _submit(hooks_client, receiver.url).get_json()["id"]
    run_worker()
    _deliver(redis)
    assert len(receiver.requests) == 1
    assert records.get(doc_id).callback_status == "rejected (302)"
    assert hooks_client.get(f"/api/v1/documents/{doc_id}").get_json()["callback_status"] == "rejected (302)"
