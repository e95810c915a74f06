"""/admin/batches in a real headless Chromium: an administrator downloads the workbook, uploads it
filled, watches the progress change live while a real worker renders, reads the failed row in the
errors table and downloads the archive; in Indonesian, English on request."""

from __future__ import annotations

import zipfile

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.conftest import API_KEYS
from tests.processes import wait_for
from tests.test_admin_page import _sign_in, _submit, browser, downloads, site  # noqa: F401 - shared fixtures
from tests.test_batches import _fill


@pytest.mark.slow
def test_bulk_in_the_browser_from_workbook_to_archive(browser, site, downloads, run_bulk_worker):  # noqa: F811
    _sign_in(browser, site, API_KEYS["boss"])
    browser.find_element(By.ID, "bulk-link").click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("/admin/batches"))
    assert browser.find_element(By.ID, "bulk-title").text == "Batch dokumen"
    assert "Unduh workbook" in browser.page_source and "Unggah dan proses" in browser.page_source

    browser.find_element(By.ID, "workbook-pk").click()
    workbook = wait_for(lambda: next((p for p in downloads.glob("*.xlsx")), None), timeout=30)
    filled = downloads / "terisi.xlsx"
    filled.write_bytes(_fill(workbook.read_bytes()))

    browser.find_element(By.ID, "bulk-file").send_keys(str(filled))
    _submit(browser, browser.find_element(By.ID, "bulk-submit"))
    assert "/admin/batches/" in browser.current_url
    assert browser.find_element(By.ID, "status").get_attribute("data-status") == "running"
    assert browser.find_element(By.ID, "archive-wait").is_displayed()
    assert not browser.find_element(By.ID, "archive").is_displayed()

    run_bulk_worker()  # the page, polling, sees the batch end without a reload
    WebDriverWait(browser, 30).until(
        lambda b: b.find_element(By.ID, "status").get_attribute("data-status") == "finished")
    assert browser.find_element(By.ID, "status").text == "selesai"
    assert browser.find_element(By.ID, "percent").text == "100%"
    assert browser.find_element(By.ID, "failed").text == "1"
    rows = browser.find_elements(By.CSS_SELECTOR, "#errors-table tr.error-row")
    assert [[c.text for c in r.find_elements(By.TAG_NAME, "td")] for r in rows] == [[
        "K-02", "Dokumen!J4", "Dokumen!J4 (Pihak Pertama - NIP): NIP harus 18 digit (spasi boleh); yang diisi 8 digit"]]

    browser.find_element(By.ID, "archive").click()
    archive = wait_for(lambda: next((p for p in downloads.glob("*.zip")), None), timeout=30)
    with zipfile.ZipFile(archive) as zipped:
        assert "manifest.xlsx" in zipped.namelist()
        assert [n for n in zipped.namelist() if n.endswith(".docx")] == [
            "PK-2026-Dinas-Kebudayaan-Pariwisata-Rahmat-Hidayat-Lubis.docx"]

    browser.find_element(By.ID, "lang-switch").click()
    WebDriverWait(browser, 20).until(lambda b: "lang=en" in b.current_url)
    assert browser.find_element(By.ID, "status").text == "finished"
    assert "Download the archive (ZIP)" in browser.page_source
    browser.get(f"{site}/admin/batches")
    assert browser.find_elements(By.CSS_SELECTOR, "#recent tr.batch")
