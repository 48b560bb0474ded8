"""The staff list in keyset pages (?before=/?after= an id, never an OFFSET): following the
next links shows every application in scope exactly once, newest first, and the previous
links walk back to the first page."""
from __future__ import annotations

import re

import renderers.web.staff.queue as queue
from staffsupport import AT_JINXIU, applied, clone, make_staff, staff_browser


def shown_ids(html: str) -> list[int]:
    return [int(i) for i in dict.fromkeys(re.findall(r'href="/staff/applications/(\d+)"', html))]


def link(html: str, label: str) -> str | None:
    found = re.search(r'href="(/staff/applications\?[^"]*)">' + re.escape(label) + "<", html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_list_pages__next_then_previous__every_application_once(new_browser, clock, web, store, monkeypatch):
    monkeypatch.setattr(queue, "PAGE", 2)
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    for n in range(4):
        clone(store, app, n)
    expected = [a.id for a in store.search_applications(limit=1000)]
    assert len(expected) >= 5
    b = staff_browser(new_browser, "admin")
    b.get("/staff/applications")
    pages = [shown_ids(b.html)]
    assert link(b.html, web.t("staff.list.prev")) is None
    while (after := link(b.html, web.t("staff.list.next"))) is not None:
        assert "before=" in after and "page=" not in after
        b.get(after)
        pages.append(shown_ids(b.html))
    assert [i for p in pages for i in p] == expected and all(len(p) == 2 for p in pages[:-1])
    back = [pages[-1]]
    while (before := link(b.html, web.t("staff.list.prev"))) is not None:
        assert "after=" in before
        b.get(before)
        back.insert(0, shown_ids(b.html))
    assert back == pages
