"""Worded templates (renderers/web/worded.py): a `t(...)` of literal arguments is compiled into the
page as its text; the page drawn is the same as with the plain environment, byte for byte."""
from __future__ import annotations

import jinja2

from renderers.web.context import TEMPLATES, compile_templates, make_env
from renderers.web.worded import worded
from shenbao.catalog import Catalog, load_catalog

SOURCE = ("<p title=\"{{ t('quote') }}\">{{ t('plain') }} {{ t('hello', name=name) }} {{ t('hello', name='李') }}"
          " {{ name or t('none') }} {{ t(key) }} {{ t('plain') if flag else t('quote') }}</p>")


def catalog(**changed: str) -> Catalog:
    return Catalog("zh_CN", {"plain": "<甲> & 乙", "quote": 'say "hi"', "hello": "你好，{name}", "none": "无",
                             "other": "其他", **changed})


def envs(texts: Catalog, source: str = SOURCE) -> tuple[jinja2.Environment, jinja2.Environment, list[str]]:
    """(plain, worded) over a one-template loader, and the keys looked up while drawing."""
    plain = make_env(texts)
    plain.loader = jinja2.DictLoader({"page.html": source})
    asked: list[str] = []
    plain.globals["t"] = lambda key, **params: asked.append(key) or texts.text(key, **params)
    return plain, worded(plain, texts), asked


def test_worded__draws_the_same_page_as_the_plain_environment():
    plain, folded, _asked = envs(catalog())
    for values in ({"name": "<王>", "key": "other", "flag": True}, {"name": "", "key": "plain", "flag": False}):
        assert folded.get_template("page.html").render(**values) == plain.get_template("page.html").render(**values)


def test_worded__fixed_texts_are_not_looked_up_when_drawn__those_with_values_are():
    _plain, folded, asked = envs(catalog())
    page = folded.get_template("page.html").render(name="", key="other", flag=True)
    assert asked == ["hello", "other"]  # t('hello', name=name) and t(key); the rest is in the template
    assert "&lt;甲&gt; &amp; 乙" in page and 'title="say &#34;hi&#34;"' in page and "你好，李" in page and "无" in page


def test_worded__a_template_that_binds_t_itself__is_drawn_as_it_is():
    source = "{% set t = other %}{{ t('plain') }}"
    plain, folded, _asked = envs(catalog(), source)
    assert folded.get_template("page.html").render(other=lambda key: key.upper()) == "PLAIN"


def test_worded__another_catalogue__its_own_texts_and_compiled_code():
    first, second = catalog(), catalog(plain="丙")
    plain = make_env(first)
    plain.loader = jinja2.DictLoader({"page.html": "{{ t('plain') }}"})
    assert worded(plain, first).get_template("page.html").render() == "&lt;甲&gt; &amp; 乙"
    again = worded(plain, second)
    assert again.get_template("page.html").render() == "丙"
    assert worded(plain, catalog(plain="丙")).bytecode_cache is again.bytecode_cache  # same texts: same code
    assert worded(plain, first).bytecode_cache is not again.bytecode_cache


def test_compile_templates__compiles_the_worded_pages_too():
    texts = load_catalog()
    assert compile_templates(worded(make_env(texts), texts)) == len(list(TEMPLATES.rglob("*.html")))
