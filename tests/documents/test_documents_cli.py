"""`shenbao document`: the same file as the download, written by the command line; --warm,
--status, and the refusals."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from docsupport import WANG, application_of, download, pdftotext, signed_in
from commands.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def wang(new_browser, clock, web):
    return signed_in(new_browser, clock, web, WANG, "10.3.0.1")


def cli_url(database) -> str:
    """The test database as one URL (PostgreSQL: its schema through libpq's options)."""
    if database.schema is None:
        return database.url
    return f"{database.url}?options=-csearch_path%3D{database.schema}"


def test_cli__writes_the_pdf_the_download_serves(wang, store, database, tmp_path, capsys, drawn):
    saved = application_of(store, WANG)
    served = download(wang, "pdf").body
    target = tmp_path / "form.pdf"
    assert main(["document", saved.application_no, "--format", "pdf", "-o", str(target),
                 "--database", cli_url(database)]) == 0
    assert target.read_bytes() == served
    assert drawn.calls == ["pdf"]                       # the stored file, not drawn again
    assert "stored" in capsys.readouterr().err


def test_cli__not_yet_stored__draws_it_with_the_values(wang, store, database, tmp_path, monkeypatch, web):
    saved = application_of(store, WANG)
    monkeypatch.chdir(tmp_path)
    assert main(["document", saved.application_no.lower(), "--database", cli_url(database)]) == 0
    written = tmp_path / f"{web.t('document.application_form.title')}-{saved.application_no}.pdf"
    text = pdftotext(written.read_bytes())
    for value in (WANG.name, saved.application_no, "北京市海淀区教育委员会", "海淀区教师进修学校确认点"):
        assert value in text


def test_cli__html_to_stdout(wang, store, database, capfdbinary):
    saved = application_of(store, WANG)
    assert main(["document", saved.application_no, "--format", "html", "-o", "-",
                 "--database", cli_url(database)]) == 0
    out = capfdbinary.readouterr().out.decode("utf-8")
    assert out.startswith("<!doctype html>") or out.lower().startswith("<!doctype html>")
    assert WANG.name in out and saved.application_no in out


def test_cli__warm_then_status(wang, database, capsys):
    url = cli_url(database)
    assert main(["document", "--warm", "--database", url]) == 0
    assert "documents made:" in capsys.readouterr().err
    assert main(["document", "--status", "--database", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["pdf", "html"]
    assert all(line.endswith(", 0 stale or missing") for line in lines)


@pytest.mark.parametrize("args, code", [
    (["TR2099999999"], 1),
    (["TR2027000001", "--format", "docx"], 2),
    ([], 2),
])
def test_cli__refusals(database, capsys, args, code):
    assert main(["document", *args, "--database", cli_url(database)]) == code
    assert capsys.readouterr().err


def test_cli__through_the_installed_command(wang, store, database, tmp_path):
    if database.kind != "sqlite":
        pytest.skip("one run through the real entry point is enough")
    saved = application_of(store, WANG)
    target = tmp_path / "out.pdf"
    shenbao = Path(sys.executable).with_name("shenbao")
    run = subprocess.run([str(shenbao), "document", saved.application_no, "--format", "pdf", "-o", str(target),
                          "--database", database.url], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert saved.application_no in pdftotext(target.read_bytes())
