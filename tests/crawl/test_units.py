"""The tricky pure functions of the crawl: URL keys, text cleaning, feed decoding, challenge pages, replay."""

from __future__ import annotations

import copy
import inspect
import json
import pprint
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.settings import BaseSettings
from scrapy.utils.misc import is_generator_with_return_value
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newsbot.extensions.run_stats import StatsCollector
from newsbot.fetch.snapshot import Snapshot, SnapshotError
from newsbot.items import NewsItem
from newsbot.parsers.challenge import CAPTCHA_MARKERS, STRONG_MARKERS, WEAK_MARKERS, fold_case, looks_like_challenge
from newsbot.parsers.feeds import decode_feed, read_feed
from newsbot.pipelines.store import plain
from newsbot.runtime.scrapy_internals import CrawlerSettings, quick_copies
from newsbot.spiders.loader import SourceSpiderLoader
from newsbot.text import html_to_text, tidy_text
from newsbot.text.urls import canonical_url, mask_uri_password
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://36kr.com/p/3667233081221763?f=rss", "https://36kr.com/p/3667233081221763"),
        ("HTTPS://WWW.FT.COM:443/technology?format=rss#top", "https://www.ft.com/technology?format=rss"),
        ("https://x.com/a?utm_source=rss&utm_medium=feed&id=7", "https://x.com/a?id=7"),
        ("https://blogs.nvidia.com/?p=84512", "https://blogs.nvidia.com/?p=84512"),
        ("http://example.com:8080/a b", "http://example.com:8080/a%20b"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_canonical_url(raw, canonical):
    assert canonical_url(raw) == canonical
    assert canonical_url(canonical) == canonical  # idempotent


@pytest.mark.parametrize(
    ("uri", "masked"),
    [
        ("mongodb://bob:s3cret@db:27017/newsbot", "mongodb://bob:***@db:27017/newsbot"),
        (
            "mongodb+srv://u:p%40ss@cluster0.example.net/?retryWrites=true",
            "mongodb+srv://u:***@cluster0.example.net/?retryWrites=true",
        ),
        ("mongodb://db1,db2/newsbot", "mongodb://db1,db2/newsbot"),
    ],
)
def test_mask_uri_password(uri, masked):
    assert mask_uri_password(uri) == masked


def test_html_to_text_decodes_strips_and_keeps_paragraphs():
    html = "<p>Nvidia &amp;amp; OpenAI\u200b</p><script>evil()</script><p>第二段&nbsp;内容<br>下一行</p><!-- c -->"
    assert html_to_text(html) == "Nvidia & OpenAI\n第二段 内容\n下一行"


def test_tidy_text_never_parses_markup():
    assert tidy_text("We show $k<n$ and a <think> block\ufeff") == "We show $k<n$ and a <think> block"


def test_decode_feed_gbk_declared_and_undeclared():
    xml = '<?xml version="1.0" encoding="gbk"?><rss><channel><title>人工智能</title></channel></rss>'
    decoded = decode_feed(xml.encode("gbk"), "application/xml", "zh")
    # GBK is read as GB18030, its superset.
    assert "人工智能" in decoded.text and decoded.encoding == "gb18030" and decoded.method == "xml-declaration"
    bare = xml.replace(' encoding="gbk"', "").encode("gbk")
    decoded = decode_feed(bare, "application/xml", "zh")
    assert "人工智能" in decoded.text and decoded.encoding == "gb18030" and decoded.method == "detected"


def test_read_feed_classifies_bad_bodies():
    # Nothing, or something that is not a feed, is an error; a real feed with no entries is empty.
    assert read_feed(b"", "application/xml").status == "not_feed"
    assert read_feed(b" \r\n", "application/xml").status == "not_feed"
    assert read_feed(b"<html><body>hello</body></html>", "text/html").status == "not_feed"
    challenge = b"<html><script>document.cookie='acw_sc__v2=1';location.reload()</script></html>"
    assert read_feed(challenge, "text/html").status == "blocked"
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    assert read_feed(empty, "application/rss+xml").status == "empty"


def test_challenge_wording_needs_a_near_empty_page():
    assert looks_like_challenge("<html><title>Just a moment...</title><body>Checking your browser</body></html>")
    article = "<html><body><p>" + "他说请稍候再来看这篇关于大模型的长文。" * 200 + "</p></body></html>"
    assert not looks_like_challenge(article)


# The case-insensitive regexes looks_like_challenge used: the markers must find exactly what they found.
_REGEX_STRONG = re.compile(r"acw_sc__v2|_waf_|cf-chl|cf_chl_opt|challenge-platform|px-captcha|captcha-delivery", re.I)
_REGEX_WEAK = re.compile(
    r"Just a moment|Attention Required|Are you a robot|Please enable (?:JavaScript|cookies)|"
    r"enable JavaScript and cookies|请稍候|安全验证|访问验证|滑动验证|人机验证",
    re.I,
)


def test_folded_markers_match_exactly_where_the_case_insensitive_regexes_did():
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    folded = fold_case(everything)
    assert len(folded) == len(everything)  # one character for one: positions line up
    for char in sorted(set("".join(STRONG_MARKERS + WEAK_MARKERS + CAPTCHA_MARKERS))):
        regex = {m.start() for m in re.finditer(re.escape(char), everything, re.I)}
        assert {m.start() for m in re.finditer(re.escape(char), folded)} == regex, char
    pages = [p.read_text(encoding="utf-8") for p in (ROOT / "snapshots").rglob("*.html")]
    pages += [p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "sites").rglob("*.html")]
    pages += [
        "<script>var arg1='acw_sc__v2';</script>",
        "<div id=CF-CHL-widget>", "window._cf_chl_opt={}", "captcha-deſivery", "ACW_SC__V2", "px-captcha",
        "<title>JUST A MOMENT...</title>", "Are you a ROBOT?", "please enable javascript", "Please enable Cookies",
        "enable javaſcript and cookieſ", "Attention Requİred", "请稍候…", "正在进行安全验证", "人机验证", "Just a moment",
    ]  # fmt: skip
    assert len(pages) > 40
    for page in pages:
        head = fold_case(page[:65536])
        assert any(m in head for m in STRONG_MARKERS) == bool(_REGEX_STRONG.search(page[:65536])), page[:80]
        assert any(m in head for m in WEAK_MARKERS) == bool(_REGEX_WEAK.search(page[:65536])), page[:80]


def test_snapshot_matches_canonical_urls_and_refuses_escapes(tmp_path):
    (tmp_path / "a.html").write_text("hi")
    lines = [
        {"url": "https://36kr.com/p/1", "status": 200, "headers": {}, "body": "a.html"},
        {"url": "https://evil.example/x", "status": 200, "headers": {}, "body": "../outside"},
    ]
    (tmp_path / "manifest.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    snap = Snapshot(tmp_path)
    assert snap.body(snap.lookup("https://36kr.com/p/1?f=rss#comments")) == b"hi"
    assert snap.lookup("https://36kr.com/p/2") is None
    with pytest.raises(SnapshotError):
        snap.body(snap.lookup("https://evil.example/x"))
    (tmp_path / "manifest.jsonl").write_text("{not json\n")
    with pytest.raises(SnapshotError):
        Snapshot(tmp_path)


def test_cap_text_cuts_between_characters():
    from newsbot.pipelines.normalize import cap_text

    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # one emoji made of five code points
    capped = cap_text("a" * 297 + family + "b" * 10, 300)
    assert capped == "a" * 297 + "…"
    accented = cap_text("e\u0301" * 200, 300)  # é as e + combining accent
    assert accented == "e\u0301" * 149 + "…" and len(accented) <= 300
    assert cap_text("short", 300) == "short"


@pytest.mark.parametrize(
    ("host", "port", "refused"),
    [
        ("127.0.0.1", 80, True),
        ("169.254.169.254", 80, True),
        ("10.1.2.3", 80, True),
        ("100.64.0.1", 80, True),
        ("::1", 80, True),
        ("::ffff:127.0.0.1", 80, True),
        ("fd00:ec2::254", 80, True),
        ("0.0.0.0", 80, True),
        ("127.0.0.1", 8080, False),  # allowed by host:port below
        ("10.9.9.9", 80, False),  # allowed by the CIDR below
        ("93.184.215.14", 80, False),
        ("www.qbitai.com", 443, False),  # names are judged when they resolve
    ],
)
def test_literal_address_policy(host, port, refused):
    from scrapy.settings import Settings

    from newsbot.fetch.policy import PrivateAllowList, literal_address_refusal

    allow = PrivateAllowList.from_settings(Settings({"NEWSBOT_ALLOW_PRIVATE_HOSTS": "127.0.0.1:8080,10.9.0.0/16"}))
    assert (literal_address_refusal(host, port, allow) is not None) is refused


@dataclass
class _Byline:
    name: str
    roles: list[str]


def test_store_document_is_what_itemadapter_asdict_gives():
    """The store pipeline's plain() gives ItemAdapter.asdict's document: containers copied, nested items
    (a dataclass, a dict) turned into dicts at any depth, every other value as it is."""
    when = datetime(2026, 2, 4, 7, 30, tzinfo=UTC)
    item = NewsItem(
        url="https://x.example/a", original_url="https://x.example/a?f=rss", source="x", source_name="X",
        title="标题", published_at=when, fetched_at=when, authors=["甲", "乙"], feed_categories=[],
        summary="s", content="c", feed_published_at=None,
        extra={"type": "new", "rank": 3, "score": 0.5, "flags": ("a", "b"), "tags": {"t"},
               "by": _Byline("A", ["editor"]), "nested": [{"k": _Byline("B", [])}, 1, None, True]},
    )  # fmt: skip
    adapter = ItemAdapter(item)
    doc = {key: plain(value) for key, value in adapter.items()}
    assert doc == adapter.asdict()
    assert doc["extra"]["by"] == {"name": "A", "roles": ["editor"]} and doc["extra"]["nested"][0]["k"]["name"] == "B"
    assert doc["authors"] is not item.authors and doc["extra"] is not item.extra
    assert {key: plain(value) for key, value in ItemAdapter(dict(doc)).items()} == ItemAdapter(dict(doc)).asdict()


def test_no_spider_generator_returns_a_value():
    """What Scrapy's WARN_ON_GENERATOR_RETURN_VALUE (off: it re-parsed each callback for every response)
    would have warned about: a `return value` inside a generator callback is silently lost. (An async
    generator cannot return a value at all: parse_feed and parse_article are async.)"""
    loader = SourceSpiderLoader(get_project_settings())
    checked = 0
    for name in loader.list():
        spidercls = loader.load(name)
        for attr, member in inspect.getmembers(spidercls, inspect.isgeneratorfunction):
            assert not is_generator_with_return_value(member), f"{name}.{attr}"
            checked += 1
        async_callbacks = {n for n, _ in inspect.getmembers(spidercls, inspect.isasyncgenfunction)}
        assert {"parse_feed", "parse_article"} <= async_callbacks, name
    assert checked >= len(loader.list())  # article_failed at least


def test_the_digests_settings_copy_as_a_deep_copy_would():
    """scrapy digest copies its settings for every crawler (one per source) without copy.deepcopy."""
    settings = get_project_settings()
    settings.set("NEWSBOT_PLAYWRIGHT_SOURCES", ["qbitai"], priority="cmdline")
    quick_copies(settings)
    fast, deep = settings.copy(), copy.deepcopy(settings)
    assert type(fast) is CrawlerSettings

    def priorities(s) -> dict:
        return {k: (a.priority, priorities(a.value) if isinstance(a.value, BaseSettings) else None)
                for k, a in s.attributes.items()}  # fmt: skip

    assert fast._to_dict() == deep._to_dict() == settings._to_dict()
    assert priorities(fast) == priorities(deep)
    # As independent of the original as a deep copy: nested settings, lists and dicts alike.
    fast["DOWNLOADER_MIDDLEWARES"].set("example.Middleware", 5)
    fast["NEWSBOT_PLAYWRIGHT_SOURCES"].append("ft")
    fast.set("NEWSBOT_DATE", "2026-02-05", priority="cmdline")
    assert settings._to_dict() == deep._to_dict()


@pytest.mark.parametrize(("level", "dumped"), [("INFO", True), ("WARNING", False)])
def test_stats_are_formatted_only_when_logged(level, dumped, caplog):
    crawler = get_crawler(settings_dict={"LOG_LEVEL": level})
    crawler.spider = Spider("example")
    stats = StatsCollector(crawler)
    stats.set_value("newsbot/feed/fetched", 1)
    stats.inc_value("newsbot/feed/entries", 2)
    stats.inc_value("newsbot/feed/entries", spider=crawler.spider)  # the old signature still works
    formatted = []
    with caplog.at_level(level, logger="scrapy.statscollectors"), pytest.MonkeyPatch.context() as patch:
        patch.setattr(pprint, "pformat", lambda value: formatted.append(value) or repr(value))
        stats.close_spider()
    assert bool(formatted) is dumped
    assert any("Dumping Scrapy stats" in r.getMessage() for r in caplog.records) is dumped
    assert stats.spider_stats["example"] == {"newsbot/feed/fetched": 1, "newsbot/feed/entries": 3}
