"""Security headers: HTML pages carry a CSP without inline script or style, nosniff, a Referrer-Policy
and no framing; every other answer the strictest policy. In headless Chromium the pages still work
under their policy (style sheets applied; the verify page's file check is
tests/test_verify_page_browser.py)."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.conftest import API_KEYS
from tests.test_admin_page import browser, downloads, site  # noqa: F401 (fixtures)


def _assert_common(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/verify/0123456789abcdef0123456789abcdef", "/admin/login", "/docs"])
def test_pages_allow_only_their_own_scripts_and_styles(client, path):
    response = client.get(path)
    assert response.mimetype == "text/html"
    _assert_common(response)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.get_data(as_text=True)
    assert "<style" not in html and not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))", html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers either


def test_the_verify_script_and_styles_are_served_from_here(client):
    script = client.get("/static/verify.js")
    assert script.status_code == 200 and "crypto.subtle.digest" in script.get_data(as_text=True)
    assert script.headers["X-Content-Type-Options"] == "nosniff"
    for name in ("verify.css", "admin.css", "docs.css"):
        assert client.get(f"/static/{name}").mimetype == "text/css"


@pytest.mark.parametrize("path", ["/api/v1/documents/unknown", "/healthz", "/openapi.json"])
def test_other_answers_get_the_strictest_policy(client, path):
    response = client.get(path)
    _assert_common(response)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_admin_page_and_docs_are_styled_under_the_policy_in_chromium(browser, site):  # noqa: F811
    browser.get(f"{site}/admin/login")
    background = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(244, 246, 248)"  # admin.css applied under the policy
    browser.find_element(By.ID, "key").send_keys(API_KEYS["boss"])
    browser.find_element(By.ID, "sign-in").click()
    assert browser.find_element(By.ID, "signed-in-as").text == "boss"
    assert browser.execute_script("return getComputedStyle(document.querySelector('header')).backgroundColor") \
        == "rgb(18, 53, 91)"
    browser.get(f"{site}/docs")
    WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock"))
    assert browser.execute_script("return getComputedStyle(document.querySelector('.docs-intro')).maxWidth") \
        == "1460px"  # docs.css applied under the policy
    assert browser.execute_script(  # and Swagger UI's own style sheet
        "return getComputedStyle(document.querySelector('.swagger-ui .opblock')).borderRadius") == "4px"
