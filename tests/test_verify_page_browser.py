"""The verify page in a real headless Chromium: a citizen picks the file they hold and the page,
hashing it in the browser (Web Crypto SHA-256, nothing uploaded), says whether it is the issued
PDF, the signed copy, an earlier signed copy, or none of them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait
from werkzeug.serving import make_server

from service.app import create_app
from tests.conftest import example
from tests.signing_ca import TestCA
from tests.test_admin_page import browser, downloads  # noqa: F401 - the same headless Chromium fixture
from workers.convert import converter_state_dir
from workers.converter import stop_converters

pytestmark = pytest.mark.usefixtures("shared_converter")
"""PDFs from the session's warm LibreOffice (conftest.shared_converter)."""


@pytest.fixture
def public_site(settings) -> Iterator[str]:
    """The app served over real HTTP on a free port (127.0.0.1: a secure context for Web Crypto)."""
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    stop_converters(converter_state_dir(settings.data_dir))


def _check(driver, path: Path) -> tuple[str, str]:
    """Pick ``path`` in the page's file field; the result's kind and sentence once computed."""
    field = driver.find_element(By.ID, "berkas")
    driver.execute_script("arguments[0].value = ''; document.getElementById('hasil').dataset.result = ''", field)
    field.send_keys(str(path))
    WebDriverWait(driver, 30).until(
        lambda b: b.find_element(By.ID, "hasil").get_attribute("data-result") not in ("", "working", None))
    result = driver.find_element(By.ID, "hasil")
    return result.get_attribute("data-result"), result.text


@pytest.mark.slow
def test_a_citizen_checks_the_file_they_hold(browser, public_site, client, make_document, tmp_path):  # noqa: F811
    record, issued = make_document({**example("pk-jpt"), "format": "pdf"})
    doc_id = record["id"]
    ca = TestCA()
    once = ca.issue("Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "Pemprov Sumut").sign(issued, "ttd_pihak_pertama")
    twice = ca.issue("H. Tengku Amri Nasution, S.H.", "Pemprov Sumut").sign(once, "ttd_pihak_kedua")
    for copy in (once, twice):
        assert client.post(f"/api/v1/documents/{doc_id}/signed", data=copy,
                           headers={"Content-Type": "application/pdf"}).status_code == 200
    files = {}
    for name, content in [("issued", issued), ("once", once), ("twice", twice),
                          ("edited", twice[:-200] + b" " + twice[-199:])]:
        files[name] = tmp_path / f"{name}.pdf"
        files[name].write_bytes(content)

    browser.get(f"{public_site}/verify/{doc_id}")
    assert browser.find_element(By.ID, "status").get_attribute("data-status") == "signed"
    assert "Asli dan sudah ditandatangani" in browser.find_element(By.ID, "status").text
    signers = browser.find_elements(By.CSS_SELECTOR, "#signatures .signature")
    assert ["H. Tengku Amri Nasution, S.H." in s.text for s in signers] == [False, True]
    assert all(" WIB" in s.text for s in signers)

    kind, text = _check(browser, files["issued"])
    assert kind == "issued" and "PDF yang diterbitkan" in text
    kind, text = _check(browser, files["twice"])
    assert kind == "signed" and "salinan bertanda tangan terakhir" in text
    kind, text = _check(browser, files["once"])
    assert kind == "signed_earlier" and "ke-1" in text
    kind, text = _check(browser, files["edited"])
    assert kind == "unknown" and text.startswith("Tidak cocok")
