"""A live crawl recorded with NEWSBOT_RECORD replays offline, through the engine, to the same articles."""

from __future__ import annotations

import json

import pytest
from pymongo import MongoClient

from tests.mockserver import MockServer

# A live crawl then a replay: two real `scrapy` processes.
pytestmark = pytest.mark.slow

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>量子位</title>
<item><title>第一篇</title><link>{a}</link><pubDate>Tue, 03 Feb 2026 10:00:00 +0000</pubDate></item>
<item><title>第二篇</title><link>{old}</link><pubDate>Tue, 03 Feb 2026 11:00:00 +0000</pubDate></item>
</channel></rss>"""
PAGE = "<html><body><nav>导航</nav><article><p>{text}</p></article><footer>版权</footer></body></html>"


def test_record_then_replay(scrapy_runner, mongo_uri, db_name, tmp_path):
    record_dir = tmp_path / "recorded"
    texts = {
        "/a.html": "第一篇正文：国产大模型在多项评测中取得领先，推理成本下降一半。" * 3,
        "/b.html": "第二篇正文：某公司发布新一代智能体平台，面向企业开发者开放测试。" * 3,
    }
    with MockServer() as server:
        for path, text in texts.items():
            server.add(path, PAGE.format(text=text))
        server.add("/old.html", b"", status=301, headers={"Location": server.url("/b.html")})
        feed = server.add(
            "/feed.xml",
            FEED.format(a=server.url("/a.html"), old=server.url("/old.html")),
            headers={"Content-Type": "application/rss+xml; charset=utf-8"},
        )
        live = scrapy_runner(
            "crawl",
            "qbitai",
            *server.feed_args(feed),
            **server.allowed,
            NEWSBOT_RECORD=str(record_dir),
            DOWNLOAD_DELAY="0",
            NEWSBOT_REPORT_ON_CLOSE="False",
        )
    assert live.returncode == 0, live.stderr[-3000:]
    manifest = [json.loads(line) for line in (record_dir / "manifest.jsonl").read_text().splitlines()]
    recorded = {m["url"] for m in manifest}
    assert {feed, server.url("/a.html"), server.url("/old.html"), server.url("/b.html")} <= recorded
    assert server.url("/robots.txt") in recorded

    # The server is gone: everything now comes from the recording.
    replay = scrapy_runner(
        "crawl",
        "qbitai",
        *server.feed_args(feed),
        # Replay obeys the same fetch policy as the live crawl it recorded.
        **server.allowed,
        NEWSBOT_SNAPSHOT=str(record_dir),
        MONGO_DATABASE=f"{db_name}_replay",
        NEWSBOT_REPORT_ON_CLOSE="False",
    )
    assert replay.returncode == 0, replay.stderr[-3000:]
    client = MongoClient(mongo_uri, tz_aware=True)
    try:
        fields = {"_id": 0, "url": 1, "title": 1, "content": 1, "content_source": 1}
        live_docs = sorted(client[db_name].articles.find({}, fields), key=lambda d: d["url"])
        replay_docs = sorted(client[f"{db_name}_replay"].articles.find({}, fields), key=lambda d: d["url"])
        assert live_docs == replay_docs
        assert [d["content_source"] for d in replay_docs] == ["article", "article"]
        assert "推理成本下降一半" in replay_docs[0]["content"] and "导航" not in replay_docs[0]["content"]
    finally:
        client.drop_database(f"{db_name}_replay")
        client.close()
