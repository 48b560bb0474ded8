"""In headless Chromium: the choose-format page and the dashboard link as a <dialog>, then
导出 downloads the file under its Chinese name. Screenshots at desktop width and at 375 px
are saved under test-output/documents/ for a person to look at."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from docsupport import PATH, WANG, application_of, pdftotext
from webdriver import Chrome, needs_browser
from webjourney import apply, sign_in

pytestmark = needs_browser

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "documents"


def shoot(chrome: Chrome, name: str) -> None:
    chrome.screenshots(OUTPUT, name)


def test_browser__dialog_page_dashboard_dialog_and_download(chrome, site, new_browser, clock, web, store,
                                                            tmp_path):
    if "sqlite" not in web.settings.database_url:
        pytest.skip("one browser run is enough")
    apply(new_browser(address="10.4.0.1"), clock, web, WANG)
    saved = application_of(store, WANG)
    sign_in(chrome, site.url, WANG)

    chrome.go(site.url + PATH)
    assert chrome.h1() == web.t("download.title")
    assert chrome.script("return document.querySelector('input[name=format]:checked').value;") == "pdf"
    shoot(chrome, "download-page")

    # The dashboard loads download.js: the link opens the same form in a modal dialog.
    chrome.go(site.url + "/account")
    assert chrome.script("return !!document.querySelector('script[src=\"/static/download.js\"]');")
    chrome.wait(lambda: chrome.script("return document.readyState === 'complete';"), what="the script")
    time.sleep(0.3)
    chrome.click(f"a[href='{PATH}']")
    chrome.wait(lambda: chrome.script("var d = document.querySelector('dialog'); return d && d.open;"),
                what="the dialog")
    assert chrome.text("dialog h2") == web.t("download.title")
    assert chrome.script("return location.pathname;") == "/account"
    shoot(chrome, "download-dialog")
    chrome.click("dialog [data-close]")
    chrome.wait(lambda: chrome.script("return document.querySelector('dialog') === null;"), what="closing")

    # Choose PDF and export: the browser saves the file under the Chinese name.
    folder = tmp_path / "downloads"
    folder.mkdir()
    chrome.cmd("POST", "/chromium/send_command_and_get_result",
               {"cmd": "Browser.setDownloadBehavior", "params": {"behavior": "allow", "downloadPath": str(folder)}})
    chrome.click(f"a[href='{PATH}']")
    chrome.wait(lambda: chrome.script("var d = document.querySelector('dialog'); return d && d.open;"),
                what="the dialog again")
    chrome.click("dialog button[type=submit]")
    name = f"{web.t('document.application_form.title')}-{saved.application_no}.pdf"
    chrome.wait(lambda: (folder / name).exists(), timeout=60, what=f"{name} in {list(folder.iterdir())}")
    assert saved.application_no in pdftotext((folder / name).read_bytes())
    assert chrome.script("return location.pathname;") == "/account"
