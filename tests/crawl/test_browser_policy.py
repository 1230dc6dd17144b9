"""The fetch policy inside real headless Chromium: a hostile page served from an allowed test host
points every kind of request, and a redirect, at another loopback server. That server must see none
of them, the internal text must not be stored, and the run's summary line counts the refusals."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.crawl.test_browser import crawl_qbitai
from tests.mockserver import MockServer

INTERNAL_TEXT = "内部系统机密：这段文字只在内网服务器上。"
INTERNAL_PAGE = f"<html><body><article><p>{INTERNAL_TEXT}</p><p>{INTERNAL_TEXT}</p></article></body></html>"

# Every request kind the policy must stop: script, img, stylesheet, fetch, XHR, iframe, websocket,
# beacon; half by literal loopback address, half by a name that resolves to one (localhost).
HOSTILE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>hostile</title>
<link rel="stylesheet" href="{b}/style.css"><script src="{named}/script.js"></script></head>
<body><article id="root"><p>页面正文：一篇看起来正常的人工智能新闻，正文由脚本补全。</p></article>
<img src="{named}/pixel.png"><iframe src="{b}/frame.html"></iframe>
<script>
  fetch("{b}/internal.html").then(r => r.text()).then(t => {{ document.getElementById("root").innerHTML += t; }}).catch(() => 0);
  const xhr = new XMLHttpRequest(); xhr.open("GET", "{named}/xhr"); xhr.send();
  navigator.sendBeacon("{b}/beacon", "x");
  try {{ new WebSocket("{ws}/socket"); }} catch (e) {{}}
  window.open("{b}/popup.html");
</script></body></html>"""

GOOD_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>good</title></head><body><main id="root"></main>
<img src="/logo.png"><script>
  const article = document.createElement("article");
  for (const text of ["浏览器渲染的正文第一段：开源模型在推理基准上再创新高。",
                      "第二段：研究团队称新方法把训练成本降低了一半，并计划公开代码。"]) {
    const p = document.createElement("p"); p.textContent = text; article.appendChild(p);
  }
  document.getElementById("root").appendChild(article);
  // A service worker would fetch for the page outside its routes: registration is blocked (were it
  // not, the context's route would refuse its script, one more refusal than the counters below).
  navigator.serviceWorker.register("/sw.js").catch(() => 0);
  // WebRTC reaches addresses around the routes: with it off, no ICE candidate is ever found.
  const pc = new RTCPeerConnection({iceServers: []});
  pc.createDataChannel("probe");
  pc.onicecandidate = e => { if (e.candidate && e.candidate.candidate) fetch("/webrtc-candidate"); };
  pc.createOffer().then(offer => pc.setLocalDescription(offer));
</script></body></html>"""

INTERNAL_PATHS = ("/style.css", "/script.js", "/pixel.png", "/frame.html", "/internal.html", "/xhr", "/beacon")
INTERNAL_PATHS += ("/socket", "/popup.html")

FEED_ITEM = """<item><title>{title}</title><link>{link}</link><pubDate>Tue, 03 Feb 2026 10:00:00 +0000</pubDate>
<description>{summary}</description></item>"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not shutil.which("chromium") and not shutil.which("/usr/bin/chromium"), reason="needs Debian chromium"
    ),
]


def test_browser_pages_obey_the_fetch_policy(scrapy_runner, mongo_db):
    with MockServer() as site, MockServer() as internal:
        # The internal server answers every path with its secret, whatever the request.
        for path in INTERNAL_PATHS:
            internal.add(path, INTERNAL_PAGE)
        b = internal.base
        named = b.replace("127.0.0.1", "localhost")
        hostile = site.add("/2026/02/hostile.html", HOSTILE_PAGE.format(b=b, named=named, ws=b.replace("http", "ws")))
        redirect = site.add("/2026/02/moved.html", "", status=302, headers={"Location": f"{b}/internal.html"})
        offsite = site.add("/2026/02/away.html", "", status=302, headers={"Location": f"{named}/internal.html"})
        site.add("/2026/02/good.html", GOOD_PAGE)
        site.add("/logo.png", b"\x89PNG", headers={"Content-Type": "image/png"})
        site.add("/sw.js", f"fetch('{b}/from-worker');", headers={"Content-Type": "text/javascript"})
        # A redirect that stays on the source's host is followed, hop by hop.
        good = site.add("/2026/02/good", "", status=301, headers={"Location": "/2026/02/good.html"})
        items = [
            ("恶意页面", hostile, "订阅源里的摘要：恶意页面"),
            ("跳转到内网", redirect, "订阅源里的摘要：跳转到内网"),
            ("跳转到别处", offsite, "订阅源里的摘要：跳转到别处"),
            ("正常页面", good, ""),
        ]
        feed = "".join(FEED_ITEM.format(title=t, link=link, summary=s) for t, link, s in items)
        feed_url = site.add(
            "/feed",
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>量子位</title>{feed}</channel></rss>',
            headers={"Content-Type": "application/rss+xml"},
        )
        result = crawl_qbitai(scrapy_runner, site, feed_url, NEWSBOT_PLAYWRIGHT_SOURCES="qbitai")
    assert result.returncode == 0, result.stderr[-3000:]
    assert internal.hits == {}, internal.hits
    assert site.hits["/2026/02/good.html"] == 1 and site.hits["/logo.png"] == 1
    assert "/sw.js" not in site.hits and "/webrtc-candidate" not in site.hits

    docs = {doc["url"]: doc for doc in mongo_db.articles.find()}
    for title, link, summary in items[:3]:
        doc = docs[link]
        assert doc["content_source"] == "feed", title
        assert doc["content"] == summary
    assert not any(INTERNAL_TEXT in doc["content"] for doc in docs.values())
    assert docs[good]["content_source"] == "article"
    assert "开源模型在推理基准上再创新高" in docs[good]["content"]

    counters = mongo_db.runs.find_one({"source": "qbitai"})["counters"]
    assert counters["article/not_fetched/private_address"] == 2
    assert counters["article/not_fetched/offsite"] == 1
    # script, stylesheet, img, iframe, fetch, XHR, beacon, websocket, and the redirect.
    assert counters["fetch/refused/private_address"] == 9
    assert counters["fetch/refused/offsite"] == 1
    # The popup is closed and its request refused, not held against the page that opened it.
    assert counters["fetch/refused/popup"] == 1
    assert counters["fetch/refused_in_browser"] == 11
    [summary] = [line for line in result.stderr.splitlines() if "the fetch policy refused" in line]
    assert re.search(
        r"refused 11 request\(s\) \(offsite: 1, popup: 1, private_address: 9\), 11 of them made by", summary
    )
    assert summary.endswith("3 article page(s) not fetched keep the feed text")
