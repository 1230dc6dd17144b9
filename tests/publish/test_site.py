"""`scrapy publish`: the site's files, the Atom feed as feedparser reads it, the search index,
escaping, and incremental rebuilds that rewrite only what changed."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import feedparser
import pytest

from tests.publish.conftest import DAYS, SITE_URL, rewritten
from tests.publish.days import HOSTILE_TITLE, HOSTILE_URL, NVIDIA_DAY3_URL

ALL_FILES = {
    *(f"{d}/index.html" for d in DAYS),
    "weekly/2026-W06/index.html",
    "index.html",
    "feed.xml",
    "search.json",
    "assets/search-index.js",
    "assets/search.js",
}

# Every test reads the week the real scrapy commands built.
pytestmark = pytest.mark.slow


def daily(week, day: str) -> dict:
    return json.loads((week.reports / f"{day}.json").read_text(encoding="utf-8"))


def test_first_publish_writes_every_file(week):
    assert set(rewritten(week.runs["publish1"])) == ALL_FILES - {f"{DAYS[2]}/index.html"}
    for rel in ALL_FILES:
        assert (week.site / rel).is_file(), rel


def test_publishing_a_new_day_rewrites_only_what_it_must_and_says_so(week):
    out = week.runs["publish2"].stdout
    assert set(rewritten(week.runs["publish2"])) == {
        f"{DAYS[2]}/index.html",  # the new day
        f"{DAYS[1]}/index.html",  # the day before: its 下一天 link now exists
        "weekly/2026-W06/index.html",
        "index.html",
        "feed.xml",
        "search.json",
        "assets/search-index.js",
    }
    assert "published 3 days and 1 weeks" in out
    assert "7 files rewritten, 2 unchanged" in out
    # Nothing new: nothing rewritten.
    assert rewritten(week.runs["publish3"]) == []
    assert "0 files rewritten, 9 unchanged" in week.runs["publish3"].stdout


def test_feed_parses_cleanly_with_one_entry_per_day(week):
    feed = feedparser.parse((week.site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "AI每日动态"
    assert {link.rel: link.href for link in feed.feed.links}["self"] == SITE_URL + "feed.xml"
    assert len(feed.entries) == len(DAYS)
    for entry, day in zip(feed.entries, reversed(DAYS), strict=True):  # newest first
        assert entry.title == f"AI每日动态 - {day}"
        assert entry.link == f"{SITE_URL}{day}/index.html"
        # Due at the window's cutoff, 09:00 Asia/Shanghai on the day.
        published = datetime(*entry.published_parsed[:6], tzinfo=UTC)
        assert published == datetime.fromisoformat(f"{day}T09:00:00+08:00")
        generated = datetime.fromisoformat(daily(week, day)["generated_at"]).astimezone(UTC).replace(microsecond=0)
        assert datetime(*entry.updated_parsed[:6], tzinfo=UTC) == generated
        # The content is the day's 精简版: its top summaries, in order, and nothing from beyond them.
        content = entry.content[0]
        assert content.type == "text/html"
        report = daily(week, day)
        top = [e["summary"] for e in report["domestic"][:5] + report["international"][:5]]
        text = html.unescape(content.value)
        assert all(s in text for s in top)
        beyond = report["domestic"][5:] + report["international"][5:]
        assert all(e["summary"] not in text for e in beyond)


def test_feed_and_pages_escape_hostile_text(week):
    feed = feedparser.parse((week.site / "feed.xml").read_bytes())
    day2 = next(e for e in feed.entries if e.title.endswith(DAYS[1]))
    hostile = next(e for e in daily(week, DAYS[1])["international"] if e["url"] == HOSTILE_URL)
    if hostile["rank"] <= 5:
        assert "&lt;script&gt;" in day2.content[0].value
    assert "<script" not in day2.content[0].value
    page = (week.site / DAYS[1] / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    index_js = (week.site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert "<" not in index_js and ">" not in index_js
    data = json.loads(index_js.removeprefix("window.NEWSBOT_SEARCH = ").removesuffix(";\n"))
    assert HOSTILE_TITLE in {e["title"] for e in data["entries"]}


def test_search_index_has_every_entry_of_every_day(week):
    data = json.loads((week.site / "search.json").read_text(encoding="utf-8"))
    expected = [
        (d, e["url"]) for d in reversed(DAYS) for e in daily(week, d)["domestic"] + daily(week, d)["international"]
    ]
    assert [(e["date"], e["url"]) for e in data["entries"]] == expected
    nvidia = next(e for e in data["entries"] if e["url"] == NVIDIA_DAY3_URL)
    assert nvidia["page"].startswith(f"{DAYS[2]}/index.html#e-")
    assert {"英伟达", "openai"} <= set(nvidia["companies"])
    assert any("寒武纪" in e["title"] for e in data["entries"])


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.sources.append(attrs["src"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_local_link_of_every_page_resolves(week):
    pages = sorted(week.site.rglob("*.html"))
    assert len(pages) == len(DAYS) + 2
    for page in pages:
        links = _parse(page)
        for href in links.hrefs + links.sources:
            if urlsplit(href).scheme:
                assert urlsplit(href).scheme in ("http", "https"), (page, href)
                continue
            target, fragment = urldefrag(href)
            path = (page.parent / target).resolve() if target else page
            assert path.is_file(), (page, href)
            if fragment:
                assert fragment in _parse(path).ids, (page, href)


def test_day_pages_navigate_and_keep_the_daily_reports_csp(week):
    middle = (week.site / DAYS[1] / "index.html").read_text(encoding="utf-8")
    assert f'href="../{DAYS[0]}/index.html"' in middle and f'href="../{DAYS[2]}/index.html"' in middle
    assert 'href="../weekly/2026-W06/index.html"' in middle and 'href="../index.html"' in middle
    assert ">← 上一期</a>" in middle and ">下一期 →</a>" in middle and "下一天" not in middle and "上一天" not in middle
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', middle)[1].replace("&#39;", "'")
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp and "unsafe" not in csp
    index = (week.site / "index.html").read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', index)[1].replace("&#39;", "'")
    assert "script-src 'self';" in csp and "unsafe" not in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)", index), "no inline script on the index"


def _publish(week, mongo_uri, site: Path, *flags: str):
    from tests.publish.conftest import scrapy_in

    return scrapy_in(week.db.name, mongo_uri, "publish", "--output-dir", str(site), *flags)


def test_without_a_site_url_the_site_is_written_but_not_the_feed(week, mongo_uri, tmp_path):
    done = _publish(week, mongo_uri, tmp_path / "site")
    assert done.returncode == 0, done.stderr[-3000:]
    assert not (tmp_path / "site" / "feed.xml").exists()
    assert all((tmp_path / "site" / rel).is_file() for rel in ALL_FILES - {"feed.xml"})
    notes = [line for line in done.stderr.splitlines() if "feed.xml" in line]
    assert notes == ["newsbot: feed.xml not written: no site URL (give --site-url URL or set NEWSBOT_SITE_URL)"]
    assert "feed.xml" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_a_publish_without_a_site_url_removes_the_feed_an_earlier_one_wrote(week, mongo_uri, tmp_path):
    site = tmp_path / "site"
    first = _publish(week, mongo_uri, site, "--site-url", SITE_URL)
    assert first.returncode == 0 and (site / "feed.xml").is_file(), first.stderr[-3000:]
    done = _publish(week, mongo_uri, site)
    assert done.returncode == 0, done.stderr[-3000:]
    # A feed left behind would never show another day; readers should find it gone instead.
    assert not (site / "feed.xml").exists()
    assert all((site / rel).is_file() for rel in ALL_FILES - {"feed.xml"})
    notes = [line for line in done.stderr.splitlines() if "feed.xml" in line]
    assert notes == [
        "newsbot: feed.xml not written, and the stale one an earlier publish wrote removed: "
        "no site URL (give --site-url URL or set NEWSBOT_SITE_URL)"
    ]
    assert "feed.xml" not in (site / "index.html").read_text(encoding="utf-8")


def test_feed_ids_stay_the_same_when_the_site_moves(week, mongo_uri, tmp_path):
    moved = "https://mirror.example.net/daily"
    done = _publish(week, mongo_uri, tmp_path / "moved", "--site-url", moved)
    assert done.returncode == 0, done.stderr[-3000:]
    before = feedparser.parse((week.site / "feed.xml").read_bytes())
    after = feedparser.parse((tmp_path / "moved" / "feed.xml").read_bytes())
    assert [e.id for e in after.entries] == [e.id for e in before.entries]
    assert [e.id for e in after.entries] == [f"tag:newsbot,2026:ai-daily/{day}" for day in reversed(DAYS)]
    assert after.feed.id == before.feed.id == "tag:newsbot,2026:ai-daily"
    assert [e.link for e in after.entries] == [f"{moved}/{day}/index.html" for day in reversed(DAYS)]
    assert {link.rel: link.href for link in after.feed.links}["self"] == f"{moved}/feed.xml"
    # An operator's own authority names every id.
    own = _publish(
        week, mongo_uri, tmp_path / "own", "--site-url", moved, "-s", "NEWSBOT_FEED_AUTHORITY=news.example.org"
    )
    assert own.returncode == 0, own.stderr[-3000:]
    ids = [e.id for e in feedparser.parse((tmp_path / "own" / "feed.xml").read_bytes()).entries]
    assert ids[0] == f"tag:news.example.org,2026:ai-daily/{DAYS[-1]}"
