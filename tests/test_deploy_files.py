"""docker-compose.yml and the Dockerfile, checked by parsing: no Docker engine runs here."""

from __future__ import annotations

import re

import yaml

from config.settings import REPO_ROOT

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()


def test_services_are_redis_web_and_scalable_worker_pools():
    assert set(COMPOSE["services"]) == {"postgres", "redis", "web", "worker", "bulk-worker", "callback-worker"}
    assert COMPOSE["services"]["callback-worker"]["command"] == ["python", "-m", "workers", "--callbacks"]
    for name in ("worker", "bulk-worker"):
        worker = COMPOSE["services"][name]
        assert "container_name" not in worker and "ports" not in worker  # --scale NAME=N works
    # one queue per worker process: single documents and batch items have their own pools
    assert COMPOSE["services"]["bulk-worker"]["command"] == ["python", "-m", "workers", "--bulk"]


def test_redis_persists_and_never_evicts():
    redis = COMPOSE["services"]["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command and "--maxmemory-policy noeviction" in command
    assert "redis-data:/data" in redis["volumes"]


def test_web_runs_gunicorn_on_the_app_factory_and_worker_runs_rq():
    web, worker = COMPOSE["services"]["web"], COMPOSE["services"]["worker"]
    assert web["command"][0] == "gunicorn" and web["command"][-1] == "service.app:create_app()"
    assert worker["command"] == ["python", "-m", "workers"]
    from service.app import create_app  # the factory gunicorn is told to call exists

    assert callable(create_app)


def test_web_and_workers_share_the_documents_volume_and_redis():
    for name in ("web", "worker", "bulk-worker"):
        service = COMPOSE["services"][name]
        env = service["environment"]
        assert env["DOCGEN_REDIS_URL"] == "redis://redis:6379/0"
        assert f"documents:{env['DOCGEN_DATA_DIR']}" in service["volumes"]
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert set(COMPOSE["volumes"]) == {"postgres-data", "redis-data", "documents"}


def test_postgres_keeps_the_documents_records_on_a_volume_and_every_process_uses_it():
    postgres = COMPOSE["services"]["postgres"]
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert postgres["environment"]["POSTGRES_DB"] == "docgen"
    for name in ("web", "worker", "bulk-worker", "callback-worker"):
        service = COMPOSE["services"][name]
        url = service["environment"]["DOCGEN_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://docgen:") and url.endswith("@postgres:5432/docgen")
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_build_targets_exist_and_the_worker_image_has_libreoffice_and_fonts():
    targets = re.findall(r"^FROM \S+ AS (\w+)", DOCKERFILE, flags=re.MULTILINE)
    assert {"web", "worker"} <= set(targets)
    assert COMPOSE["services"]["web"]["build"]["target"] == "web"
    assert COMPOSE["services"]["worker"]["build"]["target"] == "worker"
    worker_stage = DOCKERFILE.split("AS worker", 1)[1]
    for package in ("libreoffice-writer-nogui", "fonts-liberation2", "fonts-crosextra-carlito"):
        assert package in worker_stage
    for package_dir in ("sakip", "service", "workers", "storage", "config", "cli", "signing", "doctypes"):
        assert f"COPY {package_dir} " in DOCKERFILE


def test_the_web_service_requires_api_keys_from_a_secret_file():
    web = COMPOSE["services"]["web"]
    env = web["environment"]
    assert env["DOCGEN_REQUIRE_KEYS"] == "true"
    assert env["DOCGEN_API_KEYS_FILE"] == "/run/secrets/docgen_api_keys"
    assert "docgen_api_keys" in web["secrets"] and "docgen_api_keys" in COMPOSE["secrets"]
    from config.settings import Settings

    parsed = Settings(require_keys=env["DOCGEN_REQUIRE_KEYS"], api_keys_file=env["DOCGEN_API_KEYS_FILE"])
    assert parsed.require_keys is True


def test_compose_public_url_is_a_placeholder_the_service_refuses():
    """QR codes printed with localhost lead nowhere: compose's default is a documented placeholder,
    and the production shape (DOCGEN_REQUIRE_KEYS) refuses it, loopback and unset alike."""
    import pytest

    from config.settings import Settings

    env = COMPOSE["x-docgen-env"]
    assert env["DOCGEN_REQUIRE_KEYS"] == "true"  # workers print QR codes too: they check as well
    default = re.fullmatch(r"\$\{DOCGEN_PUBLIC_URL:-(.+)\}", env["DOCGEN_PUBLIC_URL"]).group(1)
    assert default == "https://docgen.example"
    assert "docgen.example" in (REPO_ROOT / "README.md").read_text()
    for url, why in [(default, "placeholder"), ("http://localhost:8000", "loopback"),
                     ("http://127.0.0.1:8000", "loopback"), ("http://[::1]/", "loopback"), (None, "not set")]:
        settings = Settings(require_keys=True, public_url=url)
        with pytest.raises(RuntimeError, match=why) as refused:
            settings.check_public_url()
        assert "DOCGEN_PUBLIC_URL" in str(refused.value) and "QR" in str(refused.value)
    Settings(require_keys=True, public_url="https://docgen.sumutprov.go.id").check_public_url()
    Settings(require_keys=False, public_url=None).check_public_url()  # make run on a laptop
