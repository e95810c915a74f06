"""The production shape (DOCGEN_REQUIRE_KEYS) refuses to start with a public address nobody can
reach: the web app, a worker (it prints the QR codes) and `docgen run` each say why."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import SecretStr

from config.settings import REPO_ROOT
from service.app import create_app


@pytest.mark.parametrize("url", [None, "http://localhost:8000", "http://127.0.0.1:8000", "https://docgen.example"])
def test_the_web_app_refuses_an_unreachable_public_url(settings, url):
    production = settings.model_copy(update={"require_keys": True, "api_keys": SecretStr("portal:k-0123456789abcdef"),
                                             "public_url": url})
    with pytest.raises(RuntimeError, match="DOCGEN_PUBLIC_URL") as refused:
        create_app(production)
    assert "QR" in str(refused.value)
    ok = production.model_copy(update={"public_url": "https://docgen.sumutprov.go.id"})
    assert create_app(ok).test_client().get("/healthz").status_code == 200


def _env(settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCGEN_")}
    return {**env, "DOCGEN_REDIS_URL": settings.redis_url, "DOCGEN_DATA_DIR": str(settings.data_dir),
            "DOCGEN_REQUIRE_KEYS": "true", **extra}


def test_a_worker_and_docgen_run_refuse_too(settings):
    worker = subprocess.run([sys.executable, "-m", "workers"], cwd=REPO_ROOT, capture_output=True, text=True,
                            env=_env(settings, DOCGEN_PUBLIC_URL="http://localhost:8000"), timeout=60)
    assert worker.returncode != 0
    assert "DOCGEN_PUBLIC_URL 'http://localhost:8000' is a loopback address" in worker.stderr
    run = subprocess.run([sys.executable, "-m", "cli.main", "run"], cwd=REPO_ROOT, capture_output=True, text=True,
                         env=_env(settings, DOCGEN_API_KEYS="portal:k-0123456789abcdef"), timeout=60)
    assert run.returncode == 2
    assert "refusing to start: DOCGEN_PUBLIC_URL is not set" in run.stdout
