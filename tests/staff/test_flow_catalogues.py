"""Every published flow version keeps the message catalogue it was published with, and a text fix
reaches applicants the way a flow version does (issue 11 E), end to end on SQLite and PostgreSQL.

- a text fix alone (the flow unchanged) is published as 安全 and becomes the live version's
  catalogue: the running app shows it from the next request on, no restart, and nobody's draft or
  application changes version;
- an application of an older version whose key the live catalogue no longer has (a removed status
  and its text) is shown with the text of its own version's catalogue, even after a restart with
  the edited catalogue: never a bracketed key, a KeyError or a 500;
- `shenbao diff FLOW --database` compares the texts with the stored catalogue, without
  `--old-locale`; for a version published before catalogues were recorded it says so.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from renderers.pdf import printers
from renderers.web.app import make_app, web_of
from shenbao.catalog import Catalog
from shenbao.flowdiff import TEXT_SHOWN
from shenbao.flows import read_flow
from shenbao.publishing import publish
from store import flow_versions
from sqlcount import Counter
from staffsupport import AT_JINXIU, AT_JINXIU_2, applicant_dashboard, applied, bring_to, make_staff, staff_browser
from versionedits import BUMP, ORIGINAL, edited_catalog, flow_file, without_status
from webjourney import WANG, step_answers, title, walk_to
from websupport import Browser, text_of

REMOVED = "materials_incomplete"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _short(text: str) -> str:
    return text if len(text) <= TEXT_SHOWN else text[:TEXT_SHOWN] + "…"


def _safe(catalog: Catalog, key: str, **params: str) -> str:
    return f"[{catalog.text('diff.impact.safe')}] " + catalog.text(key, **params)


def test_publish__text_fix_alone__safe_kept_by_the_live_version_and_served_without_restart(new_browser, clock,
                                                                                          web, store):
    make_staff(store)
    submitted = applied(new_browser, clock, web, store, AT_JINXIU)
    key = web.flow.statuses[submitted.status].message
    old_text = web.t(key)
    new_text = old_text + "（请留意短信通知）"
    fixed = edited_catalog(web.catalog, {key: new_text})
    before = flow_versions.live(store, web.flow.id)

    code, lines = publish(store, web.flow, ORIGINAL, fixed, _now())
    assert code == 0, lines
    assert lines == [web.t("diff.header", flow=web.flow.id, old=web.flow.version, new=web.flow.version, count=1),
                     _safe(web.catalog, "diff.message_changed", message=key, old=_short(old_text),
                           new=_short(new_text)),
                     web.t("publish.texts_done", flow=web.flow.id, version=web.flow.version)]
    after = flow_versions.live(store, web.flow.id)
    assert (after.digest, after.version) == (before.digest, before.version)          # no new flow version
    assert after.catalogue != before.catalogue
    assert flow_versions.stored_messages(store, before.catalogue)[key] == old_text    # the old one is kept
    assert store.get_application(submitted.id).flow_digest == before.digest

    web.flows.refresh = 0                                                  # the next request looks again
    assert new_text in text_of(applicant_dashboard(new_browser, AT_JINXIU).html)
    staff = staff_browser(new_browser, "admin")
    staff.get(f"/staff/applications/{submitted.id}")
    assert new_text in text_of(staff.html)

    again = publish(store, web.flow, ORIGINAL, fixed, _now())           # the same texts: nothing to do
    assert again == (0, [web.t("publish.unchanged", version=web.flow.version)])


def test_publish__text_fix_of_a_page_text__pages_drawn_with_it_from_the_next_request_on(new_browser, clock, web,
                                                                                       store):
    """The pages have their catalogue's fixed texts compiled in (renderers/web/worded.py): a text
    fix gets pages compiled with the new catalogue, not the ones compiled before it."""
    make_staff(store)
    applied(new_browser, clock, web, store, AT_JINXIU)
    shown = {key: web.t(key) for key in ("web.account.status", "web.nav.home")}   # dashboard, layout
    page = text_of(applicant_dashboard(new_browser, AT_JINXIU).html)
    assert all(text in page for text in shown.values())
    fixed = edited_catalog(web.catalog, {key: text + "（修订）" for key, text in shown.items()})
    code, lines = publish(store, web.flow, ORIGINAL, fixed, _now())
    assert code == 0, lines
    web.flows.refresh = 0                                                  # the next request looks again
    page = text_of(applicant_dashboard(new_browser, AT_JINXIU).html)
    assert all(text + "（修订）" in page for text in shown.values())


def test_publish__text_fix_of_a_step_field__next_page_of_that_step_shows_it__wording_never_stale(
        new_browser, clock, web, store):
    """The wizard keeps its per-field wording per flow version and catalogue (issue 10); a text fix
    published while an applicant is on a step shows on the next page of the step."""
    step = next(s for s in web.flow.steps if any(f.options is not None and f.options.static for f in s.fields))
    fld = next(f for f in step.fields if f.options is not None and f.options.static)
    option_key = fld.options.static[0][1]
    old_label, old_option = web.t(fld.label), web.t(option_key)
    browser = new_browser()
    walk_to(browser, clock, web, WANG, step.id)
    browser.get("/apply")                                                  # drawn twice: the wording is kept
    assert old_label in browser.text and old_option in browser.text
    fixed = edited_catalog(web.catalog, {fld.label: old_label + "（修订）", option_key: old_option + "（修订）"})
    code, lines = publish(store, web.flow, ORIGINAL, fixed, _now())
    assert code == 0, lines
    web.flows.refresh = 0                                                  # the next request looks again
    browser.get("/apply")
    assert browser.h1 == title(web, step.id)
    assert old_label + "（修订）" in browser.text and old_option + "（修订）" in browser.text
    browser.post("/apply", {"action": "next"})                             # with errors: the same new wording
    assert browser.summary() and old_label + "（修订）" in browser.text


def _without_removed_status(web, tmp_path: Path) -> tuple[object, str, Catalog]:
    text = without_status(ORIGINAL.replace(*BUMP), REMOVED)
    removed = [web.flow.statuses[REMOVED].message, f"staff.move.{REMOVED}"]
    catalog = edited_catalog(web.catalog, {key: None for key in removed})
    return read_flow(flow_file(tmp_path, text), message_keys=catalog.messages.keys()), text, catalog


def test_removed_status_and_its_text__old_application__shown_with_its_own_versions_text_after_restart(
        tmp_path, new_browser, clock, web, store, settings):
    make_staff(store)
    app = bring_to(store, applied(new_browser, clock, web, store, AT_JINXIU), REMOVED)
    key = web.flow.statuses[REMOVED].message
    shown = web.t(key)
    edited, text, catalog = _without_removed_status(web, tmp_path)
    code, lines = publish(store, edited, text, catalog, _now())
    assert code == 0, lines
    assert _safe(web.catalog, "diff.message_removed", message=key, old=_short(shown)) in lines

    # As after a restart with the edited files: the service starts with the catalogue that lacks the key.
    restarted = make_app(settings, clock=clock, store=store, printers=printers, catalog=catalog)
    restarted.catchall = True
    served = web_of(restarted)
    assert served.flow.digest == edited.digest and not served.catalog.has(key)

    def browsers(**kw: object) -> Browser:
        return Browser(restarted, **kw)

    dashboard = applicant_dashboard(browsers, AT_JINXIU)
    assert shown in text_of(dashboard.html) and f"[{key}]" not in dashboard.html
    staff = staff_browser(browsers, "admin")
    page = staff.get(f"/staff/applications/{app.id}")
    assert page.status_int == 200 and shown in text_of(staff.html) and f"[{key}]" not in staff.html


def test_removed_status__staff_lists__show_its_own_versions_text_one_lookup_per_version(
        tmp_path, new_browser, clock, web, store, settings):
    """The list and the export word a status the live version no longer has as the application's
    page does (its own version's catalogue), and a second such application asks nothing more."""
    make_staff(store)
    first = bring_to(store, applied(new_browser, clock, web, store, AT_JINXIU), REMOVED)
    second = applied(new_browser, clock, web, store, AT_JINXIU_2)
    shown = web.t(web.flow.statuses[REMOVED].message)
    edited, text, catalog = _without_removed_status(web, tmp_path)
    assert publish(store, edited, text, catalog, _now())[0] == 0
    restarted = make_app(settings, clock=clock, store=store, printers=printers, catalog=catalog)
    restarted.catchall = True

    def browsers(**kw: object) -> Browser:
        return Browser(restarted, **kw)

    staff = staff_browser(browsers, "admin")
    staff.get("/staff/applications")
    with Counter(store.db.engine) as counter:
        one = counter.measure(lambda: staff.get("/staff/applications"))
        assert f"<td>{shown}</td>" in staff.html and f">{REMOVED}<" not in staff.html
        assert bring_to(store, second, REMOVED).flow_digest == first.flow_digest
        two = counter.measure(lambda: staff.get("/staff/applications"))
    assert staff.html.count(f"<td>{shown}</td>") == 2
    assert two == one, counter.shown()
    exported = staff.get("/staff/export.csv").body.decode("utf-8-sig")
    assert exported.count(f",{shown},") == 2 and f",{REMOVED}," not in exported


def test_diff_command__database__texts_compared_with_the_stored_catalogue(tmp_path, web, store, database, capsys):
    from commands.diff import run_diff

    if database.kind != "sqlite":
        pytest.skip("the command opens the database by URL; the PostgreSQL test schema is set per connection")
    key = web.flow.statuses["submitted"].message
    locale = tmp_path / "zh_CN"
    locale.mkdir()
    messages = {**web.catalog.messages, key: "已提交，请等待确认机构确认"}
    (locale / "messages.yaml").write_text(yaml.safe_dump(messages, allow_unicode=True), encoding="utf-8")

    code = run_diff(argparse.Namespace(flows=[str(flow_file(tmp_path, ORIGINAL))], database=database.url,
                                       locale=str(locale)))
    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        web.t("diff.header", flow=web.flow.id, old=web.flow.version, new=web.flow.version, count=1),
        _safe(web.catalog, "diff.message_changed", message=key, old=_short(web.t(key)), new=messages[key])]

    code = run_diff(argparse.Namespace(flows=[str(tmp_path / "flows" / "teacher_registration.yaml")],
                                       database=database.url))
    assert (code, capsys.readouterr().out.splitlines()) == (0, [web.t("diff.none")])   # the shipped texts


def _forget_catalogue(store, digest: str) -> None:
    """As for a version published before catalogues were recorded (migration 0010 leaves them NULL)."""
    table = flow_versions.flow_versions
    store.db.run(lambda conn: conn.execute(sa.update(table).where(table.c.digest == digest).values(catalogue=None)))


def test_diff__live_version_without_a_recorded_catalogue__says_the_texts_cannot_be_compared(web, store):
    from shenbao.flowdiff import against_live

    _forget_catalogue(store, web.flow.digest)
    report = against_live(store, web.flow, web.catalog, web.catalog.messages)
    assert report.text(web.catalog) == [web.t("diff.none_in_flow"),
                                        web.t("diff.messages_unrecorded", version=web.flow.version)]
    assert not report.refused

    code, lines = publish(store, web.flow, ORIGINAL, web.catalog, _now())   # records the texts from now on
    assert code == 0 and lines[-1] == web.t("publish.texts_done", flow=web.flow.id, version=web.flow.version)
    assert flow_versions.stored_messages(store, flow_versions.live(store, web.flow.id).catalogue) \
        == dict(web.catalog.messages)
    assert against_live(store, web.flow, web.catalog, web.catalog.messages).text(web.catalog) == [web.t("diff.none")]


def test_serve__live_version_without_a_recorded_catalogue__serves_the_files_texts(web, store, settings, clock):
    _forget_catalogue(store, web.flow.digest)
    restarted = web_of(make_app(settings, clock=clock, store=store, printers=printers))
    assert dict(restarted.catalog.messages) == dict(web.catalog.messages)
    assert flow_versions.live(store, web.flow.id).catalogue is None              # nothing invented
