"""A test extension that writes down every URL the crawl really sent (or, in replay, had answered
from the snapshot), so a test can prove that no request reached a host it must not."""

from __future__ import annotations

import json

from scrapy import signals


class RequestLog:
    def __init__(self, crawler):
        self.path = crawler.settings.get("TESTS_REQUEST_LOG")
        self.urls: list[str] = []

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        # Sent after every downloader middleware has let the request through: it goes on the wire next.
        crawler.signals.connect(ext.reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.received, signal=signals.response_received)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def reached(self, request, spider):
        self.urls.append(request.url)

    def received(self, response, request, spider):
        if "snapshot" in response.flags:  # replay answers before the downloader
            self.urls.append(request.url)

    def closed(self, spider, reason):
        with open(self.path, "a", encoding="utf-8") as out:
            for url in self.urls:
                out.write(json.dumps({"spider": spider.name, "url": url}) + "\n")
