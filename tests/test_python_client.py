"""The Python client (clients/python) and `docgen batch submit` against a live `docgen run`."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator

import pytest
from docgen_client import ApiError, DocgenClient
from werkzeug.serving import make_server

from config.settings import REPO_ROOT
from service.app import create_app
from storage.redis_server import free_port
from tests.conftest import example
from tests.docx_reading import full_text, open_docx
from tests.live_service import run_env, running_service

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`docgen run` (embedded Redis, gunicorn, a worker) on a free port; its base URL."""
    with running_service(tmp_path_factory.mktemp("live") / "var") as (base, _env):
        yield base


def test_the_client_submits_waits_downloads_lists_and_revokes(live, tmp_path):
    with DocgenClient(live) as docgen:
        doc = docgen.submit(example("pk-jpt"), wait=25)
        doc = docgen.wait(doc["id"], timeout=60)
        assert doc["status"] == "finished", doc
        path = docgen.download(doc["id"], tmp_path)
        assert path.name.startswith("PK-2026-") and path.suffix == ".docx"
        assert "Dinas Komunikasi dan Informatika" in full_text(open_docx(path.read_bytes()))
        assert doc["id"] in [d["id"] for d in docgen.documents(status="finished", type="pk", limit=1)]
        revoked = docgen.revoke(doc["id"], "Salah NIP")
        assert revoked["status"] == "revoked"
        with pytest.raises(ApiError) as gone:
            docgen.download(doc["id"], tmp_path)
        assert gone.value.status == 410 and "dicabut" in gone.value.detail


def test_a_retried_post_with_the_same_idempotency_key_makes_one_document(live):
    with DocgenClient(live) as docgen:
        first = docgen.submit(example("pk-jpt"), idempotency_key="klien-uji-1")
        again = docgen.submit(example("pk-jpt"), idempotency_key="klien-uji-1")
        other = docgen.submit(example("pk-jpt"))  # a fresh key per call by default
        assert first["id"] == again["id"] != other["id"]
        with pytest.raises(ApiError) as refused:
            docgen.submit({"type": "pk", "data": {}})
        assert refused.value.status == 422 and refused.value.errors


def test_cli_batch_honours_format_lists_failed_rows_and_shows_an_eta(live, tmp_path):
    items = [{"ref": f"R-{n}", "data": example("pk-jpt")["data"]} for n in range(3)]
    items[1] = json.loads(json.dumps(items[1]))
    items[1]["data"]["pihak_pertama"]["nip"] = "123"
    (tmp_path / "batch.json").write_text(json.dumps(items))
    cli = subprocess.run([sys.executable, "-m", "cli.main", "batch", "submit", str(tmp_path / "batch.json"),
                          "--format", "pdf", "--wait", "--url", live, "-o", str(tmp_path / "out.zip")],
                         cwd=REPO_ROOT, env=run_env(tmp_path / "unused", 1), capture_output=True, text=True,
                         timeout=240)
    assert cli.returncode == 1, cli.stderr  # one row failed
    assert "1 baris gagal" in cli.stderr and "gagal R-1 (item 2): data.pihak_pertama.nip:" in cli.stderr
    assert "ETA" in cli.stderr and "3/3" in cli.stderr
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 2
        assert not [n for n in archive.namelist() if n.endswith(".docx")]
    with DocgenClient(live) as docgen:
        batch = next(docgen.batches(status="finished", limit=1))
        assert batch["total"] == 3 and batch["failed"] == 1 and batch["format"] == "pdf"  # type: ignore[typeddict-item]


def test_cli_names_the_url_it_cannot_reach(tmp_path):
    (tmp_path / "batch.json").write_text(json.dumps([{"ref": "R-1", "data": example("pk-jpt")["data"]}]))
    url = f"http://127.0.0.1:{free_port()}"
    cli = subprocess.run([sys.executable, "-m", "cli.main", "batch", "submit", str(tmp_path / "batch.json"),
                          "--url", url], cwd=REPO_ROOT, env=run_env(tmp_path / "var", 1),
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 2 and url in cli.stderr and "Traceback" not in cli.stderr
    assert len(cli.stderr.strip().splitlines()) == 1


def test_cli_refuses_a_flag_that_contradicts_the_file(tmp_path):
    body = {"type": "pk", "format": "docx", "items": [{"ref": "R-1", "data": example("pk-jpt")["data"]}]}
    (tmp_path / "batch.json").write_text(json.dumps(body))
    cli = subprocess.run([sys.executable, "-m", "cli.main", "batch", "submit", str(tmp_path / "batch.json"),
                          "--format", "pdf", "--url", "http://127.0.0.1:9"], cwd=REPO_ROOT,
                         env=run_env(tmp_path / "var", 1), capture_output=True, text=True, timeout=60)
    assert cli.returncode == 2 and "--format pdf contradicts" in cli.stderr and "Traceback" not in cli.stderr


def test_the_client_retries_429_with_backoff_then_reports_it(settings):
    server = make_server("127.0.0.1", 0, create_app(settings.model_copy(update={"rate_limit_per_minute": 2})))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    attempts: list[int] = []
    try:
        with DocgenClient(f"http://127.0.0.1:{server.server_port}", retries=2, max_backoff=0.2) as docgen:
            docgen._http.event_hooks["response"].append(lambda r: attempts.append(r.status_code))
            list(docgen.documents())
            list(docgen.documents())
            started = time.monotonic()
            with pytest.raises(ApiError) as limited:
                list(docgen.documents())
            assert time.monotonic() - started >= 0.4  # two pauses
    finally:
        server.shutdown()
    assert limited.value.status == 429 and attempts == [200, 200, 429, 429, 429]
