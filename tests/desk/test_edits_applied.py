"""Edits are data (issue 22): a day's corrections stored in `edits` are applied by every render, so a
re-render keeps them; the stored report and its memory carry the edited day; a story that is gone is
a stale edit (a WARNING and a count), not an error; conflicting saves are refused."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from newsbot.report.daily import publish_report
from newsbot.storage.edits import EditConflict, InvalidEdit, day_version, delete_day_edits, save_edit
from newsbot.text.window import report_window
from tests.report.conftest import day_settings
from tests.report.factory import CUTOFF, DAY, START, seed_like_day

NOW = datetime(2026, 2, 4, 0, 52, tzinfo=UTC)


def render(db, out):
    settings = day_settings()
    published = publish_report(settings, db, report_window(settings), out, now=NOW)
    return published, json.loads((out / f"{DAY}.json").read_text(encoding="utf-8"))


def entries(payload):
    return [*payload["domestic"], *payload["international"]]


@pytest.fixture
def day(mongo_db, tmp_path):
    mongo_db.articles.insert_many(seed_like_day())
    _, before = render(mongo_db, tmp_path / "before")
    return mongo_db, tmp_path, before


def test_edits_survive_rerender_in_every_format(day):
    db, tmp, before = day
    first, second = entries(before)[0], entries(before)[1]
    version = save_edit(db, DAY, first["url"], "drop", "not_important", "ann", 0)
    version = save_edit(db, DAY, second["url"], "summary", "编辑改写的摘要<b>", "ann", version)
    save_edit(db, DAY, second["url"], "tags", ["编辑标签"], "ann", version)
    for out in (tmp / "one", tmp / "two"):  # a re-render keeps them
        _, after = render(db, out)
        urls = [e["url"] for e in entries(after)]
        assert first["url"] not in urls
        edited = next(e for e in entries(after) if e["url"] == second["url"])
        assert edited["summary"] == "编辑改写的摘要<b>" and "编辑标签" in edited["tags"]
        assert after["stats"]["edits"] == {"applied": 3, "stale": 0, "version": 3}
        for fmt in ("txt", "md", "html"):
            text = (out / f"{DAY}.{fmt}").read_text(encoding="utf-8")
            assert "编辑改写的摘要" in text, fmt
            assert first["title"] not in text, fmt
    stored = db.reports.find_one({"date": DAY})
    assert first["url"] not in [r["url"] for r in stored["entries"]]
    assert first["url"] not in [e["url"] for e in entries(stored["payload"])]


def test_a_restore_undoes_the_drop(day):
    db, tmp, before = day
    url = entries(before)[0]["url"]
    v = save_edit(db, DAY, url, "drop", "junk", "ann", 0)
    save_edit(db, DAY, url, "restore", True, "ann", v)
    _, after = render(db, tmp / "after")
    assert url in [e["url"] for e in entries(after)]


def test_promote_region_order_and_stale(day, caplog):
    db, tmp, before = day
    shown = {e["url"] for e in entries(before)}
    window = {"$gte": START, "$lt": CUTOFF}
    missed = next(iter(db.articles.find({"url": {"$nin": list(shown)}, "published_at": window}).sort("url", 1)))
    v = save_edit(db, DAY, missed["url"], "promote", True, "bob", 0)
    v = save_edit(db, DAY, missed["url"], "region", "domestic", "bob", v)
    v = save_edit(db, DAY, missed["url"], "order", 1, "bob", v)
    save_edit(db, DAY, "https://gone.example/story", "importance", "high", "bob", v)
    with caplog.at_level(logging.WARNING):
        _, after = render(db, tmp / "after")
    assert after["domestic"][0]["url"] == missed["url"]
    assert after["stats"]["edits"]["stale"] == 1
    assert any("Stale edit" in r.getMessage() and "gone.example" in r.getMessage() for r in caplog.records)


def test_conflicting_save_is_refused_and_bad_values_too(day):
    db, _, before = day
    url = entries(before)[0]["url"]
    save_edit(db, DAY, url, "importance", "high", "ann", 0)
    with pytest.raises(EditConflict):
        save_edit(db, DAY, url, "importance", "low", "bob", 0)
    # Another story of the same day is no conflict.
    assert save_edit(db, DAY, entries(before)[1]["url"], "region", "domestic", "bob", 0) == 2
    with pytest.raises(InvalidEdit):
        save_edit(db, DAY, url, "drop", "because", "ann", 2)
    assert day_version(db, DAY) == 2
    db.edits.insert_one({"day": DAY, "url": url, "field": "importance", "value": 5, "version": 9})
    assert delete_day_edits(db, DAY) == 3
    assert day_version(db, DAY) == 0
