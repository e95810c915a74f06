"""Security headers on every answer. HTML pages (/verify, /admin, /docs) get a Content-Security-Policy
that allows only this origin's own scripts and style sheets (no inline script or style at all: the
verify page's file check is service/static/verify.js), no framing, no plugins and forms posting only
here; every other answer gets the strictest policy. All answers: nosniff and no Referer leaving the
site (a verify link carries a document id)."""

from __future__ import annotations

from flask import Flask, Response

__all__ = ["API_POLICY", "PAGE_POLICY", "register_security_headers"]

PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
"""Content-Security-Policy of HTML pages."""

API_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
"""Content-Security-Policy of everything else (JSON, files): nothing in it may run if opened."""

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
}


def register_security_headers(app: Flask) -> None:
    """Add the headers after every view and error handler (headers a view set itself are kept)."""

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in COMMON.items():
            response.headers.setdefault(name, value)
        policy = PAGE_POLICY if response.mimetype == "text/html" else API_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
