"""The commands around the web application: init, import, serve; settings and the courier."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from shenbao.settings import load_settings
from commands.cli import main
from shenbao.mail import Courier
from store import Store
from webdriver import free_port
from webjourney import WANG, start, title, walk_to
from websupport import FAST_HASHER, FLOW

ROOT = Path(__file__).resolve().parents[2]
SHENBAO = [sys.executable, "-m", "commands.cli"]


def test_init_demo__creates_loads_and_is_idempotent(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["init", "--demo", "--database", url]) == 0
    first = capsys.readouterr()
    assert "demo certificates: imported:43" in first.out and "demo applications: created:1" in first.out
    assert main(["init", "--demo", "--database", url]) == 0
    again = capsys.readouterr()
    assert "demo applications: created:0" in again.out
    with Store.open(url) as store:
        store.sync_datasets(FLOW.datasets, FLOW.lookup_index_columns())
        assert store.count_applications() == 1
        assert len(store.rows("agencies", {})) == 7


def test_import__csv_with_progress_on_stderr(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["init", "--database", url]) == 0
    data = tmp_path / "agencies.csv"
    data.write_text("code,name,level,province,city,stages,phone\n"
                    "x1,甲区教育局,county,11,110100,kindergarten primary junior,010-0000001\n"
                    "x2,乙区教育局,county,11,110100,senior,010-0000002\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import", "agencies", str(data), "--database", url]) == 0
    out = capsys.readouterr()
    assert "agencies: 2 rows imported" in out.out
    assert "agencies" in out.err and "100.0%" in out.err
    with Store.open(url) as store:
        store.sync_datasets(FLOW.datasets, FLOW.lookup_index_columns())
        assert [r["code"] for r in store.rows("agencies", {})] == ["x1", "x2"]


def test_import__bad_file__refused_with_rows_nothing_imported(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["init", "--demo", "--database", url]) == 0
    data = tmp_path / "plans.csv"
    data.write_text("agency,cycle,opens,closes\nbj_haidian,2026,someday,2030-12-31 17:00\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import", "plans", str(data), "--database", url]) == 1
    err = capsys.readouterr().err
    assert "refused, nothing imported" in err and "row 1" in err and "IMPORT_BAD_DATETIME" in err
    with Store.open(url) as store:
        store.sync_datasets(FLOW.datasets, FLOW.lookup_index_columns())
        assert len(store.rows("plans", {})) == 6


def test_import__unknown_dataset__usage_error(tmp_path, capsys):
    assert main(["import", "teachers", str(tmp_path / "x.csv"), "--database",
                 f"sqlite:///{tmp_path / 'db.sqlite'}"]) == 2
    assert "the flow declares" in capsys.readouterr().err


def test_settings__environment_then_config_file(tmp_path):
    config = tmp_path / "shenbao.toml"
    config.write_text('[shenbao]\ndatabase_url = "sqlite:////tmp/from-file.db"\nsmtp_host = "mail.example"\n'
                      'smtp_port = 2525\nworkers = 3\n', encoding="utf-8")
    env = {"SHENBAO_CONFIG": str(config), "SHENBAO_SMTP_PORT": "587", "SHENBAO_SECRET": "s" * 40}
    settings = load_settings(env=env)
    assert settings.database_url == "sqlite:////tmp/from-file.db" and settings.smtp_host == "mail.example"
    assert settings.smtp_port == 587 and settings.workers == 3 and settings.secret == "s" * 40
    assert settings.captcha_fixed is None
    ini = tmp_path / "shenbao.ini"
    ini.write_text("[shenbao]\nsmtp_tls = ssl\nbase_url = https://shenbao.example\n", encoding="utf-8")
    settings = load_settings(env={"SHENBAO_CONFIG": str(ini), "SHENBAO_SECRET": "s" * 40})
    assert settings.smtp_tls == "ssl" and settings.https


def test_settings__captcha_answer_cannot_be_fixed_from_outside(tmp_path):
    config = tmp_path / "shenbao.toml"
    config.write_text('[shenbao]\ncaptcha_fixed = "AAAA"\n', encoding="utf-8")
    settings = load_settings(env={"SHENBAO_CONFIG": str(config), "SHENBAO_CAPTCHA_FIXED": "AAAA",
                                  "SHENBAO_SECRET": "s" * 40})
    assert settings.captcha_fixed is None


def test_draft__flow_file_changed_meanwhile__starts_again(browser, clock, web, store):
    walk_to(browser, clock, web, WANG, "agency")
    key = f"wizard:{browser.cookie('sb_browser')}"
    draft = store.load_draft(key, clock())
    draft["run"]["digest"] = "0" * 64                          # as made with an older flow file
    store.save_draft(key, draft, clock())
    browser.get("/apply")
    assert browser.h1 == title(web, "notice")


def test_courier__delivers_and_does_chores_on_its_thread(store, clock, settings, web):
    done = []
    store.enqueue_mail("a@b.cn", "s", "b", clock())
    courier = Courier(web.mailer, 0.05, (lambda: done.append(1),))
    courier.start()
    try:
        deadline = time.monotonic() + 5
        while (not done or store.due_mail(clock()) != []) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        courier.stop()
    assert done and store.due_mail(clock()) == []
    assert list(Path(settings.outbox_dir).glob("*.eml"))


def test_serve__gunicorn_workers_print_the_address_and_answer(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = {**os.environ, "SHENBAO_DATABASE_URL": url, "SHENBAO_SECRET": "s" * 40,
           "SHENBAO_OUTBOX_DIR": str(tmp_path / "outbox")}
    subprocess.run(SHENBAO + ["init", "--demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(SHENBAO + ["serve", "--port", str(port), "--workers", "2"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              start_new_session=True)
    try:
        line = server.stdout.readline()
        assert re.search(rf"serving on http://localhost:{port}/ \(2 gunicorn workers\)", line), line
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(f"http://127.0.0.1:{port}/apply/start") as response:
            page = response.read().decode()
        assert "申报第一步" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/apply/start") as response:  # no cookies
            assert "Cookie" in response.read().decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
