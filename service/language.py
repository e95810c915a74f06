"""The language of the answer, from the request's Accept-Language: Indonesian unless the
client prefers English."""

from __future__ import annotations

from flask import has_request_context, request

from sakip.messages import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["request_language"]


def request_language() -> str:
    """"en" when the client's Accept-Language prefers English over Indonesian, else "id"."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE
