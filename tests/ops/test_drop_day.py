"""A day is archived only when something was stored for it, and a stored day can be removed
(issue 20): `scrapy report --date D` with no articles refuses unless --allow-empty, and after
`scrapy report --drop D` the next publish removes D's page, its feed entry and its weekly mention."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow  # real `scrapy report` and `scrapy publish` processes

MONDAY, TUESDAY = "2026-03-02", "2026-03-03"
SITE_URL = "https://news.example.org/ai/"


def errors(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("newsbot: error: ")]


def test_an_empty_day_is_refused_and_a_stored_day_can_be_dropped(scrapy_runner, mongo_db, tmp_path):
    reports, site = tmp_path / "reports", tmp_path / "site"
    common = {"NEWSBOT_ANALYZER": "heuristic"}
    refused = scrapy_runner("report", "--date", MONDAY, **common)
    assert refused.returncode == 1, refused.stderr[-3000:]
    assert errors(refused) == [
        f"newsbot: error: no articles are stored for {MONDAY}; nothing to report "
        "(crawl the day first, or add --allow-empty to render it empty)"
    ]
    assert not reports.exists() and mongo_db.reports.count_documents({}) == 0

    for day in (MONDAY, TUESDAY):
        done = scrapy_runner("report", "--date", day, "--allow-empty", **common)
        assert done.returncode == 0, done.stderr[-3000:]
    publish = ("publish", "--output-dir", str(site), "--site-url", SITE_URL)
    first = scrapy_runner(*publish, **common)
    assert first.returncode == 0, first.stderr[-3000:]
    week = site / "weekly" / "2026-W10" / "index.html"
    assert (site / TUESDAY / "index.html").is_file()
    assert f"{TUESDAY}/" in (site / "feed.xml").read_text(encoding="utf-8")
    assert "3月3日" in week.read_text(encoding="utf-8")

    dropped = scrapy_runner("report", "--drop", TUESDAY, **common)
    assert dropped.returncode == 0, dropped.stderr[-3000:]
    assert dropped.stdout.splitlines()[0].startswith(f"dropped {TUESDAY}: its stored report and 4 file(s)")
    assert sorted(p.name for p in reports.iterdir()) == sorted(
        f"{MONDAY}.{ext}" for ext in ("html", "json", "md", "txt")
    )
    assert [d["date"] for d in mongo_db.reports.find()] == [MONDAY]

    second = scrapy_runner(*publish, **common)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"removed {TUESDAY}/index.html" in second.stdout.splitlines()
    assert not (site / TUESDAY).exists() and (site / MONDAY / "index.html").is_file()
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert f"{TUESDAY}/" not in feed and f"{MONDAY}/" in feed
    assert "3月3日" not in week.read_text(encoding="utf-8") and "3月2日" in week.read_text(encoding="utf-8")
    index = (site / "index.html").read_text(encoding="utf-8")
    assert TUESDAY not in index and json.dumps(TUESDAY) not in (site / "search.json").read_text(encoding="utf-8")

    again = scrapy_runner("report", "--drop", TUESDAY, **common)
    assert again.returncode == 1
    assert errors(again) == [f"newsbot: error: no report is stored for {TUESDAY}; nothing to drop"]
