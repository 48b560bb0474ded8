"""选错了注册机构: the point says so, the applicant picks another agency and point, and the
same application moves to the new agency's and point's queue in 等待现场确认 (and out of
the old ones), where the new point can confirm it."""
from __future__ import annotations

import re

from webjourney import city_of
from staffsupport import AT_JINXIU, applicant_dashboard, applied, buttons, make_staff, move, staff_browser


def test_wrong_agency__applicant_corrects__application_in_the_new_queue(new_browser, clock, web, store):
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    op = staff_browser(new_browser, "jinxiu")
    move(op, app, "wrong_agency")
    seen = applicant_dashboard(new_browser, AT_JINXIU)
    assert web.t("status.wrong_agency") in seen.text
    seen.get("/account/edit")
    form = next(f for f in seen.page.forms.values() if f.action == "/account/edit" and f.id is None)
    form["city"] = city_of("sh_pudong")          # the agencies offered are those of the city chosen
    seen.page = form.submit()
    form = next(f for f in seen.page.forms.values() if f.action == "/account/edit" and f.id is None)
    form["agency"] = "sh_pudong"
    seen.page = form.submit()
    form = next(f for f in seen.page.forms.values() if f.action == "/account/edit" and f.id is None)
    form["point"] = re.search(r'name="point" value="(sh_pudong_east)"', seen.html).group(1)
    seen.page = form.submit()
    assert web.t("web.edit.saved") in seen.text
    moved = store.get_application(app.id)
    assert (moved.id, moved.status, moved.values.get("agency"), moved.values.get("point")) == (app.id, "submitted", "sh_pudong", "sh_pudong_east")

    for username in ("pudong-east", "pudong", "admin"):
        b = staff_browser(new_browser, username)
        b.get("/staff/applications?status=submitted")
        assert app.application_no in b.text, username
    for username in ("jinxiu", "haidian"):
        b = staff_browser(new_browser, username)
        b.get(f"/staff/applications/{app.id}", status=404)
        assert app.application_no not in b.get("/staff/applications").text
    east = staff_browser(new_browser, "pudong-east")
    east.get(f"/staff/applications/{app.id}")
    assert buttons(east) == ["confirmed", "materials_incomplete", "wrong_agency"]
    move(east, moved, "confirmed")
    assert store.get_application(app.id).status == "confirmed"
    trail = [(e.action, e.actor, e.from_status, e.to_status) for e in store.audit_for(app.id)
             if e.action != "login"]  # sign-ins are audited too
    assert trail[1:] == [("transition", "staff:jinxiu", "submitted", "wrong_agency"),
                         ("amend", "applicant", "wrong_agency", "submitted"),
                         ("transition", "staff:pudong-east", "submitted", "confirmed")]
