"""GET /docs: the API in Swagger UI, where an integrator reads every operation with its examples
and tries a call with an API key ("Authorize", then "Try it out").

Swagger UI's files come from the pinned PyPI package swagger-ui-py (its static folder holds the
Swagger UI release named in ``SWAGGER_UI_VERSION``) and are served from here, never a CDN. The
page has no inline script, so the pages' Content-Security-Policy (service/security_headers.py)
holds: service/static/docs.js starts Swagger UI on /openapi.json.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui
from flask import Blueprint, Response, abort, render_template, send_from_directory

__all__ = ["ASSETS", "SWAGGER_UI_VERSION", "bp"]

bp = Blueprint("api_docs", __name__, template_folder="templates")

SWAGGER_UI_DIR = Path(swagger_ui.__file__).parent / "static"
"""Where swagger-ui-py keeps the Swagger UI release."""

SWAGGER_UI_VERSION = "5.24.2"
"""The Swagger UI release inside swagger-ui-py 25.7.1 (its bundle's PACKAGE_VERSION; a test keeps it true)."""

ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")
"""The files the page loads; nothing else of the package is served."""

ASSET_MAX_AGE = 86400
"""Browsers may keep the assets this many seconds (they change only with the package's version)."""


@bp.get("/docs")
def docs() -> str:
    """The Swagger UI page (public, like /openapi.json)."""
    return render_template("docs/swagger.html", version=SWAGGER_UI_VERSION)


@bp.get("/docs/assets/<name>")
def asset(name: str) -> Response:
    """One of Swagger UI's files; 404 for any other name."""
    if name not in ASSETS:
        abort(404)
    return send_from_directory(SWAGGER_UI_DIR, name, max_age=ASSET_MAX_AGE)
