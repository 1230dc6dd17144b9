"""One generic test for every site, in the style of Fundus: each folder under tests/sites/ holds a
saved feed, the expected output as JSON and, only for sites whose crawl fetches article pages, a saved
article page.

The feed goes through the site's real spider callback (parse_feed), every article request it makes is
answered with the saved page through the spider's real article callback, and the items go through
the normalise pipeline, exactly as in a crawl, minus the network.

An expectation that could not fail is refused: no items, no stats, an article section without text to
look for, or an article fixture the crawl never uses (or a crawl that fetches pages nobody saved)."""

from __future__ import annotations

import asyncio
import inspect
import json
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from newsbot.items import NewsItem
from newsbot.parsers import ExtractionError
from newsbot.parsers.challenge import looks_like_challenge
from newsbot.parsers.registry import extract_article
from newsbot.pipelines.normalize import NormalizePipeline
from newsbot.sources.catalog import SOURCES
from newsbot.spiders.base import FeedSpider

HERE = Path(__file__).parent
SITES = sorted(p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
SITES_WITH_ARTICLE = [name for name in SITES if (HERE / name / "article.html").is_file()]
VOLATILE = {"fetched_at"}
# Filled by the judge pipeline, never by a spider: a recorded item has none.
PIPELINE_FIELDS = {"analysis"}
ITEM_FIELDS = {f.name for f in fields(NewsItem)} - VOLATILE - PIPELINE_FIELDS
# Every feed run counts these; an expected.json without them was not recorded from a real run.
REQUIRED_STATS = {"newsbot/feed/fetched", "newsbot/feed/entries"}


@dataclass
class SiteRun:
    items: list[dict]
    spider: FeedSpider
    article_requests: int

    def newsbot_stats(self) -> dict:
        return {k: v for k, v in self.spider.crawler.stats.get_stats().items() if k.startswith("newsbot/")}


def spider_for(name: str) -> FeedSpider:
    from scrapy.spiderloader import get_spider_loader
    from scrapy.utils.project import get_project_settings

    spidercls = get_spider_loader(get_project_settings()).load(name)
    crawler = get_crawler(spidercls)
    return spidercls.from_crawler(crawler)


def outputs(callback_result) -> list:
    """What a spider callback yields, collected: the feed and article callbacks are async generators."""

    async def collect() -> list:
        return [out async for out in callback_result]

    return asyncio.run(collect()) if inspect.isasyncgen(callback_result) else list(callback_result)


def as_json(item: NewsItem) -> dict:
    out = {}
    for key, value in vars(item).items():
        if key in VOLATILE or key in PIPELINE_FIELDS:
            continue
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def run_site(name: str, site: Path) -> SiteRun:
    spider = spider_for(name)
    feed_url = SOURCES[name].feeds[0]
    feed = XmlResponse(
        url=feed_url,
        body=(site / "feed.xml").read_bytes(),
        headers={"Content-Type": "application/xml; charset=utf-8"},
        request=Request(feed_url, meta={"feed_url": feed_url}),
    )
    article = site / "article.html"
    page = article.read_bytes() if article.is_file() else None
    pipeline = NormalizePipeline(spider.crawler)
    items, article_requests = [], 0
    for out in outputs(spider.parse_feed(feed)):
        if isinstance(out, Request):
            article_requests += 1
            if page is None:
                pytest.fail(f"{name}: the crawl fetches {out.url} but {article} was not saved")
            # Every followed link is answered with the saved page, through the real callback.
            response = HtmlResponse(url=out.url, body=page, encoding="utf-8", request=out)
            results = outputs(out.callback(response, **out.cb_kwargs))
        else:
            results = [out]
        items.extend(pipeline.process_item(r) for r in results)
    return SiteRun([as_json(i) for i in items], spider, article_requests)


def load_expected(site: Path) -> dict:
    """expected.json, refused (a failing test) when it could not catch a regression."""
    path = site / "expected.json"
    assert path.is_file(), f"{path} is missing: record it with `python -m tests.sites.record {site.name}`"
    expected = json.loads(path.read_text(encoding="utf-8"))
    items = expected.get("items")
    assert isinstance(items, list) and items, f"{path}: 'items' must list at least one expected item"
    for i, item in enumerate(items):
        missing = ITEM_FIELDS - set(item) if isinstance(item, dict) else ITEM_FIELDS
        assert not missing, f"{path}: item {i} lacks {sorted(missing)}"
        assert item["url"] and item["title"] and item["source"] == site.name, f"{path}: item {i} is hollow"
    stats = expected.get("stats")
    assert isinstance(stats, dict) and set(stats) >= REQUIRED_STATS, f"{path}: 'stats' must hold {REQUIRED_STATS}"
    has_page = (site / "article.html").is_file()
    if not has_page:
        assert "article" not in expected, f"{path}: an 'article' expectation without an article.html"
        return expected
    article = expected.get("article")
    assert isinstance(article, dict) and article.get("url"), f"{path}: 'article' needs the page's url"
    if not article.get("challenge"):
        assert article.get("text_contains"), f"{path}: 'article.text_contains' must name text the page yields"
    return expected


@pytest.mark.parametrize("name", SITES)
def test_site_feed_and_article(name):
    site = HERE / name
    expected = load_expected(site)
    run = run_site(name, site)
    assert run.items == expected["items"]
    assert run.newsbot_stats() == expected["stats"]
    # (The opposite, a fetched page with no fixture, already failed inside run_site.)
    if (site / "article.html").is_file():
        assert run.article_requests, f"{name}: article.html is saved but the crawl fetches no article page"


@pytest.mark.parametrize("name", SITES_WITH_ARTICLE)
def test_site_article_page(name):
    """The saved article page through the site's own parser: its text, or a recognised bot wall."""
    site = HERE / name
    expected = load_expected(site)["article"]
    html = (site / "article.html").read_text(encoding="utf-8")
    spider = spider_for(name)
    if expected.get("challenge"):
        assert looks_like_challenge(html)
        return
    assert not looks_like_challenge(html)
    try:
        page = extract_article(spider.source.parser, html, expected["url"])
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


def _hollow(expected: dict, path: str, value) -> dict:
    """expected with the dotted PATH set to VALUE (or deleted when VALUE is ...)."""
    out = json.loads(json.dumps(expected))
    *parents, last = path.split(".")
    node = out
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is ...:
        del node[int(last) if isinstance(node, list) else last]
    else:
        node[last] = value
    return out


@pytest.mark.parametrize(
    ("path", "value", "with_page"),
    [
        ("items", [], True),
        ("items", ..., True),
        ("items.0.content", ..., True),
        ("items.0.title", "", True),
        ("stats", {}, True),
        ("stats", ..., True),
        ("article", ..., True),
        ("article.text_contains", [], True),
        ("article.url", "", True),
        ("items.0.url", "", False),
    ],
)
def test_the_harness_refuses_hollow_expectations(tmp_path, path, value, with_page):
    source = HERE / "36kr"
    site = tmp_path / "36kr"
    site.mkdir()
    expected = json.loads((source / "expected.json").read_text(encoding="utf-8"))
    if with_page:
        (site / "article.html").write_bytes((source / "article.html").read_bytes())
    else:
        expected.pop("article")
    (site / "expected.json").write_text(json.dumps(expected), encoding="utf-8")
    load_expected(site)  # the untouched copy is accepted
    (site / "expected.json").write_text(json.dumps(_hollow(expected, path, value)), encoding="utf-8")
    with pytest.raises(AssertionError):
        load_expected(site)


def test_the_harness_refuses_an_article_expectation_without_a_page(tmp_path):
    site = tmp_path / "36kr"
    site.mkdir()
    (site / "expected.json").write_bytes((HERE / "36kr" / "expected.json").read_bytes())
    with pytest.raises(AssertionError, match="without an article.html"):
        load_expected(site)


def test_every_fixture_folder_is_a_source_and_every_site_with_code_has_fixtures():
    """A source that is pure data (sources.toml) needs no fixtures, so adding one breaks nothing here;
    a site with code of its own (a quirk module or its own parser) must be pinned by fixtures."""
    assert set(SITES) <= set(SOURCES)
    assert all((HERE / name / "feed.xml").is_file() for name in SITES)
    with_code = {
        name
        for name, src in SOURCES.items()
        if src.parser != "generic" or type(spider_for(name)).__mro__[1] is not FeedSpider
    }
    assert with_code >= {"36kr", "arxiv", "bloomberg", "cnbc"}
    assert with_code <= set(SITES)
