"""Run statistics: each spider run's RunSummary, stored in the `runs` collection (source health
and the report's per-source table read them)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy import signals
from scrapy.statscollectors import MemoryStatsCollector

from newsbot.config import config_for
from newsbot.runs import stat_keys as keys
from newsbot.runs.stat_keys import RunSummary
from newsbot.runtime.scrapy_internals import PlainAttributes
from newsbot.storage.connection import crawler_store
from newsbot.storage.errors import StoreError, StoreUnavailable
from newsbot.storage.runs import record_run

logger = logging.getLogger(__name__)


def report_day(settings, now: datetime) -> str:
    """NEWSBOT_DATE, or the local date of `now` for a live crawl (the day its live report is for)."""
    report = config_for(settings).report
    return (report.date or now.astimezone(report.timezone).date()).isoformat()


class StatsCollector(PlainAttributes, MemoryStatsCollector):
    """Scrapy's, except for two costs that grow with the size of a digest: the stats dump at close is
    formatted only when it will be logged (Scrapy pretty-prints every stat before asking the log level,
    once per source), and its attributes are plain (newsbot.runtime.scrapy_internals)."""

    def close_spider(self, spider=None, reason=None) -> None:
        if self._dump and not logging.getLogger("scrapy.statscollectors").isEnabledFor(logging.INFO):
            self._persist_stats(self._stats)
            return
        super().close_spider(spider, reason)


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
        settings = self.crawler.settings
        run = RunSummary.from_stats(
            spider.name,
            stats,
            close_reason=reason,
            snapshot=config_for(settings).crawl.snapshot,
            report_day=report_day(settings, datetime.now(UTC)),
            job=getattr(spider, "_job", None),
        )
        try:
            store = await crawler_store(self.crawler)
            await record_run(store.db, run)
        except (StoreError, StoreUnavailable) as exc:
            logger.error("Could not record run stats for %s: %s", spider.name, str(exc).splitlines()[0])
