"""Moving applications to a newer flow version: explicit, one rule per change (issue 11 E)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shenbao.migration import Rules, migrate, plan, read_rules
from shenbao.publishing import publish
from staffsupport import AT_JINXIU, applicant_dashboard, applied, bring_to, make_staff, staff_browser
from versionedits import BUMP, ORIGINAL, flow_file, without_status
from websupport import text_of

NOW = datetime(2027, 3, 1, tzinfo=timezone.utc)


def _publish(tmp_path, web, store, text):
    from shenbao.flows import read_flow

    edited = read_flow(flow_file(tmp_path, text))
    code, lines = publish(store, edited, text, web.catalog, NOW)
    assert code == 0, lines
    return edited


def test_migrate__removed_status__refused_without_a_rule_then_moved_with_one(tmp_path, new_browser, clock, web,
                                                                            store):
    make_staff(store)
    app = bring_to(store, applied(new_browser, clock, web, store, AT_JINXIU), "materials_incomplete")
    old = web.flow
    new = _publish(tmp_path, web, store, without_status(ORIGINAL.replace(*BUMP), "materials_incomplete"))

    [missing] = plan(old, new, Rules())
    assert (missing.code, missing.status) == ("status_removed", "materials_incomplete")
    with pytest.raises(ValueError):
        migrate(store, old, new, Rules(), NOW)
    assert store.get_application(app.id).flow_digest == old.digest        # nothing moved

    rules = read_rules("statuses: {materials_incomplete: submitted}\n")
    assert plan(old, new, rules) == []
    assert migrate(store, old, new, rules, NOW) >= 1
    moved = store.get_application(app.id)
    assert (moved.status, moved.flow_digest, moved.flow_version) == ("submitted", new.digest, new.version)
    assert store.audit_for(app.id)[-1].action == "migrate"

    web.flows.refresh = 0
    dashboard = applicant_dashboard(new_browser, AT_JINXIU)
    assert web.t(new.statuses["submitted"].message) in text_of(dashboard.html)
    staff = staff_browser(new_browser, "admin")
    staff.get(f"/staff/applications/{app.id}")
    assert AT_JINXIU.name in text_of(staff.html)


def test_migrate__removed_option_and_new_required_field__values_from_the_rules(tmp_path, new_browser, clock, web,
                                                                               store):
    from test_flow_versions import EXTRA, MOBILE

    app = applied(new_browser, clock, web, store, AT_JINXIU)
    store.update_application(app.id, app.row_version, answers={**app.answers, "accept_terms": "decline"})
    old = web.flow
    text = ORIGINAL.replace(*BUMP).replace("          - {value: decline, label: option.decline}\n", "") \
        .replace(MOBILE, MOBILE + EXTRA)
    new = _publish(tmp_path, web, store, text)
    assert sorted(c.code for c in plan(old, new, Rules())) == ["field_added_required", "option_removed"]
    assert [c.code for c in plan(old, new, Rules(options={"accept_terms": {"decline": "maybe"}},
                                                 fields={"teaching_years": "5"}))] == ["option_removed"]
    rules = Rules(options={"accept_terms": {"decline": "accept"}}, fields={"teaching_years": "5"})
    migrate(store, old, new, rules, NOW)
    moved = store.get_application(app.id)
    assert moved.answers["accept_terms"] == "accept" and moved.answers["teaching_years"] == "5"
    assert moved.flow_digest == new.digest
