"""Approval (issue 22): with NEWSBOT_REQUIRE_APPROVAL a render is a draft whose push is one "draft
ready" line and which `scrapy publish` leaves out; approving pushes the edited day and marks it;
an edit after approval makes it a draft again, and the new approval pushes only the changed entries,
marked 更正. Without the setting nothing changes."""

from __future__ import annotations

import json

import pytest

from newsbot.archive.stored import stored_days
from newsbot.report.daily import publish_day, push_published
from newsbot.report.review import approve_day
from newsbot.storage.edits import day_version, save_edit
from tests.ops.conftest import LocalHTTPServer
from tests.report.conftest import day_settings
from tests.report.factory import DAY, seed_like_day

TOKEN = "tok0123456789secret"


@pytest.fixture
def hook(monkeypatch):
    server = LocalHTTPServer(lambda request: (200, {"Content-Type": "application/json"}, '{"errcode": 0}'))
    monkeypatch.setenv("NEWSBOT_WECOM_URL", f"{server.url}/cgi-bin/webhook/send?key={TOKEN}")
    yield server
    server.close()


def settings_for(mongo_uri, db_name, tmp_path, **extra):
    return day_settings(
        MONGO_URI=mongo_uri,
        MONGO_DATABASE=db_name,
        NEWSBOT_OUTPUT_DIR=str(tmp_path / "reports"),
        NEWSBOT_CHANNELS=json.dumps({"wecom": {"type": "wecom"}}),
        NEWSBOT_PUSH_RETRIES="0",
        NEWSBOT_PUSH_ALERTS="False",
        **extra,
    )


def site_days(db, tmp_path) -> list[str]:
    return [d.date for d in stored_days(db, tmp_path / "reports")]


def pushed_texts(hook) -> list[str]:
    return [r.json()["markdown"]["content"] if "markdown" in r.json() else json.dumps(r.json()) for r in hook.requests]


def test_draft_then_approval_then_correction(mongo_db, mongo_uri, db_name, tmp_path, hook):
    mongo_db.articles.insert_many(seed_like_day())
    settings = settings_for(mongo_uri, db_name, tmp_path, NEWSBOT_REQUIRE_APPROVAL="True")
    published = publish_day(settings)
    assert published.awaiting_approval
    assert mongo_db.reports.find_one({"date": DAY})["status"] == "draft"
    assert push_published(settings, published).ok
    assert len(hook.requests) == 1 and "草稿已就绪" in json.dumps(hook.requests[0].json(), ensure_ascii=False)
    assert DAY not in site_days(mongo_db, tmp_path)

    first = published.report.international[0]
    save_edit(mongo_db, DAY, first["url"], "summary", "编辑改写的摘要。", "ann", 0)
    line, ok = approve_day(settings, "ann")
    assert ok and "已批准" in line
    doc = mongo_db.reports.find_one({"date": DAY})
    assert doc["status"] == "approved" and doc["approved_version"] == day_version(mongo_db, DAY)
    assert DAY in site_days(mongo_db, tmp_path)
    assert "编辑改写的摘要" in pushed_texts(hook)[1]

    # A re-render with no new edit stays approved and keeps the edit.
    again = publish_day(settings)
    assert not again.awaiting_approval and mongo_db.reports.find_one({"date": DAY})["status"] == "approved"
    assert again.report.international[0]["summary"] == "编辑改写的摘要。"

    # An edit after approval: a draft again, and the new approval pushes only that entry, marked 更正.
    second = published.report.international[1]
    save_edit(mongo_db, DAY, second["url"], "reason", "编辑补充的理由。", "ann", day_version(mongo_db, DAY))
    assert publish_day(settings).awaiting_approval
    line, ok = approve_day(settings, "ann")
    assert ok and "更正" in line
    correction = pushed_texts(hook)[-1]
    assert "【更正】" in correction and second["title"] in correction and first["title"] not in correction


def test_without_the_setting_nothing_waits(mongo_db, mongo_uri, db_name, tmp_path, hook):
    mongo_db.articles.insert_many(seed_like_day())
    settings = settings_for(mongo_uri, db_name, tmp_path)
    published = publish_day(settings)
    assert not published.awaiting_approval and "status" not in mongo_db.reports.find_one({"date": DAY})
    assert push_published(settings, published).ok
    assert "草稿" not in json.dumps(hook.requests[0].json(), ensure_ascii=False)


def test_a_day_sent_before_approval_was_switched_on_stays_published(
    mongo_db, mongo_uri, db_name, tmp_path, hook, scrapy_runner
):
    mongo_db.articles.insert_many(seed_like_day())
    off = settings_for(mongo_uri, db_name, tmp_path)
    sent = publish_day(off)
    assert push_published(off, sent).ok

    # Approval switched on: re-rendering the day that already went out leaves it published.
    on = settings_for(mongo_uri, db_name, tmp_path, NEWSBOT_REQUIRE_APPROVAL="True")
    again = publish_day(on)
    assert not again.awaiting_approval and "status" not in mongo_db.reports.find_one({"date": DAY})
    site = tmp_path / "site"
    proc = scrapy_runner(
        "publish",
        "--output-dir",
        str(site),
        "--site-url",
        "https://news.example.org/ai/",
        NEWSBOT_REQUIRE_APPROVAL="True",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (site / DAY / "index.html").is_file()
    assert f"ai-daily/{DAY}" in (site / "feed.xml").read_text(encoding="utf-8")
    assert push_published(on, again).ok and "草稿" not in pushed_texts(hook)[-1]

    # An edit after it went out waits for an approval, which pushes only what changed since, as 更正.
    first, second = again.report.international[0], again.report.international[1]
    save_edit(mongo_db, DAY, first["url"], "summary", "发出后编辑改写的摘要。", "ann", 0)
    assert publish_day(on).awaiting_approval
    assert DAY not in site_days(mongo_db, tmp_path)
    line, ok = approve_day(on, "ann")
    assert ok and "更正" in line
    correction = pushed_texts(hook)[-1]
    assert "【更正】" in correction and "发出后编辑改写的摘要" in correction and second["title"] not in correction
    assert DAY in site_days(mongo_db, tmp_path)


def test_approving_a_day_sent_before_approval_does_not_send_it_twice(mongo_db, mongo_uri, db_name, tmp_path, hook):
    mongo_db.articles.insert_many(seed_like_day())
    off = settings_for(mongo_uri, db_name, tmp_path)
    assert push_published(off, publish_day(off)).ok
    on = settings_for(mongo_uri, db_name, tmp_path, NEWSBOT_REQUIRE_APPROVAL="True")
    line, ok = approve_day(on, "ann")
    assert ok and "没有改动" in line
    assert len(hook.requests) == 1
    assert mongo_db.reports.find_one({"date": DAY})["status"] == "approved" and DAY in site_days(mongo_db, tmp_path)
