"""The web context: what every route module is given (`install(app, web)`).

One `Web` per application: the flow, the store, the catalogue, the clock, the Jinja2
environment, the settings and the mailer, plus the small helpers every page needs
(render a template, the current moment in UTC and on the flow's wall clock). Holds no
per-request state itself: that lives in the request environ (see sessions.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

import bottle
import jinja2

from engine import Flow
from shenbao.catalog import Catalog, format_value
from shenbao.documents import Printer
from shenbao.flowversions import FlowVersions
from shenbao.mail import Mailer
from shenbao.settings import Settings
from store import Store

from .fieldhtml import field_html, sections_html
from .speech import audio_available
from .display import here, large_text
from .worded import Compiled, Worded, worded

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class SteadyRows:
    """The store as the engine's DataSource, handing out the *same* list for a whole-dataset
    read while its content is unchanged. The engine keeps option lists whose filter reads
    only the row for as long as it gets the identical list; the store returns a fresh copy
    on every call, so without this every page filtered every option list again. The copy is
    made once per content of the store's cache (`Store.shared_rows`: the same list object
    while current), not per read and compared (that was four copies and comparisons of the
    reference lists per step-7 page)."""

    def __init__(self, store: Store):
        self.store = store
        self._last: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}  # the cached list, our copy

    def rows(self, dataset: str, match: Mapping[str, Any]) -> list[dict[str, Any]]:
        if match:
            return self.store.rows(dataset, match)
        shared = self.store.shared_rows(dataset)
        if shared is None:  # not cached (too large): read, and keep the same list while it reads equal
            rows = self.store.rows(dataset, match)
            last = self._last.get(dataset)
            if last is not None and last[0] is last[1] and last[1] == rows:
                return last[1]
            self._last[dataset] = (rows, rows)
            return rows
        last = self._last.get(dataset)
        if last is not None and last[0] is shared:
            return last[1]
        rows = [dict(r) for r in shared]
        self._last[dataset] = (shared, rows)
        return rows


@dataclass
class Web:
    settings: Settings
    flow: Flow
    store: Store
    catalog: Catalog
    clock: Clock
    env: Worded  # plain: `t(...)` looked up when drawn (the staff side, the error page); see `templates`
    mailer: Mailer
    tz: tzinfo
    source: SteadyRows
    csrf_token: Callable[[Web], str]  # sessions.csrf_token, given by app.py (sessions reads this context)
    flows: FlowVersions | None = None  # the published versions; `flow` is the live one
    printers: Mapping[str, Printer] = field(default_factory=dict)  # by format; none: no downloads
    _worded: tuple[Catalog, Worded] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # Templates read the catalogue in use at the time they are drawn (a text fix is published
        # without a restart), not the one the environment was made with.
        self.env.globals.update(t=self.t, has_text=self.has_text)

    def flow_of(self, digest: str | None) -> Flow:
        """The version a draft or an application was made under (the live one when unknown)."""
        found = self.flows.of(digest) if self.flows is not None else None
        return found or self.flow

    def catalog_for(self, flow: Flow) -> Catalog:
        """The texts for one version's pages: the live catalogue, then that version's own for the keys
        the live one no longer has (shenbao.flowversions); the product texts that version replaces
        (`flow.texts`) read its own."""
        return (self.flows.catalog_for(flow) if self.flows is not None else self.catalog).for_flow(flow)

    # -- time -------------------------------------------------------------------------
    def now(self) -> datetime:
        """This moment, timezone-aware (what the store is given)."""
        value = self.clock()
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)

    def local_now(self) -> datetime:
        """This moment on the flow's wall clock, naive: what the engine compares with the
        reference data's dates and times."""
        return self.now().astimezone(self.tz).replace(tzinfo=None)

    # -- text and pages ---------------------------------------------------------------
    def t(self, key: str, **params: Any) -> str:
        return self.catalog.text(key, **params)

    def has_text(self, key: str) -> bool:
        return self.catalog.has(key)

    def templates(self) -> Worded:
        """The environment pages are drawn with: `env` with the fixed texts of the catalogue in use
        now compiled in (renderers/web/worded.py); a new one when a text fix is published."""
        catalog, kept = self.catalog, self._worded
        if kept is not None and kept[0] is catalog:
            return kept[1]
        found = worded(self.env, catalog)
        self._worded = (catalog, found)
        return found

    def render(self, template: str, **values: Any) -> str:
        return self.templates().get_template(template).render(csrf_token=self.csrf_token(self), **values)

    def page(self, template: str, status: int = 200, **values: Any) -> str:
        bottle.response.status = status
        return self.render(template, **values)

    def url(self, path: str) -> str:
        """An absolute URL for mail: the configured base URL only. Never the request's Host or
        X-Forwarded-Host (the sender writes those: a reset link to their own site)."""
        base = self.settings.base_url.rstrip("/")
        if not base:
            raise LookupError("SHENBAO_BASE_URL is not set")
        return base + path


# The plain environments' compiled templates, shared by every Environment `make_env` makes in this
# process (the preview's after each edit of the flow; the tests make hundreds): a template compiled
# once is loaded from here by the next one.
_COMPILED = Compiled()


def make_env(catalog: Catalog) -> Worded:
    """Autoescape everywhere (Bottle's own Jinja2 adapter leaves it off). Templates are part of
    the release: no `auto_reload` (it stats every template and each one it imports on every
    render); `compile_templates` compiles them all once, before the server forks. Every
    Environment has the same options, so they share what they compiled (`_COMPILED`). Pages are
    drawn with its worded overlay for the catalogue in use (`Web.templates`)."""
    env = Worded(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                 undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                 auto_reload=False, bytecode_cache=_COMPILED)
    env.globals["t"] = catalog.text
    env.globals["has_text"] = catalog.has
    env.filters["shown"] = format_value
    env.globals["large_text"] = large_text
    env.globals["here"] = here
    env.globals["audio_captcha"] = audio_available
    env.globals["field_html"] = field_html
    env.globals["sections_html"] = sections_html
    return env


def compile_templates(env: jinja2.Environment) -> int:
    """Compile every template of `env` now (the server's master, before it forks, so that no
    worker compiles its own copy on its first requests); how many there are."""
    names = env.list_templates(filter_func=lambda name: name.endswith(".html"))
    for name in names:
        env.get_template(name)
    return len(names)


def make_tz(name: str) -> tzinfo:
    return ZoneInfo(name)
