"""The Flask app factory: settings in, app out; tests build one per test with their own settings."""

from __future__ import annotations

import logging

from flask import Flask

from config.settings import Settings, get_settings
from service import batches, documents, health, signed, verify
from service.problems import register_error_handlers
from service.state import ServiceState

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """A configured app; ``settings`` defaults to the DOCGEN_* environment."""
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["docgen"] = ServiceState.build(settings)
    register_error_handlers(app)
    app.register_blueprint(documents.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(signed.bp)
    app.register_blueprint(batches.bp)
    return app
