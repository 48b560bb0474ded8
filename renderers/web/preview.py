"""`shenbao preview`: the web application on a flow file being edited, for policy staff.

A WSGI wrapper around the ordinary application: on every request it looks at the flow file
(and the catalogue) and, when either was saved since, loads it again; while the file does not
load, every page lists its located problems instead of the application. Every page gets a
small bar: the preview clock (settable, then running), and links that jump to any step with
sample answers (shenbao/scenario_new.py finds them). Local use only: the command binds to
loopback.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import quote

import bottle
from markupsafe import escape

from engine import FlowError, FlowProblem
from shenbao.catalog import load_catalog
from shenbao.flows import read_flow
from shenbao.paths import LOCALES
from shenbao.scenario_new import walk
from shenbao.settings import Settings
from store import Store, flow_versions

from .app import make_app, web_of
from .context import Web, make_env
from .wizard import Wizard

PREFIX = "/__preview"


class PreviewClock:
    """The preview's clock: set to a moment, then running on in real time."""

    def __init__(self, start: datetime):
        self.set(start)

    def set(self, moment: datetime) -> None:
        self.start, self.began = moment, time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


class Preview:
    def __init__(self, settings: Settings, store: Store, clock: PreviewClock):
        self.settings, self.store, self.clock = settings, store, clock
        self.flow_file = Path(settings.flow_file)
        self.stamp: tuple[float, ...] | None = None
        self.app: bottle.Bottle | None = None
        self.problems: list[FlowProblem] = []

    # -- reloading ------------------------------------------------------------------------
    def _stamp(self) -> tuple[float, ...]:
        files = [self.flow_file, LOCALES / "zh_CN" / "messages.yaml"]
        return tuple(f.stat().st_mtime_ns if f.exists() else 0 for f in files)

    def refresh(self) -> None:
        stamp = self._stamp()
        if stamp == self.stamp:
            return
        self.stamp = stamp
        load_catalog.cache_clear()
        try:
            # the saved files are the live version (flow and texts): a throw-away database publishes
            # nothing for anyone, and a draft of an earlier save starts over, as with no versions
            flow_versions.forget(self.store, read_flow(self.flow_file).id)
            app = make_app(self.settings, clock=self.clock, store=self.store)
        except FlowError as exc:
            self.app, self.problems = None, list(exc.problems)
            return
        except OSError as exc:
            self.app, self.problems = None, [FlowProblem(str(self.flow_file), 1, 1, "IO_001",
                                                         f"cannot read the file: {exc.strerror}")]
            return
        install_routes(app, web_of(app), self.clock)
        self.app, self.problems = app, []

    # -- serving ---------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.refresh()
        if self.app is None:
            body = broken_page(self.problems).encode("utf-8")
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                      ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
            return [body]
        web = web_of(self.app)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
            captured.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: None

        chunks = self.app(environ, capture)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        headers = captured["headers"]
        if any(k.lower() == "content-type" and v.startswith("text/html") for k, v in headers):
            body = with_bar(body.decode("utf-8"), web, environ.get("PATH_INFO", "/")).encode("utf-8")
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        start_response(captured["status"], headers, captured["exc_info"])
        return [body]


def with_bar(html: str, web: Web, path: str) -> str:
    """The preview bar, just inside <body>."""
    now = web.local_now()
    steps = " ".join(f'<a href="{PREFIX}/step/{s.id}">{escape(str(i))}</a>'
                     for i, s in enumerate(web.flow.steps, 1) if s.kind != "summary")
    bar = (f'<div class="preview-bar" role="status" style="background:#222;color:#fff;padding:4px 12px;'
           f'font-size:13px">{escape(web.t("preview.bar", now=now.strftime("%Y-%m-%d %H:%M")))} '
           f'<a style="color:#ffd24d" href="{PREFIX}/clock?back={quote(path)}">{escape(web.t("preview.change"))}</a>'
           f' · {escape(web.t("preview.jump"))} <span class="preview-steps">{steps}</span></div>')
    at = html.find("<body")
    if at < 0:
        return bar + html
    end = html.find(">", at) + 1
    return html[:end] + bar + html[end:]


def broken_page(problems: list[FlowProblem]) -> str:
    catalog = load_catalog()
    env = make_env(catalog)
    return env.get_template("preview_broken.html").render(problems=[str(p) for p in problems])


def install_routes(app: bottle.Bottle, web: Web, clock: PreviewClock) -> None:
    @app.get(f"{PREFIX}/clock")
    def set_clock() -> str:
        back = bottle.request.query.get("back") or "/"
        typed = (bottle.request.query.get("at") or "").strip()
        error = ""
        if typed:
            try:
                local = datetime.fromisoformat(typed)
            except ValueError:
                error = web.t("preview.clock.bad", typed=typed)
            else:
                clock.set(local.replace(tzinfo=web.tz) if local.tzinfo is None else local)
                bottle.redirect(back if back.startswith("/") else "/")
        return web.render("preview_clock.html", title=web.t("preview.clock.title"), back=back, error=error,
                          now=web.local_now().strftime("%Y-%m-%d %H:%M"))

    @app.get(f"{PREFIX}/step/<step_id>")
    def jump(step_id: str) -> None:
        ids = [s.id for s in web.flow.steps]
        if step_id not in ids or web.flow.step(step_id).kind == "summary":
            bottle.abort(404)
        before = sum(s.min_read_seconds for s in web.flow.steps[:ids.index(step_id)])
        skeleton = walk(web.flow, web.source, web.local_now() - timedelta(seconds=before), until=step_id)
        if skeleton.run is not None:
            Wizard(web).save(skeleton.run, {})
        bottle.redirect("/apply")
