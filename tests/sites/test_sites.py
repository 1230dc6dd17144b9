"""One generic test for every site, in the style of Fundus: each folder under tests/sites/ holds a
saved feed, a saved article page and the expected output as JSON.

The feed goes through the site's real spider callback (parse_feed), every article request it makes is
answered with the saved page through the spider's real article callback, and the items go through
the normalise pipeline, exactly as in a crawl, minus the network."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from newsbot.items import NewsItem
from newsbot.parsers import ExtractionError
from newsbot.parsers.challenge import looks_like_challenge
from newsbot.pipelines.normalize import NormalizePipeline
from newsbot.sources import SOURCES
from newsbot.spiders.base import FeedSpider

HERE = Path(__file__).parent
SITES = sorted(p.name for p in HERE.iterdir() if (p / "expected.json").is_file())
VOLATILE = {"fetched_at"}


def spider_for(name: str) -> FeedSpider:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    spidercls = SpiderLoader.from_settings(get_project_settings()).load(name)
    crawler = get_crawler(spidercls)
    return spidercls.from_crawler(crawler)


def as_json(item: NewsItem) -> dict:
    out = {}
    for key, value in vars(item).items():
        if key in VOLATILE:
            continue
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def run_site(name: str, site: Path) -> tuple[list[dict], FeedSpider]:
    spider = spider_for(name)
    feed_url = SOURCES[name].feeds[0]
    feed = XmlResponse(
        url=feed_url,
        body=(site / "feed.xml").read_bytes(),
        headers={"Content-Type": "application/xml; charset=utf-8"},
        request=Request(feed_url, meta={"feed_url": feed_url}),
    )
    page = (site / "article.html").read_bytes()
    pipeline = NormalizePipeline(spider.crawler)
    items = []
    for out in spider.parse_feed(feed):
        if isinstance(out, Request):
            # Every followed link is answered with the saved page, through the real callback.
            response = HtmlResponse(url=out.url, body=page, encoding="utf-8", request=out)
            results = list(out.callback(response, **out.cb_kwargs))
        else:
            results = [out]
        items.extend(pipeline.process_item(r) for r in results)
    return [as_json(i) for i in items], spider


@pytest.mark.parametrize("name", SITES)
def test_site_feed_and_article(name):
    site = HERE / name
    expected = json.loads((site / "expected.json").read_text(encoding="utf-8"))
    items, spider = run_site(name, site)
    assert items == expected["items"]
    stats = spider.crawler.stats.get_stats()
    for key, value in expected.get("stats", {}).items():
        assert stats.get(key, 0) == value, key


@pytest.mark.parametrize("name", SITES)
def test_site_article_page(name):
    """The saved article page through the site's own parser: its text, or a recognised bot wall."""
    site = HERE / name
    expected = json.loads((site / "expected.json").read_text(encoding="utf-8"))["article"]
    html = (site / "article.html").read_text(encoding="utf-8")
    spider = spider_for(name)
    if expected.get("challenge"):
        assert looks_like_challenge(html)
        return
    assert not looks_like_challenge(html)
    try:
        page = spider.article_parser(html, expected["url"])
    except ExtractionError:
        pytest.fail("the saved article page should parse")
    for fragment in expected["text_contains"]:
        assert fragment in page.text
    for fragment in expected.get("text_excludes", []):
        assert fragment not in page.text
    if "title" in expected:
        assert page.title == expected["title"]
    if "authors" in expected:
        assert page.authors == expected["authors"]


def test_every_source_has_fixtures():
    assert set(SITES) == set(SOURCES)
