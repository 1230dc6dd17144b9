"""Bad input, through real crawls: each case gets a clear logged error and a counted stat, and does
not stop the other sources (several sources run in one `scrapy digest` process)."""

from __future__ import annotations

import json

import pytest

from tests.mockserver import MockServer

# Every test here reads a real `scrapy` run (a process) against local servers.
pytestmark = pytest.mark.slow

RSS = """<?xml version="1.0" encoding="{enc}"?>
<rss version="2.0"><channel><title>{title}</title><link>https://example.com</link>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><link>{link}</link>
<pubDate>Tue, 03 Feb 2026 10:00:00 +0000</pubDate><description>{desc}</description></item>"""
CHALLENGE = """<!DOCTYPE html><html><head><title>请稍候…</title></head><body>
<script>var arg1='3F8A...';document.cookie='acw_sc__v2='+arg1;location.reload();</script></body></html>"""


def rss(items, enc="utf-8", title="feed"):
    return RSS.format(enc=enc, title=title, items="\n".join(ITEM.format(**i) for i in items))


def write_snapshot(root, entries):
    """entries: (url, status, content_type, body bytes)."""
    root.mkdir(parents=True, exist_ok=True)
    lines = []
    for n, (url, status, ctype, body) in enumerate(entries):
        (root / f"b{n}").write_bytes(body)
        lines.append(json.dumps({"url": url, "status": status, "headers": {"Content-Type": ctype}, "body": f"b{n}"}))
    (root / "manifest.jsonl").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def bad_day(tmp_path_factory):
    """One snapshot where every source but The Verge serves one kind of bad input."""
    root = tmp_path_factory.mktemp("bad") / "snap"
    good = [
        {"title": f"Good story {n}", "link": f"https://www.qbitai.com/2026/02/{n}.html", "desc": "ok"} for n in (1, 2)
    ]
    truncated = rss(good + [{"title": "Cut", "link": "https://www.qbitai.com/2026/02/3.html", "desc": "x"}])
    truncated = truncated[: truncated.index("<title>Cut") + 8]
    gbk_items = [
        {
            "title": "人工智能新规发布",
            "link": "https://www.leiphone.com/category/ai/a1.html",
            "desc": "国内首部人工智能条例",
        }
    ]
    newsflash = [
        {"title": "大模型融资快讯", "link": "https://36kr.com/newsflashes/1?f=rss", "desc": "某公司完成数亿元融资"}
    ]
    nvidia = [{"title": "Relative link story", "link": "/blog/relative-story/", "desc": "GPUs"}]
    cnbc = [{"title": "Huge page story", "link": "https://www.cnbc.com/2026/02/03/huge.html", "desc": "short dek"}]
    verge = [{"title": "Verge story", "link": "https://www.theverge.com/ai/1/verge-story", "desc": "fine"}]
    odd_items = (
        "<item><title>Undated story</title><link>https://www.theverge.com/ai/2/undated</link>"
        "<pubDate>sometime yesterday</pubDate><description>no date</description></item>"
        "<item><title>No link story</title><description>nowhere</description></item>"
        "<item><link>https://www.theverge.com/ai/3/untitled</link><description>no title</description></item>"
    )
    verge_feed = rss(verge).replace("</channel>", odd_items + "</channel>")
    write_snapshot(
        root,
        [
            ("https://www.qbitai.com/feed", 200, "application/rss+xml; charset=utf-8", truncated.encode()),
            ("https://36kr.com/feed", 200, "text/html; charset=utf-8", CHALLENGE.encode()),
            # Declared GBK, and GBK with no declaration anywhere (no XML encoding, no charset).
            ("https://www.leiphone.com/feed", 200, "application/xml", rss(gbk_items, enc="gbk").encode("gbk")),
            (
                "https://36kr.com/feed-newsflash",
                200,
                "application/xml",
                rss(newsflash).replace(' encoding="utf-8"', "").encode("gbk"),
            ),
            ("https://rss.arxiv.org/rss/cs.AI", 200, "application/rss+xml", rss([]).encode()),
            ("https://blogs.nvidia.com/feed/", 200, "application/rss+xml", rss(nvidia).encode()),
            ("https://www.cnbc.com/id/19854910/device/rss/rss.html", 200, "application/rss+xml", rss(cnbc).encode()),
            ("https://www.cnbc.com/2026/02/03/huge.html", 200, "text/html", b"<p>" + b"x" * (10 * 1024 * 1024)),
            (
                "https://www.theverge.com/rss/ai-artificial-intelligence/index.xml",
                200,
                "application/rss+xml",
                verge_feed.encode(),
            ),
        ],
    )
    return root


@pytest.fixture(scope="module")
def bad_run(bad_day, tmp_path_factory, mongo_uri):
    from pymongo import MongoClient

    from tests.conftest import run_scrapy, scrapy_env

    db_name = "bad_input"
    result = run_scrapy(
        "digest",
        "--snapshot",
        str(bad_day),
        "--sources",
        "qbitai,36kr,leiphone,arxiv,nvidia,cnbc,theverge",
        "--output-dir",
        str(tmp_path_factory.mktemp("out")),
        "-s",
        f"MONGO_DATABASE={db_name}",
        "-s",
        "NEWSBOT_ANALYZER=heuristic",
        env=scrapy_env(MONGO_URI=mongo_uri),
    )
    client = MongoClient(mongo_uri, tz_aware=True)
    db = client[db_name]
    runs = {r["source"]: r for r in db.runs.find()}
    articles = {a["url"]: a for a in db.articles.find()}
    yield result, runs, articles
    client.drop_database(db_name)


def test_run_goes_on(bad_run):
    result, runs, articles = bad_run
    assert result.returncode == 0, result.stderr[-3000:]
    assert "https://www.theverge.com/ai/1/verge-story" in articles
    assert runs["theverge"]["status"] == "ok"


def test_truncated_feed_keeps_readable_entries(bad_run):
    result, runs, articles = bad_run
    assert "malformed feed at https://www.qbitai.com/feed" in result.stderr
    assert runs["qbitai"]["counters"]["feed/malformed"] == 1
    assert {"https://www.qbitai.com/2026/02/1.html", "https://www.qbitai.com/2026/02/2.html"} <= set(articles)


def test_challenge_page_is_blocked_not_empty(bad_run):
    result, runs, _ = bad_run
    assert "36kr: blocked: challenge page served instead of the feed" in result.stderr
    assert runs["36kr"]["counters"]["feed/blocked"] == 1
    assert runs["36kr"]["status"] == "blocked"


def test_gbk_feeds_with_and_without_declaration(bad_run):
    result, runs, articles = bad_run
    assert articles["https://www.leiphone.com/category/ai/a1.html"]["title"] == "人工智能新规发布"
    assert articles["https://36kr.com/newsflashes/1"]["title"] == "大模型融资快讯"
    # Undeclared: the detector decides (and says Chinese, so GB18030); the decision is counted.
    assert runs["36kr"]["counters"]["feed/encoding_guessed"] == 1
    assert runs["36kr"]["counters"]["feed/encoding/detected"] == 1
    assert runs["leiphone"]["counters"]["feed/encoding/xml-declaration"] == 1


def test_empty_feed_is_counted(bad_run):
    result, runs, _ = bad_run
    assert runs["arxiv"]["counters"]["feed/empty"] == 1
    assert runs["arxiv"]["status"] == "empty"
    assert "arxiv: feed at https://rss.arxiv.org/rss/cs.AI has no entries" in result.stderr


def test_relative_link_is_resolved_and_counted(bad_run):
    result, runs, articles = bad_run
    assert "https://blogs.nvidia.com/blog/relative-story/" in articles
    assert runs["nvidia"]["counters"]["items/relative_link"] == 1
    assert "relative link '/blog/relative-story/'" in result.stderr


def test_oversized_page_is_capped_and_item_kept(bad_run):
    result, runs, articles = bad_run
    article = articles["https://www.cnbc.com/2026/02/03/huge.html"]
    assert article["content_source"] == "feed-fallback"
    assert article["content"] == "short dek"
    assert runs["cnbc"]["counters"]["download/too_large"] == 1
    assert runs["cnbc"]["failed_pages"] == 1


def test_live_downloader_caps_size_and_decodes_undeclared_gbk(scrapy_runner, mongo_db):
    """The same cases over real HTTP: Scrapy's own DOWNLOAD_MAXSIZE, and GBK with no charset header."""
    with MockServer() as server:
        pages = {
            "/ok.html": "<html><body><article><p>"
            + "量子位报道：国产大模型发布新版本，推理成本下降一半。" * 5
            + "</p></article></body></html>",
            "/huge.html": "<html><body><p>" + "x" * (10 * 1024 * 1024) + "</p></body></html>",
        }
        for path, body in pages.items():
            server.add(path, body)
        items = [
            {"title": "正常文章", "link": server.url("/ok.html"), "desc": "摘要一"},
            {"title": "超大页面", "link": server.url("/huge.html"), "desc": "摘要二"},
            {"title": "缺失页面", "link": server.url("/gone.html"), "desc": "摘要三"},
        ]
        feed = rss(items).replace(' encoding="utf-8"', "").encode("gbk")
        feed_url = server.add("/feed.xml", feed, headers={"Content-Type": "application/xml"})
        result = scrapy_runner(
            "crawl",
            "qbitai",
            *server.feed_args(feed_url),
            RETRY_TIMES="0",
            DOWNLOAD_DELAY="0",
            **server.allowed,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    docs = {d["title"]: d for d in mongo_db.articles.find()}
    assert set(docs) == {"正常文章", "超大页面", "缺失页面"}
    assert docs["正常文章"]["content_source"] == "article"
    assert "推理成本下降一半" in docs["正常文章"]["content"]
    assert docs["超大页面"]["content_source"] == "feed-fallback"
    assert docs["缺失页面"]["content"] == "摘要三"
    run = mongo_db.runs.find_one({"source": "qbitai"})
    assert run["counters"]["article/failed/http_404"] == 1
    assert run["failed_pages"] == 2
    assert "larger than download max size" in result.stderr


def test_undated_items_keep_fetch_time_and_are_flagged(bad_run):
    result, runs, articles = bad_run
    undated = articles["https://www.theverge.com/ai/2/undated"]
    assert undated["date_missing"] is True
    assert undated["published_at"] == undated["fetched_at"]
    assert runs["theverge"]["counters"]["items/date_missing"] == 1


def test_items_without_title_or_link_are_dropped_with_a_reason(bad_run):
    result, runs, articles = bad_run
    assert "https://www.theverge.com/ai/3/untitled" not in articles
    assert runs["theverge"]["counters"]["items/dropped/no_link"] == 1
    assert runs["theverge"]["counters"]["items/dropped/no_title"] == 1
    assert runs["theverge"]["stored"] == 2
