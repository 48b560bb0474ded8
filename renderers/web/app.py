"""The application factory: `make_app(settings) -> bottle.Bottle`.

Builds the one `Web` context (flow, store, catalogue, clock, templates, mailer), installs
the security hooks, then each route module's `install(app, web)`, the staff side
(`renderers/web/staff/`) last. Opening the store
migrates it (idempotent) and registers the flow's datasets; it loads no data.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Mapping

import bottle

from shenbao.applications import tallied
from shenbao.catalog import Catalog, load_catalog
from shenbao.documents import Printer
from shenbao.flows import read_flow
from shenbao.flowversions import FlowVersions
from shenbao.mail import MailConfig, Mailer
from shenbao.settings import Settings, load_settings
from store import Store

from . import account, captcha, display, documents, help, home, password, security, staff, wizard
from .sessions import csrf_token
from .context import STATIC, Clock, SteadyRows, Web, make_env, make_tz, system_clock

ROUTES = (home, help, display, captcha, wizard, account, password, documents, staff)  # each has install(app, web)


def open_store(settings: Settings) -> Store:
    store = Store.open(settings.database_url)
    store.migrate()
    return store


Printers = Callable[[Catalog], Mapping[str, Printer]]


def make_web(settings: Settings, clock: Clock | None = None, store: Store | None = None,
             printers: Printers | None = None, catalog: Catalog | None = None) -> Web:
    started = read_flow(settings.flow_file)
    store = store or open_store(settings)
    flows = FlowVersions(store, started, Path(settings.flow_file).read_text(encoding="utf-8"),
                         catalog=catalog or load_catalog())
    flow = flows.live()
    if flow.digest != started.digest:
        logging.getLogger(__name__).warning(
            "serving the published version %s of flow %s; %s differs from it: `shenbao publish` it to serve it",
            flow.version, flow.id, settings.flow_file)
    store.sync_datasets(flow.datasets, flow.lookup_index_columns())
    store.sync_tallies(tallied(flow))   # the staff counts by the answers roles bind through
    catalog = flows.catalog_for().for_flow(flow)  # with the product texts the flow replaces (`flow.texts`)
    clock = clock or system_clock
    mailer = Mailer(store, mail_config(settings), clock)
    return Web(settings, flow, store, catalog, clock, make_env(catalog), mailer, make_tz(settings.timezone),
               SteadyRows(store), csrf_token, flows, printers(catalog) if printers is not None else {})


def mail_config(settings: Settings) -> MailConfig:
    return MailConfig(settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password,
                      settings.smtp_tls, settings.mail_from, settings.mail_timeout, settings.outbox_dir)


def make_app(settings: Settings | None = None, *, clock: Clock | None = None, store: Store | None = None,
             printers: Printers | None = None, catalog: Catalog | None = None) -> bottle.Bottle:
    """`printers(catalog)` gives the formats the application form downloads in (the
    composition root passes renderers.pdf.printers); without it there is no download.
    `catalog` is the catalogue the service starts with (default locales/zh_CN): published with the
    first version, and the texts no published catalogue has (see shenbao.flowversions)."""
    settings = settings or load_settings()
    web = make_web(settings, clock, store, printers, catalog)
    app = security.Application()
    app.unit = web.store.unit
    app.config["shenbao.web"] = web
    security.install(app, web)
    app.add_hook("before_request", lambda: _live_flow(web))
    app.route("/static/<path:path>", "GET", static)
    for routes in ROUTES:
        routes.install(app, web)
    return app


def _live_flow(web: Web) -> None:
    """A version or a text fix published with `shenbao publish` is served from the next request on
    (no restart)."""
    if web.flows is not None:
        web.flow = web.flows.live()
        web.catalog = web.flows.catalog_for().for_flow(web.flow)


def static(path: str) -> object:
    found = bottle.static_file(path, root=str(STATIC))
    if isinstance(found, bottle.HTTPError):  # outside the folder (403) or missing: not found either way
        raise bottle.HTTPError(404)
    return found


def web_of(app: bottle.Bottle) -> Web:
    return app.config["shenbao.web"]


def housekeeping(web: Web) -> tuple[Any, ...]:
    """Chores for the background thread: drop expired sessions, drafts and throttle rows."""
    settings = web.settings

    def purge() -> None:
        now = web.now()
        web.store.purge_sessions(now, timedelta(minutes=settings.session_idle_minutes),
                                 timedelta(hours=settings.session_absolute_hours))
        web.store.purge_drafts(now - max(timedelta(minutes=settings.draft_idle_minutes),
                                         timedelta(hours=settings.draft_keep_hours)))
        web.store.purge_failures(now - timedelta(days=1))

    return (purge,)


logging.getLogger("shenbao").addHandler(logging.NullHandler())
