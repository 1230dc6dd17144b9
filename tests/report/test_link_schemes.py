"""The report never renders a link whose scheme is not http(s), whatever a database holds (an article
stored before the crawl refused such links, or written by another tool)."""

from __future__ import annotations

import json
import re

from newsbot.report.daily import publish_report
from newsbot.text.window import report_window
from tests.report.conftest import day_settings
from tests.report.factory import P, article, seed_like_day
from tests.report.test_report_db import NOW

HOSTILE = {
    "javascript:alert(document.cookie)": "OpenAI",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==": "Anthropic",
    "file:///etc/passwd": "Nvidia",
    "JaVaScRiPt:alert(2)": "Google",
    " vbscript:msgbox(1)": "Meta",
}


def test_non_http_links_are_never_rendered(mongo_db, tmp_path):
    docs = seed_like_day()
    for n, (url, entity) in enumerate(HOSTILE.items()):
        docs.append(
            article(url, f"{entity} 发布第{n}代推理芯片", "theverge",
                    P + f"{entity}发布第{n}代推理芯片，性能提升{n + 2}倍，融资{n + 1}亿美元。",
                    score=95, importance="high", entities=[entity], hours_before_cutoff=2 + n)
        )  # fmt: skip
    mongo_db.articles.insert_many(docs)
    settings = day_settings()
    publish_report(settings, mongo_db, report_window(settings), tmp_path, now=NOW)
    payload = json.loads((tmp_path / "2026-02-04.json").read_text(encoding="utf-8"))
    titles = {e["title"] for e in payload["international"]}
    assert any("推理芯片" in t for t in titles), "the hostile articles should be selected"
    html = (tmp_path / "2026-02-04.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h == "#" or h.startswith(("http://", "https://")) for h in hrefs)
    for fmt in ("html", "md", "txt"):
        text = (tmp_path / f"2026-02-04.{fmt}").read_text(encoding="utf-8").lower()
        for scheme in ("javascript:", "data:text", "file:", "vbscript:"):
            assert scheme not in text, (fmt, scheme)
