"""Templates with the catalogue's fixed texts compiled in.

`{{ t('web.nav.home') }}` names a text that is the same on every page drawn with one catalogue,
yet drawing it costs a call into the catalogue and an escape every time (some thirty per
dashboard: issue 10). A *worded* environment writes each such text into the template when it
compiles it: a call of the global `t` whose arguments are all literals becomes the text itself,
which Jinja then escapes once, at compile time, like any constant. Calls with a value known
only when the page is drawn (`t('web.account.greeting', name=name)`, `t(key)`) stay calls.

A worded environment belongs to one catalogue (`Web.templates`: a published text fix gets an
environment of its own, so pages keep reading the texts in use when they are drawn); it is an
overlay of the plain environment (same loader, globals and filters) with its own compiled
templates, shared by every worded environment of a catalogue with the same texts (the tests
build hundreds of apps). A template that binds a name `t` of its own is left as it is. The
output is the same page, byte for byte: only where the text is looked up changes.
"""
from __future__ import annotations

import hashlib
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from shenbao.catalog import Catalog

TEXT = "t"  # the templates' global for Catalog.text (Web.t)


class Worded(jinja2.Environment):
    """An Environment that compiles templates with `texts`' fixed texts written in (None: as is)."""

    texts: Catalog | None = None

    def compile(self, source: Any, name: str | None = None, filename: str | None = None,
                raw: bool = False, defer_init: bool = False) -> Any:
        if isinstance(source, str) and self.texts is not None:
            source = fold(self.parse(source, name, filename), self.texts)
        return super().compile(source, name, filename, raw, defer_init)


def fold(tree: nodes.Template, catalog: Catalog) -> nodes.Template:
    """The template with each `t(...)` of literal arguments replaced by its text."""
    if binds_text(tree):
        return tree
    return _Fold(catalog).visit(tree)


def binds_text(tree: nodes.Template) -> bool:
    """The template names something `t` itself (a variable, a macro parameter, an import)."""
    if any(n.name == TEXT and n.ctx in ("store", "param") for n in tree.find_all(nodes.Name)):
        return True
    if any(n.target == TEXT for n in tree.find_all(nodes.Import)):
        return True
    return any((n if isinstance(n, str) else n[1]) == TEXT
               for imported in tree.find_all(nodes.FromImport) for n in imported.names)


class _Fold(NodeTransformer):
    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name == TEXT and node.node.ctx == "load"
                and node.dyn_args is None and node.dyn_kwargs is None
                and all(isinstance(a, nodes.Const) for a in node.args)
                and all(isinstance(k.value, nodes.Const) for k in node.kwargs)):
            return node
        args = [a.value for a in node.args]
        if len(args) != 1 or not isinstance(args[0], str):
            return node
        try:
            text = self.catalog.text(args[0], **{k.key: k.value.value for k in node.kwargs})
        except Exception:  # a text the catalogue cannot fill: it fails when drawn, as before
            return node
        return nodes.Const(text, lineno=node.lineno)


class Compiled(jinja2.BytecodeCache):
    """Compiled templates, kept in memory for the environments that share this cache. Jinja2 keys
    an entry by the template's name and checks its source's checksum, so an edited template is
    compiled again."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_BY_TEXTS: dict[str, Compiled] = {}  # digest of a catalogue's texts → what its environments compiled


def digest(catalog: Catalog) -> str:
    """The catalogue's texts, as one digest (catalogues that word the same share compiled code)."""
    h = hashlib.sha256(catalog.lang.encode())
    for key in sorted(catalog.messages):
        h.update(b"\0" + key.encode() + b"\1" + catalog.messages[key].encode())
    return h.hexdigest()


def worded(env: Worded, catalog: Catalog) -> Worded:
    """An overlay of `env` whose templates have `catalog`'s fixed texts written in."""
    compiled = _BY_TEXTS.setdefault(digest(catalog), Compiled())
    found = env.overlay(bytecode_cache=compiled, cache_size=env.cache.capacity if env.cache else 400)
    assert isinstance(found, Worded)
    found.texts = catalog
    return found
