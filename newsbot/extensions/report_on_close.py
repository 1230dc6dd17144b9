"""Render the day's report when a spider closes, from everything MongoDB holds for the window.

`scrapy crawl <source>` leaves an up-to-date report behind, so the last crawl of the day leaves the
full one. `scrapy digest` sets NEWSBOT_REPORT_ON_CLOSE=False and renders once after all spiders.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsbot.config import config_for
from newsbot.report.daily import publish_day, push_published, undelivered
from newsbot.report.render import missing_line
from newsbot.runs import stat_keys as keys
from newsbot.runs.stat_keys import RunSummary

logger = logging.getLogger(__name__)


class ReportOnCloseExtension:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        report = config_for(crawler).report
        if not report.enabled or not report.on_close:
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    async def spider_closed(self, spider, reason):
        stats = self.crawler.stats
        if stats.get_value(keys.STORE_UNAVAILABLE):
            logger.warning("No report: the database was unavailable during this crawl")
            return
        # This crawl's figures come from its own stats: RunStatsExtension's `runs` document may not
        # be written yet, since spider_closed handlers run side by side.
        run = RunSummary.from_stats(spider.name, stats.get_stats())
        # A crawl stopped by a signal, or whose feeds all failed, does not replace the day's report
        # (`scrapy crawl` says so and exits non-zero: newsbot.commands.outcome).
        if reason == "shutdown" or not run.good:
            logger.warning("No report: %s", "the crawl was interrupted" if reason == "shutdown" else "no feed was read")
            return
        try:
            # pymongo's blocking client and the templates stay off the reactor's loop.
            published = await asyncio.to_thread(publish_day, self.crawler.settings, {spider.name: run})
        except Exception as exc:  # a failed report must not hide the crawl's own result
            logger.error("Report not rendered after %s: %s", spider.name, exc, exc_info=not isinstance(exc, OSError))
            stats.set_value(keys.REPORT_FAILED, 1)
            return
        r = published.report
        stats.set_value(keys.REPORT_ENTRIES, len(r.domestic) + len(r.international))
        logger.info(
            "Report %s: %d domestic + %d international from %d articles: %s",
            r.date,
            len(r.domestic),
            len(r.international),
            r.raw_count,
            ", ".join(str(p) for p in published.paths),
        )
        if line := missing_line(r.stats.get("missing_sources") or [], r.stats.get("broken_sources") or []):
            logger.info(line)
        if published.draft:
            # `scrapy crawl` exits 1 on it. Never pushed: a draft is not an issue of the day.
            stats.set_value(keys.REPORT_DRAFT, 1)
            return
        # Off by default: with one cron entry per source, pushing on every close would spam the channels.
        if config_for(self.crawler).delivery.on_close:
            pushed = await asyncio.to_thread(push_published, self.crawler.settings, published)
            if problem := undelivered(pushed, r.date):
                logger.error("Push after %s: %s", spider.name, problem)
                stats.set_value(keys.PUSH_UNDELIVERED, 1)
