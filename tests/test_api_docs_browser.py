"""/docs in a real headless Chromium: Swagger UI, from the pinned package's files served here under
the pages' Content-Security-Policy, lists the operations with their examples, and an integrator
authorizes with an API key and tries a call against the live app."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from service.api_docs import ASSETS, SWAGGER_UI_DIR, SWAGGER_UI_VERSION
from tests.conftest import API_KEYS, bearer
from tests.test_admin_page import browser, downloads, site  # noqa: F401 - shared fixtures

SUBMIT = "operations-default-post_submit_api_v1_documents"
LIST = "operations-default-get_list_documents_api_v1_documents"


def _operation(driver, block_id: str):
    """The operation's block, opened and switched to "Try it out"."""
    block = driver.find_element(By.ID, block_id)
    block.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
    block.find_element(By.CSS_SELECTOR, "button.try-out__btn").click()
    return block


def _execute(driver, block) -> tuple[str, str]:
    """Press Execute; answer the live response's status code and body, then clear it for the next call."""
    block.find_element(By.CSS_SELECTOR, "button.execute").click()
    cell = ".live-responses-table tr.response .response-col_status"
    WebDriverWait(driver, 30).until(lambda b: block.find_elements(By.CSS_SELECTOR, cell))
    status = block.find_element(By.CSS_SELECTOR, cell).text.split()[0]
    body = block.find_element(By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_description").text
    block.find_element(By.CSS_SELECTOR, "button.btn-clear").click()
    WebDriverWait(driver, 10).until(lambda b: not block.find_elements(By.CSS_SELECTOR, cell))
    return status, body


def _authorize(driver, key: str) -> None:
    driver.find_element(By.CSS_SELECTOR, "button.authorize").click()
    dialog = driver.find_element(By.CSS_SELECTOR, ".modal-ux")
    dialog.find_element(By.CSS_SELECTOR, "input").send_keys(key)
    dialog.find_element(By.CSS_SELECTOR, "button.modal-btn.auth.authorize").click()
    dialog.find_element(By.CSS_SELECTOR, "button.btn-done").click()


@pytest.mark.slow
def test_an_integrator_reads_the_operations_and_tries_a_call_with_a_key(browser, site, keyed_client):  # noqa: F811
    browser.get(f"{site}/docs")
    WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".opblock"))
    assert browser.find_element(By.CSS_SELECTOR, ".info .title").text.startswith("SAKIP document service")
    paths = {e.get_attribute("data-path") for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert {"/api/v1/documents", "/api/v1/documents/{doc_id}", "/api/v1/documents/{doc_id}/file",
            "/api/v1/batches", "/api/v1/templates/{doc_type}"} <= paths
    # nothing the page needed was refused by the policy, nor fetched from elsewhere
    refused = [e for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert refused == []
    origins = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).origin)")
    assert set(origins) == {site}

    submit = _operation(browser, SUBMIT)
    body = submit.find_element(By.CSS_SELECTOR, "textarea.body-param__text").get_attribute("value")
    assert '"pihak_pertama"' in body and '"type": "pk"' in body  # the example is a whole request
    assert _execute(browser, submit)[0] == "401"  # no key yet: refused, as the API says

    _authorize(browser, API_KEYS["a"])
    status, answer = _execute(browser, submit)
    assert status == "202", answer
    doc_id = re.search(r'"id": "([0-9a-f]{32})"', answer).group(1)
    record = keyed_client.get(f"/api/v1/documents/{doc_id}", headers=bearer("a")).get_json()
    assert record["type"] == "pk" and record["status"] in {"queued", "started", "finished"}

    listing = _operation(browser, LIST)
    status, answer = _execute(browser, listing)
    assert status == "200" and doc_id in answer


def test_swagger_ui_comes_from_the_pinned_package_and_nothing_else_is_served(client):
    page = client.get("/docs").get_data(as_text=True)
    assert "<script>" not in page and "https://" not in page  # no inline script, no CDN
    for name in ASSETS:
        answer = client.get(f"/docs/assets/{name}")
        assert answer.status_code == 200 and answer.data == (SWAGGER_UI_DIR / name).read_bytes()
    assert f'PACKAGE_VERSION:"{SWAGGER_UI_VERSION}"' in (SWAGGER_UI_DIR / "swagger-ui-bundle.js").read_text()
    assert client.get("/docs/assets/swagger-editor-bundle.js").status_code == 404
    assert client.get("/docs/assets/..%2F__init__.py").status_code == 404
    assert not any(p.startswith("/docs") for p in client.get("/openapi.json").get_json()["paths"])
