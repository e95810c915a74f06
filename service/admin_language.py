"""The language of the /admin pages: Indonesian unless the page was switched to English with
``?lang=en`` (the browser's own language is not asked: these pages are for Indonesian officials
first). Every admin page renders through ``render_page`` with its own table of sentences, and
carries the choice on in its links, forms and redirects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template, request

from sakip.messages import message
from service.problems import Problem

__all__ = ["page_language", "problem_sentence", "render_page"]


def page_language() -> str:
    """"en" when the page was switched to English, else "id"."""
    return "en" if request.args.get("lang") == "en" else "id"


def render_page(name: str, texts: Mapping[str, Mapping[str, str]], status: int = 200,
                **context: Any) -> tuple[str, int]:
    """``name`` rendered with ``t`` (its sentences in the page's language), ``lang``, ``other``
    (the language the switch leads to) and ``keep`` (the ``lang`` argument links pass on: none for
    Indonesian, so the plain address stays the Indonesian page)."""
    lang = page_language()
    return render_template(name, t=texts[lang], lang=lang, other="id" if lang == "en" else "en",
                           keep="en" if lang == "en" else None, **context), status


def problem_sentence(exc: Problem) -> str:
    """A Problem's sentence in the page's language (from the message table when it is coded)."""
    return message(exc.code, exc.params, page_language()) if exc.code is not None else exc.detail
