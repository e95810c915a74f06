"""The Flask app factory: settings in, app out; tests build one per test with their own settings."""

from __future__ import annotations

import logging

from flask import Flask

from config.logs import setup_logging
from config.settings import Settings, get_settings
from service import (
    admin_bulk,
    admin_page,
    api_docs,
    assets,
    batch_listing,
    batches,
    documents,
    health,
    listing,
    metrics,
    openapi,
    revocation,
    signed,
    templates_api,
    verify,
)
from service.alignment import bp as alignment_bp
from service.auth import register_auth
from service.capacity import register_capacity_guards
from service.problems import register_error_handlers
from service.ratelimit import register_rate_headers
from service.request_log import register_request_ids
from service.security_headers import register_security_headers
from service.state import ServiceState
from storage.session_secret import session_secret

__all__ = ["NO_KEYS_WARNING", "create_app"]

log = logging.getLogger(__name__)

NO_KEYS_WARNING = (
    "NO API KEYS CONFIGURED: /api/v1 is open to anyone who can reach this address. Create keys with "
    "`docgen keys create NAME` (kept in DOCGEN_API_KEYS_FILE, default DATA_DIR/api-keys) or set DOCGEN_API_KEYS."
)
"""Logged at start when the API serves without authentication."""


def create_app(settings: Settings | None = None) -> Flask:
    """A configured app; ``settings`` defaults to the DOCGEN_* environment."""
    settings = settings or get_settings()
    setup_logging()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.secret_key = session_secret(settings.session_secret and settings.session_secret.get_secret_value(),
                                    settings.data_dir)
    app.config.update(SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_NAME="docgen_admin",
                      SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"))
    app.extensions["docgen"] = ServiceState.build(settings)
    if not app.extensions["docgen"].keys.configured:
        log.warning(NO_KEYS_WARNING)
    register_request_ids(app)  # first: every later hook's log lines carry the request id
    register_error_handlers(app)
    register_security_headers(app)
    metrics.register_request_metrics(app)
    register_capacity_guards(app)
    register_auth(app)
    register_rate_headers(app)
    app.register_blueprint(documents.bp)
    app.register_blueprint(listing.bp)
    app.register_blueprint(revocation.bp)
    app.register_blueprint(batch_listing.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(signed.bp)
    app.register_blueprint(batches.bp)
    app.register_blueprint(alignment_bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(api_docs.bp)
    app.register_blueprint(templates_api.bp)
    app.register_blueprint(admin_page.bp)
    app.register_blueprint(admin_bulk.bp)
    app.register_blueprint(assets.bp)
    return app
