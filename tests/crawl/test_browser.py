"""scrapy-playwright in real headless Chromium: an article whose text exists only after its script runs."""

from __future__ import annotations

import shutil

import pytest

from tests.mockserver import MockServer

JS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>JS article</title></head>
<body><nav>首页 | 资讯 | 关于</nav><main id="root"></main>
<script>
  const paragraphs = [
    "量子位报道：某实验室发布了一个只在浏览器里渲染正文的新模型，推理速度提升三倍。",
    "研究团队表示，新模型在多项基准测试上超过了此前的开源模型，并将于下月开放权重。",
    "业内人士认为，这一进展将显著降低大模型在端侧设备上的部署成本。"
  ];
  const article = document.createElement("article");
  for (const text of paragraphs) { const p = document.createElement("p"); p.textContent = text; article.appendChild(p); }
  document.getElementById("root").appendChild(article);
</script></body></html>"""

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>量子位</title>
<item><title>只在浏览器里渲染的文章</title><link>{link}</link>
<pubDate>Tue, 03 Feb 2026 10:00:00 +0000</pubDate><description></description></item></channel></rss>"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not shutil.which("chromium") and not shutil.which("/usr/bin/chromium"), reason="needs Debian chromium"
    ),
]


def crawl_qbitai(scrapy_runner, server: MockServer, feed_url: str, **settings):
    """`scrapy crawl qbitai` of SERVER's feed, its pages allowed, with no download delay."""
    return scrapy_runner(
        "crawl", "qbitai", *server.feed_args(feed_url), DOWNLOAD_DELAY="0", **server.allowed, **settings
    )


def test_js_rendered_article_is_extracted_through_the_browser(scrapy_runner, mongo_db):
    with MockServer() as server:
        link = server.add("/2026/02/1.html", JS_PAGE)
        feed_url = server.add("/feed", FEED.format(link=link), headers={"Content-Type": "application/rss+xml"})
        result = crawl_qbitai(scrapy_runner, server, feed_url, NEWSBOT_PLAYWRIGHT_SOURCES="qbitai")
    assert result.returncode == 0, result.stderr[-3000:]
    doc = mongo_db.articles.find_one({"url": link})
    assert doc["content_source"] == "article"
    assert "推理速度提升三倍" in doc["content"]
    assert "首页" not in doc["content"]
    run = mongo_db.runs.find_one({"source": "qbitai"})
    assert run["counters"]["article/ok"] == 1
    # The page went through the browser; the feed did not.
    assert "playwright/request_count" in result.stderr


def test_without_browser_the_same_page_has_no_text(scrapy_runner, mongo_db):
    """Control: the plain downloader sees an empty page, so the item keeps its (empty) feed text."""
    with MockServer() as server:
        link = server.add("/2026/02/1.html", JS_PAGE)
        feed_url = server.add("/feed", FEED.format(link=link), headers={"Content-Type": "application/rss+xml"})
        result = crawl_qbitai(scrapy_runner, server, feed_url)
    assert result.returncode == 0, result.stderr[-3000:]
    doc = mongo_db.articles.find_one({"url": link})
    assert doc["content_source"] == "feed-fallback"
    assert "推理速度提升三倍" not in doc["content"]
