"""Run statistics: each spider run's RunSummary, stored in the `runs` collection (source health
and the report's per-source table read them)."""

from __future__ import annotations

import logging

from scrapy import signals

from newsbot import stats as keys
from newsbot.stats import RunSummary
from newsbot.storage.connection import crawler_store
from newsbot.storage.errors import StoreError, StoreUnavailable
from newsbot.storage.runs import record_run

logger = logging.getLogger(__name__)


class RunStatsExtension:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    async def spider_closed(self, spider, reason):
        stats = self.crawler.stats.get_stats()
        if stats.get(keys.STORE_UNAVAILABLE):
            return
        run = RunSummary.from_stats(
            spider.name, stats, close_reason=reason, snapshot=self.crawler.settings.get("NEWSBOT_SNAPSHOT")
        )
        try:
            store = await crawler_store(self.crawler)
            await record_run(store.db, run)
        except (StoreError, StoreUnavailable) as exc:
            logger.error("Could not record run stats for %s: %s", spider.name, str(exc).splitlines()[0])
