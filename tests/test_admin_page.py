"""The /admin page in a real headless Chromium: sign in with an administrator's key, upload a
template version through the page (checked by a real worker), see refused checks, preview,
activate, and follow a batch's progress."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait
from werkzeug.serving import make_server

from service.app import create_app
from tests.conftest import API_KEYS, bearer, example
from tests.docx_reading import full_text, open_docx
from tests.processes import wait_for
from tests.test_template_admin_api import MARK, _variant

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def site(keyed_settings) -> Iterator[str]:
    """The keyed app served over real HTTP on a free port."""
    server = make_server("127.0.0.1", 0, create_app(keyed_settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(downloads: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--window-size=1280,1600"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.implicitly_wait(2)
    yield driver
    driver.quit()


def _submit(browser, button) -> None:
    """Click a button that loads a new page, and wait until the new page has loaded."""
    browser.execute_script("window.beforeSubmit = true")
    button.click()
    # Mid-navigation the driver may answer with transient errors: keep asking until the new page is there.
    WebDriverWait(browser, 60, ignored_exceptions=[WebDriverException]).until(
        lambda b: b.execute_script("return !window.beforeSubmit && document.readyState === 'complete'"))


def _sign_in(browser, site: str, key: str, lang: str = "id") -> None:
    browser.get(f"{site}/admin" + ("?lang=en" if lang == "en" else ""))
    assert "/admin/login" in browser.current_url
    browser.find_element(By.ID, "key").send_keys(key)
    _submit(browser, browser.find_element(By.ID, "sign-in"))


def _upload(browser, path: Path, note: str) -> None:
    section = browser.find_element(By.ID, "type-pk")
    section.find_element(By.NAME, "file").send_keys(str(path))
    section.find_element(By.NAME, "note").send_keys(note)
    _submit(browser, section.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]"))


def test_a_client_key_cannot_sign_in(browser, site):
    _sign_in(browser, site, API_KEYS["a"])
    assert browser.find_element(By.ID, "login-title").text == "Masuk"
    assert "milik aplikasi klien, bukan administrator" in browser.find_element(By.ID, "error").text
    _sign_in(browser, site, "not-a-key-at-all-0000")
    assert browser.find_element(By.ID, "error").text == "Kunci itu tidak berlaku."
    _sign_in(browser, site, API_KEYS["a"], lang="en")
    assert "belongs to a client application" in browser.find_element(By.ID, "error").text


PAGE = {
    "id": {"refused": "ditolak: 1 pemeriksaan gagal", "failed": "GAGAL", "uploaded": "pk versi 3 terunggah",
           "active": "aktif", "now_active": "pk versi 3 sekarang aktif.", "activated": "Versi 3 diaktifkan",
           "roll_back": "Kembalikan ke versi ini", "upload": "Unggah dan periksa", "sign_out": "Keluar",
           "preview": "Pratinjau DOCX", "check": "variabel"},
    "en": {"refused": "was refused: 1 check(s) failed", "failed": "FAILED", "uploaded": "pk version 3 uploaded",
           "active": "active", "now_active": "pk version 3 is now active.", "activated": "Version 3 activated",
           "roll_back": "Roll back to this", "upload": "Upload and check", "sign_out": "Sign out",
           "preview": "Preview DOCX", "check": "variables"},
}
"""What the template administration page says, in each language."""


@pytest.mark.parametrize("lang", ["id", "en"])
def test_upload_preview_and_activate_through_the_page(browser, site, keyed_client, live_worker, tmp_path,
                                                     downloads, lang):
    words = PAGE[lang]
    _sign_in(browser, site, API_KEYS["boss"], lang)
    assert browser.find_element(By.ID, "signed-in-as").text == "boss"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    assert browser.find_element(By.ID, "sign-out").text == words["sign_out"]
    rows = browser.find_elements(By.CSS_SELECTOR, "#type-pk tr.version")
    assert [r.get_attribute("id") for r in rows] == ["pk-v2", "pk-v1"] and words["active"] in rows[0].text.split()
    assert browser.find_element(By.ID, "type-lkjip").is_displayed()
    assert browser.find_element(By.CSS_SELECTOR, "#type-pk form.upload button").text == words["upload"]

    bad = tmp_path / "pk-salah.docx"
    bad.write_bytes(_variant(b"{{ nomor_sk_gubernur }}"))
    _upload(browser, bad, "salah")
    result = browser.find_element(By.ID, "upload-result")
    assert words["refused"] in result.text
    failed = result.find_element(By.CSS_SELECTOR, "tr[data-check=variables]")
    assert words["check"] in failed.text and words["failed"] in failed.text and "nomor_sk_gubernur" in failed.text

    good = tmp_path / "pk-2027.docx"
    good.write_bytes(_variant())
    _upload(browser, good, "Format 2027")
    result = browser.find_element(By.ID, "upload-result")
    assert words["uploaded"] in result.text
    assert len(result.find_elements(By.CSS_SELECTOR, "tr.check")) == 5
    v3 = browser.find_element(By.ID, "pk-v3")
    assert "boss" in v3.text and "Format 2027" in v3.text and words["active"] not in v3.text.split()

    preview_button = v3.find_element(By.CSS_SELECTOR, "button.preview-docx")
    assert preview_button.text == words["preview"]
    preview_button.click()
    preview = wait_for(lambda: next(iter(downloads.glob("preview-pk-v3.docx")), None), timeout=60)
    text = full_text(open_docx(preview.read_bytes()))
    assert MARK in text

    _submit(browser, browser.find_element(By.ID, "pk-v3").find_element(By.CSS_SELECTOR, "button.activate"))
    assert browser.find_element(By.ID, "message").text == words["now_active"]
    assert words["active"] in browser.find_element(By.ID, "pk-v3").text.split()
    assert words["activated"] in browser.find_element(By.CSS_SELECTOR, "#type-pk .activated").text
    assert keyed_client.get("/api/v1/templates/pk", headers=bearer("boss")).get_json()["active_version"] == 3
    rollback = browser.find_element(By.ID, "pk-v2").find_element(By.CSS_SELECTOR, "button.activate")
    assert rollback.text == words["roll_back"]

    # the switch leads to the same page in the other language
    browser.find_element(By.ID, "lang-switch").click()
    other = "en" if lang == "id" else "id"
    WebDriverWait(browser, 20).until(
        lambda b: b.find_element(By.ID, "sign-out").text == PAGE[other]["sign_out"])
    assert browser.find_element(By.ID, "pk-v2").find_element(By.CSS_SELECTOR, "button.activate").text == \
        PAGE[other]["roll_back"]


def test_running_batches_show_their_progress(browser, site, keyed_client, run_bulk_worker):
    items = [{"ref": f"pegawai-{n}", "data": example("pk-jpt")["data"]} for n in range(3)]
    response = keyed_client.post("/api/v1/batches", json={"type": "pk", "items": items}, headers=bearer("a"))
    assert response.status_code == 202, response.get_json()
    batch_id = response.get_json()["id"]
    _sign_in(browser, site, API_KEYS["boss"])
    row = browser.find_element(By.ID, f"batch-{batch_id}")
    assert row.find_element(By.CLASS_NAME, "status").text == "berjalan"
    assert row.find_element(By.CLASS_NAME, "percent").text == "0.0%"
    assert row.find_element(By.CLASS_NAME, "total").text == "3"
    run_bulk_worker()
    browser.refresh()
    row = browser.find_element(By.ID, f"batch-{batch_id}")
    assert row.find_element(By.CLASS_NAME, "finished").text == "3"
    assert row.find_element(By.CLASS_NAME, "percent").text == "100.0%"


def _page_token(client, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_a_form_without_the_page_token_is_refused(keyed_client):
    token = _page_token(keyed_client, "/admin/login")
    assert keyed_client.post("/admin/login", data={"key": API_KEYS["boss"], "csrf": token}).status_code == 302
    refused = keyed_client.post("/admin/templates/pk/versions/1/activate", data={"csrf": "forged"})
    assert refused.status_code == 400 and "kedaluwarsa" in refused.get_data(as_text=True)
    token = _page_token(keyed_client, "/admin")
    assert keyed_client.post("/admin/templates/pk/versions/1/activate", data={"csrf": token}).status_code == 302


def test_signed_out_the_page_only_offers_the_sign_in(keyed_client):
    assert keyed_client.get("/admin").headers["Location"].endswith("/admin/login")
    assert keyed_client.get("/admin/templates/pk/versions/1/file").status_code == 302
    login = keyed_client.get("/admin/login")
    assert login.status_code == 200 and b"Kunci API administrator" in login.data
    assert b"Administrator API key" in keyed_client.get("/admin/login?lang=en").data
    assert keyed_client.post("/admin/login", data={"key": API_KEYS["boss"]}).status_code == 400  # no token
