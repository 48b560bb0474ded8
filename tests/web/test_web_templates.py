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


def test_field_macros__imported_without_context__the_module_made_once_for_every_page():
    """`{% import "_fields.html" as ui with context %}` made Jinja2 run the macro module again on
    every page drawn (issue 10); without context it is made once and kept. The macros then read
    only globals and their arguments (the CSRF token is passed in), and StrictUndefined would
    refuse a page variable read inside them."""
    from jinja2 import nodes

    env = make_env(load_catalog())
    importers = []
    for path in [*TEMPLATES.rglob("*.html"), *(TEMPLATES.parent / "staff" / "templates").rglob("*.html")]:
        for node in env.parse(path.read_text(encoding="utf-8")).find_all((nodes.Import, nodes.FromImport)):
            importers.append(path.name)
            assert not node.with_context, path
    assert {"step.html", "edit.html", "notes.html", "simple_form.html", "application.html",
            "accounts.html"} <= set(importers)
    made = []
    fields = env.get_template("_fields.html")
    original = fields.make_module
    fields.make_module = lambda *a, **k: made.append(1) or original(*a, **k)
    page = env.from_string('{% import "_fields.html" as ui %}{{ ui.csrf(csrf_token) }}')
    assert [page.render(csrf_token=str(n)) for n in range(3)] == [
        f'<input type="hidden" name="csrf_token" value="{n}">' for n in range(3)]
    assert len(made) <= 1
