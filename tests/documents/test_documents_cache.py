"""The stored file: served again without drawing, made anew for every new version of the
application (a modification, a status change, a changed agency or point row), made ahead
of the click by the warmer, and deterministic per version."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from docsupport import WANG, application_of, download, pdftotext, signed_in
from renderers.web.documents import documents_of, start_warmer
from shenbao.documents import changed
from store import documents as stored
from webjourney import LI, set_status


@pytest.fixture
def wang(new_browser, clock, web):
    return signed_in(new_browser, clock, web, WANG, "10.2.0.1")


@pytest.fixture
def documents(app):
    made = documents_of(app)
    made.ttl = 0.0  # see dataset changes at once (the default follows the store's row cache)
    return made


def test_second_download__served_from_the_store_without_drawing(wang, drawn):
    first = download(wang, "pdf").body
    second = download(wang, "pdf").body
    assert drawn.calls == ["pdf"]
    assert second == first


def test_formats__stored_separately(wang, drawn):
    download(wang, "pdf")
    download(wang, "html")
    download(wang, "html")
    download(wang, "pdf")
    assert drawn.calls == ["pdf", "html"]


def test_modification__new_row_version__drawn_again_with_the_change(wang, store, drawn):
    before = pdftotext(download(wang, "pdf").body)
    saved = application_of(store, WANG)
    answers = {**saved.answers, "mobile": "13800009999"}
    store.update_application(saved.id, saved.row_version, answers=answers)
    after = pdftotext(download(wang, "pdf").body)
    assert drawn.calls == ["pdf", "pdf"]
    assert "13912345678" in before and "13800009999" in after and "13912345678" not in after
    download(wang, "pdf")
    assert drawn.count("pdf") == 2


def test_status_change__drawn_again(wang, store, drawn, web):
    download(wang, "pdf")
    set_status(store, WANG, "confirmed")
    download(wang, "pdf")
    assert drawn.count("pdf") == 2


@pytest.fixture
def moved_point(store):
    """The point's address changes (and changes back: PostgreSQL tests share reference data)."""
    key = {"code": "bj_haidian_jinxiu"}
    before = store.rows("points", key)[0]["address"]
    yield lambda: store.update_row("points", key, {"address": "北京市海淀区新址路1号"})
    store.update_row("points", key, {"address": before})


def test_point_row_changed__drawn_again_with_the_new_address(wang, store, drawn, documents, moved_point):
    download(wang, "pdf")
    moved_point()
    text = pdftotext(download(wang, "pdf").body)
    assert drawn.count("pdf") == 2
    assert "北京市海淀区新址路1号" in text


def test_same_version__drawn_twice__same_bytes(wang, store, documents):
    saved = application_of(store, WANG)
    assert documents.render(saved, "pdf") == documents.render(saved, "pdf")
    assert documents.render(saved, "html") == documents.render(saved, "html")


def test_version_key__row_version_flow_and_build(wang, store, documents, web):
    saved = application_of(store, WANG)
    row_version, digest, build = documents.version_key(saved).split(":")
    assert row_version == str(saved.row_version)
    assert web.flow.digest.startswith(digest)
    assert len(build) == 16


def test_warm__makes_every_stale_document_then_downloads_are_hits(wang, new_browser, clock, web, store, drawn,
                                                                  documents):
    signed_in(new_browser, clock, web, LI, "10.2.0.2")
    stale_before = documents.stale_counts()
    assert stale_before["pdf"] >= 2 and stale_before["html"] >= 2
    made = documents.warm(web.now)
    assert made == stale_before["pdf"] + stale_before["html"]
    assert documents.stale_counts() == {"pdf": 0, "html": 0}
    assert documents.warm(web.now) == 0
    calls = len(drawn.calls)
    download(wang, "pdf")
    download(wang, "html")
    assert len(drawn.calls) == calls


def test_warm__two_workers_at_once__each_document_made_once(wang, new_browser, clock, web, store, database,
                                                           documents, drawn):
    import threading

    from shenbao.documents import Documents

    signed_in(new_browser, clock, web, LI, "10.2.0.4")
    stale = sum(documents.stale_counts().values())
    other_store = database.open()   # a second worker: its own connections
    other_store.sync_datasets(web.flow.datasets, web.flow.lookup_index_columns())
    try:
        other = Documents(web.flow, other_store, web.catalog, web.tz, documents.printers)
        made: list[int] = []
        workers = [threading.Thread(target=lambda d=d: made.append(d.warm(web.now))) for d in (documents, other)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        other_store.close()
    assert sum(made) == len(drawn.calls) == stale
    assert documents.stale_counts() == {"pdf": 0, "html": 0}


def test_warm__limit_respected(wang, store, documents, web):
    assert documents.warm(web.now, limit=1) == 1


def test_warmer_thread__nudged_after_a_change__stores_it(wang, app, web, store, documents, drawn):
    saved = application_of(store, WANG)
    store.update_application(saved.id, saved.row_version, answers={**saved.answers, "mobile": "13800001111"})
    warmer = start_warmer(app, interval=3600)
    try:
        changed(store, saved.id)
        latest = application_of(store, WANG)
        key = documents.version_key(latest)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(
                stored.get(store, latest.id, fmt, key) for fmt in documents.formats):
            time.sleep(0.1)
    finally:
        warmer.stop(timeout=60)
    assert all(stored.get(store, latest.id, fmt, key) for fmt in documents.formats)
    calls = len(drawn.calls)
    assert "13800001111" in pdftotext(download(wang, "pdf").body)
    assert len(drawn.calls) == calls


def test_changed__without_a_warmer__does_nothing(store):
    changed(store, 12345)


# -- the store's part: leases and stale lists ------------------------------------------------

def test_claim__one_worker_per_version_until_the_lease_ends(wang, store, web):
    saved = application_of(store, WANG)
    now, lease = web.now(), timedelta(minutes=2)
    assert stored.claim(store, saved.id, "pdf", "1:a", now, lease)
    assert not stored.claim(store, saved.id, "pdf", "1:a", now, lease)            # another worker
    assert stored.claim(store, saved.id, "pdf", "2:a", now, lease)                # a newer version
    assert stored.claim(store, saved.id, "pdf", "2:a", now + lease * 2, lease)    # lease ran out
    assert stored.put(store, saved.id, "pdf", "2:a", b"%PDF-x", "application/pdf", now)
    assert not stored.claim(store, saved.id, "pdf", "2:a", now, lease)            # already made
    assert stored.get(store, saved.id, "pdf", "2:a").content == b"%PDF-x"
    assert stored.get(store, saved.id, "pdf", "1:a") is None
    assert not stored.claim(store, 10**9, "pdf", "1:a", now, lease)               # no such application


def test_stale__claimed_ones_left_out_newest_first(wang, new_browser, clock, web, store):
    signed_in(new_browser, clock, web, LI, "10.2.0.3")
    wang_app, li_app = application_of(store, WANG), application_of(store, LI)
    suffix = ":x"
    ids = stored.stale(store, "pdf", suffix, web.now())
    assert ids.index(li_app.id) < ids.index(wang_app.id)
    stored.claim(store, li_app.id, "pdf", f"{li_app.row_version}{suffix}", web.now(), timedelta(minutes=2))
    assert li_app.id not in stored.stale(store, "pdf", suffix, web.now())
    stored.put(store, wang_app.id, "pdf", f"{wang_app.row_version}{suffix}", b"x", "application/pdf", web.now())
    assert wang_app.id not in stored.stale(store, "pdf", suffix, web.now())
    assert wang_app.id in stored.stale(store, "pdf", ":other", web.now())
