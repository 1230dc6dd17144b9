"""A test extension that pushes a report from inside a crawl, the way the report extension does:
on a worker thread, awaited in spider_closed on Scrapy's asyncio reactor."""

from __future__ import annotations

import asyncio
import json
import logging

from scrapy import signals

from newsbot.delivery import push_report
from tests.ops.conftest import sample_report

logger = logging.getLogger(__name__)


class PushOnClose:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    async def spider_closed(self, spider, reason):
        result = await asyncio.to_thread(push_report, self.crawler.settings, sample_report(), {}, self.crawler.stats)
        logger.info("PUSH RESULT %s", json.dumps(result.as_dict(), ensure_ascii=False))
