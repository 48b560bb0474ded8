"""A new flow version never hurts a live application (issue 11 E), end to end on SQLite and PostgreSQL.

For each of four real edits of flows/teacher_registration.yaml (a comment, a new required field,
a removed option, a removed status) a submitted application and a draft at step 7 exist; the
edited flow is published as `shenbao publish` does; then, on the running app (no restart), the
applicant's dashboard and edit page, the staff page and the draft go on exactly as the diff
announced: drafts and applications keep the version they started under, new applicants get the
new one, a comment edit changes nothing for anybody.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shenbao.publishing import publish
from store import flow_versions
from staffsupport import AT_JINXIU, AT_JINXIU_2, applicant_dashboard, applied, bring_to, make_staff, staff_browser
from versionedits import BUMP, ORIGINAL, VERSION, flow_file, without_status
from webjourney import NEW, next_step, title, walk_to
from websupport import text_of

MOBILE = "          - {id: mobile, type: text, label: field.mobile.label, normalize: [nfkc, trim], " \
         "rules: {required: true, mobile: true}}\n"
EXTRA = "          - {id: teaching_years, type: text, label: field.major.label, rules: {required: true, maxlength: 2}}\n"


EDITS = {
    # edit → (the edited text, the impact the diff must announce, a version is recorded)
    "comment": (ORIGINAL.replace("flow:\n", "# 政策处：只改了一句注释\nflow:\n", 1), "publish.unchanged", False),
    "required_field": (ORIGINAL.replace(*BUMP).replace(MOBILE, MOBILE + EXTRA), "diff.field_added_required", True),
    "removed_option": (ORIGINAL.replace(*BUMP).replace("          - {value: decline, label: option.decline}\n", ""),
                       "diff.option_removed", True),
    "removed_status": (without_status(ORIGINAL.replace(*BUMP), "materials_incomplete"), "diff.status_removed", True),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_publish__edit__draft_at_step_7_and_submitted_application_carry_on(edit, tmp_path, new_browser, clock,
                                                                          web, store):
    from shenbao.flows import read_flow

    text, announced, recorded = EDITS[edit]
    make_staff(store)
    submitted = applied(new_browser, clock, web, store, AT_JINXIU)
    if edit == "removed_status":
        submitted = bring_to(store, submitted, "materials_incomplete")
    draft = new_browser()
    walk_to(draft, clock, web, AT_JINXIU_2, "application")                  # a draft at step 7
    old = web.flow

    edited = read_flow(flow_file(tmp_path, text))
    code, lines = publish(store, edited, text, web.catalog, datetime.now(timezone.utc))
    wording = web.catalog.text(announced, **_params(announced))
    assert code == 0 and any(wording in line for line in lines), lines
    assert (flow_versions.live(store, old.id).digest != old.digest) == recorded
    assert (edited.digest == old.digest) == (edit == "comment")

    web.flows.refresh = 0                                                  # the next request looks again
    # The submitted application: dashboard, edit page and staff page work under its own version.
    dashboard = applicant_dashboard(new_browser, AT_JINXIU)
    assert web.t(old.statuses[submitted.status].message) in text_of(dashboard.html)
    assert dashboard.get("/account/edit", status="*").status_int in (200, 403)
    staff = staff_browser(new_browser, "admin")
    staff.get(f"/staff/applications/{submitted.id}")
    assert AT_JINXIU.name in text_of(staff.html)
    assert web.flow.digest == edited.digest

    # The draft finishes under the version it started with.
    next_step(draft, AT_JINXIU_2, "application")
    assert draft.h1 == title(web, "done"), (draft.summary(), draft.field_errors())
    made = store.find_application(values={"cert_no": AT_JINXIU_2.cert_no})
    assert made is not None and made.flow_digest == old.digest

    # A new applicant gets the new version.
    fresh = new_browser()
    walk_to(fresh, clock, web, NEW, "application")
    if edit == "required_field":
        assert 'name="teaching_years"' in fresh.html


def _params(key: str) -> dict[str, str]:
    return {"publish.unchanged": {"version": VERSION}, "diff.field_added_required": {"field_label": "field.major.label",
                                                           "step_label": "step.application.title"},
            "diff.option_removed": {"field_label": "field.accept_terms.label", "step_label": "step.terms.title",
                                    "option_label": "option.decline"},
            "diff.status_removed": {"status_label": "status.materials_incomplete",
                                    "status": "materials_incomplete"}}[key]


def test_publish__breaking_change_same_version__refused_and_nothing_recorded(tmp_path, web, store):
    from shenbao.flows import read_flow

    text = ORIGINAL.replace(MOBILE, MOBILE + EXTRA)                        # version name not changed
    edited = read_flow(flow_file(tmp_path, text))
    code, lines = publish(store, edited, text, web.catalog, datetime.now(timezone.utc))
    assert code == 1 and lines[-1] == web.t("publish.refused", reason=web.t("diff.breaking_same_version"))
    assert flow_versions.live(store, edited.id).digest == web.flow.digest


def test_diff_command__with_database__counts_and_exit_code(tmp_path, new_browser, clock, web, store, database,
                                                           capsys):
    import argparse

    from commands.diff import run_diff

    if database.kind != "sqlite":
        pytest.skip("the command opens the database by URL; the PostgreSQL test schema is set per connection")
    applied(new_browser, clock, web, store, AT_JINXIU)
    walk_to(new_browser(), clock, web, AT_JINXIU_2, "application")
    same = flow_file(tmp_path, ORIGINAL.replace(MOBILE, MOBILE + EXTRA))
    code = run_diff(argparse.Namespace(flows=[str(same)], database=database.url))
    out = capsys.readouterr().out.splitlines()
    field = web.t("diff.field_added_required", field_label="field.major.label", step_label="step.application.title")
    made = sum(1 for digest, _, _ in flow_versions.application_digests(store, web.flow.id) if digest == web.flow.digest)
    assert code == 1 and made >= 2  # the demo's applications and this one
    assert out == [web.t("diff.header", flow="teacher_registration", old=VERSION, new=VERSION, count=2),
                   f"[{web.t('diff.impact.submitted')}] {field}",
                   web.t("diff.counts", drafts=1, applications=made),
                   f"[{web.t('diff.impact.submitted')}] " + web.t("diff.status_edit", status_label="status.submitted",
                                                                  status="submitted"),
                   web.t("diff.counts", drafts=0, applications=made),
                   web.t("diff.breaking_same_version")]


def test_status_the_flow_no_longer_has__pages_work_no_500(new_browser, clock, web, store):
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    store.update_application(app.id, app.row_version, status="withdrawn")    # e.g. left by an old migration
    dashboard = applicant_dashboard(new_browser, AT_JINXIU)
    assert web.t("web.account.status_unknown") in text_of(dashboard.html)
    assert dashboard.get("/account/edit", status="*").status_int == 403
    staff = staff_browser(new_browser, "admin")
    staff.get(f"/staff/applications/{app.id}")
    assert AT_JINXIU.name in text_of(staff.html)


def test_document__application_of_an_older_version__drawn_with_its_own_layout(tmp_path, app, new_browser, clock,
                                                                              web, store):
    from renderers.web.documents import documents_of
    from shenbao.flows import read_flow

    before = applied(new_browser, clock, web, store, AT_JINXIU)
    text = ORIGINAL.replace(*BUMP).replace(MOBILE, MOBILE + EXTRA).replace(
        "          - mobile\n", "          - mobile\n          - {value: teaching_years, label: field.major.label}\n", 1)
    edited = read_flow(flow_file(tmp_path, text))
    assert publish(store, edited, text, web.catalog, datetime.now(timezone.utc))[0] == 0
    web.flows.refresh = 0
    web.flow = web.flows.live()
    documents = documents_of(app)
    documents.flow = edited                                    # as after a restart on the new version

    def refs() -> list[str]:
        return [cell.ref for section in documents.view(before).sections for row in section.rows for cell in row]

    assert "mobile" in refs() and "teaching_years" not in refs()  # drawn with the layout it was made under
    documents.flow_of = None
    assert "teaching_years" in refs()                          # without versions: a blank cell it never had


# A version that lets admin register a submitted application directly (one more transition).
DIRECT = "      - {to: confirmed, roles: [point_operator, admin]}\n"
WITH_DIRECT = ORIGINAL.replace(*BUMP).replace(DIRECT, DIRECT + "      - {to: registered, roles: [admin]}\n", 1)


def test_staff_page__each_application_under_its_own_version__moves_of_that_version(tmp_path, new_browser, clock,
                                                                                  web, store):
    """Published without a restart: the staff page of an application made before offers the moves of
    its version, one made after those of the new version, and a move follows the application's version."""
    from shenbao.flows import read_flow

    assert WITH_DIRECT != ORIGINAL.replace(*BUMP), "the transition this test adds is no longer in the flow"
    make_staff(store)
    before = applied(new_browser, clock, web, store, AT_JINXIU)
    edited = read_flow(flow_file(tmp_path, WITH_DIRECT))
    code, lines = publish(store, edited, WITH_DIRECT, web.catalog, datetime.now(timezone.utc))
    assert code == 0, lines
    web.flows.refresh = 0                                                  # the next request looks again
    after = applied(new_browser, clock, web, store, AT_JINXIU_2)
    assert (before.flow_digest, after.flow_digest) == (web.flow_of(before.flow_digest).digest, edited.digest)

    staff = staff_browser(new_browser, "admin")
    offered = 'name="to" value="registered"'
    staff.get(f"/staff/applications/{before.id}")
    assert AT_JINXIU.name in text_of(staff.html) and offered not in staff.html
    staff.get(f"/staff/applications/{after.id}")
    assert AT_JINXIU_2.name in text_of(staff.html) and offered in staff.html

    staff.post(f"/staff/applications/{before.id}/status", {"to": "registered", "row_version": before.row_version},
               status=403)                                                 # not a move of its version
    staff.post(f"/staff/applications/{after.id}/status", {"to": "registered", "row_version": after.row_version})
    assert store.get_application(after.id).status == "registered"
    assert store.get_application(before.id).status == before.status


def test_login_and_forgot_pages__follow_a_published_version_without_restart(tmp_path, new_browser, clock, web, store):
    """A version that renames the certificate field's label reaches 登录 and 找回密码 from the next
    request on, as every other page does (they ask the live version's identity fields)."""
    from shenbao.flows import read_flow
    from versionedits import edited_catalog

    old_label = web.t("field.cert_no.label")
    new_label = "教师资格证编号（证书右上角）"
    text = ORIGINAL.replace(*BUMP).replace("label: field.cert_no.label", "label: field.cert_no.label_2026", 1)
    catalog = edited_catalog(web.catalog, {"field.cert_no.label_2026": new_label})
    edited = read_flow(flow_file(tmp_path, text), message_keys=catalog.messages.keys())
    b = new_browser()
    b.get("/login")
    assert old_label in text_of(b.html)                                # the pages are made before the publish
    assert publish(store, edited, text, catalog, datetime.now(timezone.utc))[0] == 0
    web.flows.refresh = 0                                              # the next request looks again
    for page in ("/login", "/password/forgot"):
        b.get(page)
        shown = text_of(b.html)
        assert new_label in shown and old_label not in shown, page
    b.get("/login")
    assert web.t("web.login.intro", fields=web.t("web.separator").join([web.t("field.id_no.label"), new_label])) \
        in text_of(b.html)


def test_document__file_name__from_the_title_of_the_applications_own_version(tmp_path, app, new_browser, clock,
                                                                             web, store):
    """A version that renames the form: an application made under it downloads a file named by
    the new title while the service runs on (no restart), and one made before keeps its own
    version's name after a restart on the new version (the file is that version's form)."""
    from urllib.parse import quote

    from renderers.web.documents import documents_of
    from shenbao.flows import read_flow
    from versionedits import edited_catalog
    from webjourney import Person, login

    old_title = web.t("document.application_form.title")
    new_title = "教师资格定期注册申请表（2027年版）"
    before = applied(new_browser, clock, web, store, AT_JINXIU)
    text = ORIGINAL.replace(*BUMP).replace("title: document.application_form.title",
                                           "title: document.application_form.title_2027", 1)
    catalog = edited_catalog(web.catalog, {"document.application_form.title_2027": new_title})
    edited = read_flow(flow_file(tmp_path, text), message_keys=catalog.messages.keys())
    assert publish(store, edited, text, catalog, datetime.now(timezone.utc))[0] == 0
    web.flows.refresh = 0
    later = Person("李喆", "20133210631017045", "320106199002140752", email="lizhe@126.com")
    made = applied(new_browser, clock, web, store, later)
    assert made.flow_digest == edited.digest
    b = new_browser()
    login(b, later)
    b.get("/application/form")
    response = b.post("/application/form", {"format": "html"})
    assert quote(f"{new_title}-{made.application_no}.html", safe="") in response.headers["Content-Disposition"]
    documents = documents_of(app)
    documents.flow = edited                                    # as after a restart on the new version
    assert documents.filenames(before, "pdf")[0] == f"{old_title}-{before.application_no}.pdf"
    assert documents.filenames(made, "pdf")[0] == f"{new_title}-{made.application_no}.pdf"


def test_stored_version_this_code_cannot_read__unknown_and_read_only_once(web, store, monkeypatch):
    """A version published under other code that read it differently is unknown here; it is read
    and checked once, not again on every page of its applications (about 0.5 s each time)."""
    import shenbao.flowversions as module

    reads = []
    real = module.parse_version
    monkeypatch.setattr(module, "parse_version", lambda *args: reads.append(args) or real(*args))
    digest = "f" * 64
    flow_versions.publish(store, flow_id="retired_flow", version="1", digest=digest, text="flow: [unclosed",
                          at=datetime.now(timezone.utc))
    assert [web.flows.of(digest) for _ in range(3)] == [None, None, None]
    assert len(reads) == 1
