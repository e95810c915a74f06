"""Every error answer is RFC 7807 problem details; this module is the one place that builds them.

The log gets the cause; the client gets a clear sentence and, for validation, the field paths.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from sakip.errors import FieldProblem, InvalidPayload
from sakip.messages import MESSAGES, message
from service.language import request_language

__all__ = ["Problem", "invalid_response", "problem_response", "register_error_handlers"]

log = logging.getLogger(__name__)
PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """An error answer raised from a view: status, short title, a sentence for the client.
    Made with ``Problem.coded`` the sentence comes from the message table, in the client's
    language; the English one is the exception's text, for the log."""

    def __init__(self, status: int, title: str, detail: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra
        self.headers = headers or {}
        self.code: str | None = None
        self.params: dict[str, Any] = {}

    @classmethod
    def coded(cls, status: int, code: str, params: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None, **extra: Any) -> Problem:
        """A Problem whose title and detail are the table's (``http_{status}`` and ``code``)."""
        problem = cls(status, message(f"http_{status}", lang="en"), message(code, params, "en"), headers, **extra)
        problem.code, problem.params = code, params or {}
        return problem

    def localized_detail(self) -> str:
        """The sentence in the current request's language (for pages that show it in HTML)."""
        return message(self.code, self.params, request_language()) if self.code is not None else self.detail


def _title(status: int, fallback: str, lang: str) -> str:
    return message(f"http_{status}", lang=lang) if f"http_{status}" in MESSAGES else fallback


def problem_response(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE)


def invalid_response(problems: list[FieldProblem], **extra: Any) -> Response:
    """422 naming every bad field, in the language the client asked for (Indonesian by default)."""
    lang = request_language()
    errors = [{"loc": p.loc, "msg": p.message(lang)} for p in problems]
    count = len(errors)
    if lang == "en":
        title = "Invalid request"
        detail = f"{count} field{'s' if count != 1 else ''} of the request {'are' if count != 1 else 'is'} invalid"
    else:
        title = "Permintaan tidak valid"
        detail = f"{count} isian permintaan tidak valid"
    return problem_response(422, title, detail, errors=errors, **extra)


def register_error_handlers(app: Flask) -> None:
    """Map Problem, invalid payloads, HTTP errors and anything unexpected to problem details."""

    @app.errorhandler(Problem)
    def _problem(exc: Problem) -> Response:
        title, detail = exc.title, exc.detail
        if exc.code is not None:
            lang = request_language()
            title, detail = _title(exc.status, exc.title, lang), message(exc.code, exc.params, lang)
        response = problem_response(exc.status, title, detail, **exc.extra)
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(InvalidPayload)
    def _invalid(exc: InvalidPayload) -> Response:
        return invalid_response(exc.problems)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        lang = request_language()
        if f"http_{status}_detail" in MESSAGES:
            response = problem_response(status, _title(status, exc.name, lang),
                                        message(f"http_{status}_detail", lang=lang))
        else:
            response = problem_response(status, _title(status, exc.name, lang), exc.description or exc.name)
        # 405 names the methods the resource takes (RFC 9110 15.5.6); werkzeug computed them
        for name, value in exc.get_headers():
            if name.lower() in ("allow", "retry-after", "www-authenticate"):
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return problem_response(500, "Internal Server Error", "The service failed to handle the request.")
