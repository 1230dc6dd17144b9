"""The database goes away in the middle of a crawl: a clear error and a counted stat for what could
not be stored, the crawl finishes, and what was stored before the outage is intact and not duplicated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from pymongo import MongoClient

from newsbot.storage.embedded import ensure_embedded_server, stop_embedded_server
from tests.conftest import ROOT, scrapy_env
from tests.mockserver import MockServer

# A real `scrapy` process and a database daemon killed mid-crawl.
pytestmark = pytest.mark.slow

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>36氪</title>
<item><title>快讯一</title><link><![CDATA[{n1}]]></link><pubDate>2026-02-03 10:00:00  +0800</pubDate>
<description><![CDATA[<p>快讯一全文。</p>]]></description></item>
<item><title>快讯二</title><link><![CDATA[{n2}]]></link><pubDate>2026-02-03 11:00:00  +0800</pubDate>
<description><![CDATA[<p>快讯二全文。</p>]]></description></item>
<item><title>文章</title><link><![CDATA[{p}]]></link><pubDate>2026-02-03 12:00:00  +0800</pubDate>
<description><![CDATA[<p>文章摘要。</p>]]></description></item>
</channel></rss>"""


def test_database_outage_mid_crawl(tmp_path):
    data_dir = tmp_path / "data"
    with MockServer() as server:
        # The newsflash items are stored at once; the article waits on its slow page.
        n1, n2 = server.url("/newsflashes/1"), server.url("/newsflashes/2")
        body = '<html><body><div class="articleDetailContent"><p>' + "正文。" * 50 + "</p></div></body></html>"
        page = server.add("/p/3", body, delay=4.0)
        feed = server.add("/feed", FEED.format(n1=n1, n2=n2, p=page), headers={"Content-Type": "application/xml"})
        settings = {
            "NEWSBOT_DATA_DIR": str(data_dir),
            "MONGO_CONNECT_TIMEOUT_MS": "500",
            "DOWNLOAD_DELAY": "0",
            "NEWSBOT_ANALYZER": "heuristic",
            "NEWSBOT_REPORT_ENABLED": "False",
            **server.allowed,
        }
        flags = [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
        proc = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "36kr", *server.feed_args(feed), *flags],
            cwd=ROOT,
            env=scrapy_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (data_dir / "secantus.json").exists():
                time.sleep(0.1)
            port = json.loads((data_dir / "secantus.json").read_text())["port"]
            client = MongoClient(f"mongodb://127.0.0.1:{port}/?directConnection=true", serverSelectionTimeoutMS=2000)
            while time.monotonic() < deadline and client.newsbot.articles.count_documents({}) < 2:
                time.sleep(0.1)
            assert client.newsbot.articles.count_documents({}) == 2, "the newsflash items should be stored first"
            client.close()
            # The outage: the server dies (no graceful drain) while the article page is still loading.
            state = json.loads((data_dir / "secantus.json").read_text())
            os.kill(state["pid"], signal.SIGKILL)
            _, stderr = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert "Could not store" in stderr and "after 3 attempts" in stderr
    assert "'newsbot/store/errors': 1" in stderr
    assert "Spider closed (finished)" in stderr

    # The database comes back: nothing stored before the outage was lost or duplicated.
    uri = ensure_embedded_server(data_dir)
    try:
        client = MongoClient(uri, tz_aware=True)
        docs = list(client.newsbot.articles.find({}, {"url": 1, "title": 1}))
        assert sorted(d["title"] for d in docs) == ["快讯一", "快讯二"]
        assert len({d["url"] for d in docs}) == 2
        client.close()
    finally:
        stop_embedded_server(data_dir)
