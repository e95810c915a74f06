"""One settings object read from DOCGEN_* variables; every default runs on a laptop."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["REPO_ROOT", "Settings", "get_settings"]

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The checkout: shipped templates live under it."""


PLACEHOLDER_HOSTS = ("example", "example.com", "example.org", "example.net", "invalid")
"""Reserved names (RFC 2606) that stand for "fill in your address" (docker-compose.yml's default)."""


class Settings(BaseSettings):
    """Every setting, its default and what it does; the README's table lists the same."""

    model_config = SettingsConfigDict(env_prefix="DOCGEN_", extra="ignore")

    redis_url: str | None = Field(
        default=None,
        description="Redis URL. Unset: `make run` starts an embedded Redis under the data folder.",
    )
    host: str = Field(default="127.0.0.1", description="Address the web process listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the web process listens on.")
    data_dir: Path = Field(default=Path("var"), description="Folder for documents and embedded Redis data.")
    templates_dir: Path = Field(
        default=REPO_ROOT / "doctypes", description="Folder of the shipped Word templates."
    )
    public_url: str | None = Field(
        default=None, description="Address clients reach the service at (links); default http://HOST:PORT."
    )
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="Largest accepted request body.")
    record_ttl_days: int = Field(
        default=30, ge=1, description="Days Redis keeps short-lived state (idempotency keys, batch progress).")
    queue: str = Field(default="documents", description="RQ queue for single documents.")
    bulk_queue: str = Field(default="bulk", description="RQ queue for batch items, served by its own workers.")
    bulk_workers: int = Field(default=1, ge=0, description="Bulk worker processes `make run` starts.")
    document_workers: int = Field(
        default=0, ge=0, description="Single-document worker processes `make run` starts (0: one per CPU core).")
    worker_nice: int = Field(
        default=10, ge=0, le=19, description="How much lower `make run` sets its workers' CPU priority than the "
        "web process's (nice): while both want the CPUs the intake answers first, and the workers render what it "
        "accepted as soon as it leaves them a core. 0: the same priority.")
    worker_fork: bool = Field(
        default=False, description="Whether a single-document worker forks a work horse per job (RQ's Worker) "
        "instead of running each job in its own process (the default: no fork per job, templates stay prepared; "
        "a render that crashes takes the worker, which is restarted, and its job is run again).")
    batch_chunk_size: int = Field(default=100, ge=1, le=5000, description="Batch items rendered per RQ job.")
    max_batch_items: int = Field(default=30000, ge=1, description="Most items one batch may hold.")
    max_batch_bytes: int = Field(default=256 * 1024 * 1024, ge=1024, description="Largest accepted batch body.")
    job_timeout: int = Field(default=300, ge=1, description="Seconds one render job may run.")
    retry_max: int = Field(default=3, ge=0, description="Retries of a job that failed transiently.")
    retry_intervals: Annotated[list[int], NoDecode] = Field(
        default=[2, 10, 30], description="Seconds before each retry, comma separated."
    )
    worker_maintenance_interval: int = Field(
        default=10, ge=1, description="Seconds between a worker's clean-ups of jobs of dead workers."
    )
    reconcile_after: int = Field(
        default=120, ge=0, description="Seconds after which an accepted document whose job can never run (lost in a "
        "crash or on a full disk) is queued again by the workers' periodic check.")
    worker_ttl: int = Field(
        default=30, ge=16, description="Seconds an idle worker blocks waiting for work is this minus 15; "
        "it runs its clean-ups between waits.")
    worker_silent_after: int = Field(
        default=20, ge=1, description="Seconds without a heartbeat after which a worker of another host (or its "
        "scheduler) is taken for dead and its job runs again.")
    job_monitoring_interval: int = Field(
        default=5, ge=1, description="Seconds between heartbeats of a running job; a job silent for 20 s "
        "more belongs to a dead worker and is run again.")
    web_workers: int = Field(
        default=0, ge=0, description="gunicorn worker processes of the web service (0: two per CPU core), each "
        "with 4 threads (service/gunicorn_config.py).")
    soffice: str = Field(default="soffice", description="LibreOffice binary used for PDF output.")
    convert_timeout: int = Field(default=120, ge=1, description="Seconds one PDF conversion may take.")
    converter_python: str = Field(
        default="/usr/bin/python3",
        description="Python with LibreOffice's UNO bridge (python3-uno) that runs the warm converter.",
    )
    converter_recycle_after: int = Field(
        default=200, ge=1, description="Conversions after which a worker's LibreOffice is restarted fresh."
    )
    converter_startup_timeout: int = Field(
        default=60, ge=5, description="Seconds a starting LibreOffice may take to accept conversions."
    )
    converter_malloc: Literal["jemalloc", "glibc"] = Field(
        default="jemalloc", description="Memory allocator LibreOffice runs with: `jemalloc` (libjemalloc2, "
        "preloaded when installed; LibreOffice spends ~13% less CPU per conversion) or the system's `glibc`.")
    api_keys: SecretStr | None = Field(
        default=None,
        description="Client keys for simple set-ups: name:key[:admin], comma separated. Unset (and no file): no auth.",
    )
    api_keys_file: Path | None = Field(
        default=None, description="File of client key hashes written by `docgen keys create`; unset: "
        "DATA_DIR/api-keys, used once it exists."
    )
    require_keys: bool = Field(
        default=False, description="Refuse to start without API keys (the compose set-up sets it)."
    )
    client_key: SecretStr | None = Field(
        default=None, description="API key `docgen batch submit` sends to the service (a client's setting)."
    )
    rate_limit_per_minute: int = Field(
        default=600, ge=0, description="Requests per minute each client may make to /api/v1; 0 turns it off."
    )
    auth_failure_limit: int = Field(
        default=10, ge=0, description="Failed admin sign-ins or unknown API keys one address (or key) may send per "
        "window before it gets 429; 0 turns the limit off.")
    auth_failure_window: int = Field(
        default=300, ge=1, description="Seconds over which failed sign-ins are counted; the block lasts until it ends.")
    anchor_pihak_pertama: str = Field(
        default="#ttd_pihak_pertama#",
        description="Invisible anchor text in the first party's signature cell, for TTE stamping.",
    )
    anchor_pihak_kedua: str = Field(
        default="#ttd_pihak_kedua#",
        description="Invisible anchor text in the second party's signature cell, for TTE stamping.",
    )

    webhook_secret: str | None = Field(
        default=None, description="Secret that signs callbacks (HMAC-SHA256); unset: callback_url is refused.")
    callback_allow: Annotated[list[str], NoDecode] = Field(
        default=[], description="Callback host:port pairs allowed although they resolve to private addresses, comma "
        "separated (a port is required).")
    callback_queue: str = Field(default="callbacks", description="RQ queue of callback deliveries, own worker.")
    callback_timeout: int = Field(default=10, ge=1, description="Seconds one callback delivery may take.")
    callback_retry_intervals: Annotated[list[int], NoDecode] = Field(
        default=[5, 30, 120, 600, 1800], description="Seconds before each callback retry, comma separated.")

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # Made absolute once, at start: LibreOffice and the processes `make run` starts need the same folder.
        return value.resolve()

    @field_validator("retry_intervals", "callback_retry_intervals", mode="before")
    @classmethod
    def _split_intervals(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.split(",") if part.strip()]
        return value

    @field_validator("callback_allow", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("callback_allow")
    @classmethod
    def _host_and_port(cls, value: list[str]) -> list[str]:
        from storage.callback_urls import parse_allow_entry  # the one parser of an entry

        for entry in value:
            parse_allow_entry(entry)
        return value

    min_free_mb: int = Field(
        default=100, ge=0, description="Free megabytes the data folder's disk must keep; below it new requests are "
        "refused with 503 (0: no check).")
    max_queue_depth: int = Field(
        default=2000, ge=0, description="Single documents waiting beyond which POST /api/v1/documents answers 503 "
        "with Retry-After (0: no limit); bulk work goes in batches.")
    max_workbook_unpacked_mb: int = Field(
        default=100, ge=1,
        description="Megabytes an uploaded batch workbook may unpack to; larger is 413 before parsing.")
    max_workbook_rows: int = Field(
        default=200_000, ge=1, description="Rows an uploaded batch workbook may hold in all its sheets; more is 413 "
        "before parsing.")
    template_max_render_mb: int = Field(
        default=20, ge=1, description="Megabytes a template's sample document may unpack to; a larger one is refused.")
    template_render_timeout: int = Field(
        default=30, ge=1, description="Seconds a template check's or preview's sample render may take; a slower "
        "template is refused with that reason.")
    admin_wait_seconds: int = Field(
        default=60, ge=1, description="Seconds the web waits for a worker to check or preview a template upload.")
    session_secret: SecretStr | None = Field(
        default=None, description="Signs the /admin login cookie; unset: a random one kept in DATA_DIR/session-secret.")

    trust_roots: Annotated[list[Path], NoDecode] = Field(
        default=[], description="PEM files of the roots signer certificates are checked against (such as the "
                                "BSrE root), comma separated; empty: signatures are checked for integrity only.")
    timezone: str = Field(default="Asia/Jakarta", description="Time zone of times on the verify page (WIB).")
    pdf_profile: Literal["pdf", "pdfa-2b"] = Field(
        default="pdf", description="PDF flavour when a request names none: plain `pdf` or archival `pdfa-2b`.")
    pdf_join_group: int = Field(
        default=25, ge=1, le=200, description="PDF batch items converted in one LibreOffice load (joined as "
                                              "sections, split back); 1 converts each alone.")
    pdf_batch_converters: int = Field(
        default=0, ge=0, le=8, description="LibreOffice converters per bulk worker for PDF batches, converting "
                                           "groups side by side; 0: this machine's cores divided by BULK_WORKERS.")

    @field_validator("trust_roots", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(part.strip()) for part in value.split(",") if part.strip()]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (use an IANA name such as Asia/Jakarta)") from None
        return value

    def public_url_problem(self) -> str | None:
        """Why DOCGEN_PUBLIC_URL can't go into printed QR codes, or None. Only the production shape
        (DOCGEN_REQUIRE_KEYS) insists: a laptop's http://127.0.0.1:8000 is fine for `make run`."""
        if not self.public_url:
            return "DOCGEN_PUBLIC_URL is not set"
        parts = urlsplit(self.public_url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            return f"DOCGEN_PUBLIC_URL '{self.public_url}' is not an http(s) address"
        if host == "localhost" or host.endswith(".localhost") or host in ("0.0.0.0", "::"):
            return f"DOCGEN_PUBLIC_URL '{self.public_url}' is a loopback address"
        try:
            if ipaddress.ip_address(host).is_loopback:
                return f"DOCGEN_PUBLIC_URL '{self.public_url}' is a loopback address"
        except ValueError:
            pass
        if host in PLACEHOLDER_HOSTS or any(host.endswith("." + p) for p in PLACEHOLDER_HOSTS):
            return f"DOCGEN_PUBLIC_URL '{self.public_url}' is the placeholder of the compose file"
        return None

    def check_public_url(self) -> None:
        """In the production shape, refuse to start with a public address nobody can reach."""
        problem = self.public_url_problem() if self.require_keys else None
        if problem:
            raise RuntimeError(f"{problem}: every document's QR code leads to {self.base_url}/verify/..., which "
                               "nobody who holds the paper can reach. Set DOCGEN_PUBLIC_URL to the address the "
                               "public uses, e.g. https://docgen.sumutprov.go.id.")

    database_url: str = Field(
        default="", validate_default=True,
        description="Database of issued documents (SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/docgen); "
                    "unset: SQLite in DATA_DIR/docgen.db.")
    retention_years: int = Field(default=10, ge=1, description="Years an issued document's record is kept.")
    file_retention_days: int = Field(
        default=0, ge=0, description="Days a finished document's files are kept; 0: as long as its record.")
    purge_interval_hours: int = Field(
        default=24, ge=0, description="Hours between the retention purges one worker runs by itself; 0: none "
        "(run `docgen db purge` from cron instead).")

    @field_validator("database_url")
    @classmethod
    def _default_database(cls, value: str, info: ValidationInfo) -> str:
        if value:
            return value
        return f"sqlite:///{info.data['data_dir'] / 'docgen.db'}"

    @property
    def key_file(self) -> Path:
        """The API key file: DOCGEN_API_KEYS_FILE, else ``api-keys`` in the data folder."""
        return self.api_keys_file or self.data_dir / "api-keys"

    @property
    def template_store_dir(self) -> Path:
        """The administrators' template versions and which one of each type is active."""
        return self.data_dir / "templates"

    @property
    def assets_dir(self) -> Path:
        """Where uploaded pictures (logos, the Garuda) are kept, one file per asset id."""
        return self.data_dir / "assets"

    @property
    def documents_dir(self) -> Path:
        """Where finished files are written, sharded by the first two characters of the id."""
        return self.data_dir / "documents"

    @property
    def base_url(self) -> str:
        """The public address, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
