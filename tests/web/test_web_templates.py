"""The templates are compiled once, before the server forks (commands/serve.py's before_fork), and
never re-read from disk while serving (renderers/web/context.py: no auto_reload)."""
from __future__ import annotations

import os

from renderers.web.context import TEMPLATES, compile_templates, make_env
from shenbao.catalog import load_catalog


def test_compile_templates__compiles_every_page_and_does_not_read_them_again(monkeypatch):
    env = make_env(load_catalog())
    assert compile_templates(env) == len(list(TEMPLATES.rglob("*.html")))
    seen: list[str] = []
    original = env.loader.get_source
    stat = os.path.getmtime
    monkeypatch.setattr(env.loader, "get_source", lambda e, name: seen.append(name) or original(e, name))
    monkeypatch.setattr(os.path, "getmtime", lambda path: seen.append(path) or stat(path))
    for name in env.list_templates():
        env.get_template(name)
    assert seen == []  # compiled and kept: no read and no stat of the file per render
