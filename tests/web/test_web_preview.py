"""`shenbao preview`: the application on a flow file being edited. In a real browser: a broken
save shows the located problems in the page, a fixed save shows the step again; the bar shows
the settable clock on every page and jumps to any step with sample answers."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from commands.preview import open_preview
from webdriver import CHROMEDRIVER, CHROMIUM, Chrome, TestServer

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "teacher_registration.yaml"


def flow_copy(folder: Path) -> Path:
    path = folder / "teacher_registration.yaml"
    path.write_text(FLOW.read_text(encoding="utf-8").replace("../data/", str(ROOT / "data") + "/"),
                    encoding="utf-8")
    return path


def save(path: Path, text: str) -> None:
    """A save the preview must notice (a new modification time even within one clock tick)."""
    stamp = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stamp + 10**9, stamp + 10**9))


@pytest.fixture
def preview(tmp_path):
    path = flow_copy(tmp_path)
    app = open_preview(path, tmp_path / "db", datetime(2027, 3, 15, 10, 0))
    assert app is not None
    with TestServer(app) as server:
        yield server, path


def test_preview__bar_clock_and_jump_over_http(preview):
    from webtest import TestApp
    server, path = preview
    client = TestApp(server.httpd.get_app())
    home = client.get("/")
    assert "预览 · 时钟 2027-03-15 10:00" in home.text
    moved = client.get("/__preview/clock", {"at": "2031-01-01 09:00", "back": "/"}).follow()
    assert "预览 · 时钟 2031-01-01 09:00" in moved.text
    client.get("/__preview/clock", {"at": "2027-03-15 10:00", "back": "/"})
    step = client.get("/__preview/step/application").follow()
    assert "申报第七步" in step.text
    bad = client.get("/__preview/clock", {"at": "tomorrow"})
    assert "不是有效的时间" in bad.text


@pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
                    reason="needs Debian's chromium and chromedriver")
def test_preview__broken_save_shows_problems__fixed_save_shows_the_step(preview, tmp_path):
    server, path = preview
    good = path.read_text(encoding="utf-8")
    chrome = Chrome(tmp_path / "profile")
    try:
        chrome.go(server.url + "/__preview/step/agency")
        assert "申报第四步" in chrome.h1()
        assert "预览 · 时钟" in chrome.script("return document.querySelector('.preview-bar').textContent")
        save(path, good.replace('when: "plan is not none"', 'when: "plan is not nnoe"'))
        chrome.go(server.url + "/apply")
        problems = chrome.script("return document.querySelector('ol.problems').textContent")
        line = next(i for i, l in enumerate(good.splitlines(), 1) if 'when: "plan is not none"' in l)
        assert f"teacher_registration.yaml:{line}:" in problems and "EXPR_004" in problems
        save(path, good)
        chrome.go(server.url + "/apply")
        assert "申报第四步" in chrome.h1()
    finally:
        chrome.quit()


def test_preview__saved_edit__served_not_the_version_published_at_the_first_page(tmp_path):
    """The preview's throw-away database records each save as the live version (flow and texts): a
    running `serve` keeps the published version until `shenbao publish`, a preview never does."""
    import re

    from webtest import TestApp

    from renderers.web.app import web_of
    from shenbao.flows import read_flow

    path = flow_copy(tmp_path)
    preview = open_preview(path, tmp_path / "db", datetime(2027, 3, 15, 10, 0))
    assert preview is not None
    TestApp(preview).get("/")
    text = path.read_text(encoding="utf-8")
    seconds = re.search(r"min_read_seconds: (\d+)", text)
    assert seconds is not None, "the flow has no reading time to edit"
    save(path, text.replace(seconds.group(0), f"min_read_seconds: {int(seconds.group(1)) + 7}", 1))
    TestApp(preview).get("/")
    assert web_of(preview.app).flow.digest == read_flow(path).digest
