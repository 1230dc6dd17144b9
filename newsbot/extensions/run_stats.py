"""Crawl-level extensions: per-run source statistics stored in MongoDB (source health reads them)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pymongo.errors import PyMongoError
from scrapy import signals

from newsbot.store import StoreUnavailable, crawler_store

logger = logging.getLogger(__name__)


def run_summary(stats: dict) -> dict:
    """The per-source figures of one crawl, from its Scrapy stats."""

    def get(key: str) -> int:
        return int(stats.get(f"newsbot/{key}", 0) or 0)

    parse_errors = get("feed/malformed") + get("feed/error") + get("article/failed/unparseable")
    summary = {
        "feeds_fetched": get("feed/fetched"),
        "items_seen": get("feed/entries"),
        "stored": get("items/stored"),
        "new": get("items/new"),
        "updated": get("items/updated"),
        "failed_pages": get("article/failed"),
        "blocked": get("feed/blocked") + get("article/blocked"),
        "parse_errors": parse_errors,
        "errors": get("feed/error") + get("store/errors"),
        "dropped": sum(int(v) for k, v in stats.items() if k.startswith("newsbot/items/dropped/")),
        "skipped": sum(int(v) for k, v in stats.items() if k.startswith("newsbot/items/skipped/")),
    }
    if get("feed/blocked"):
        status = "blocked"
    elif get("feed/error") and not summary["items_seen"]:
        status = "error"
    elif not summary["items_seen"]:
        status = "empty"
    else:
        status = "ok"
    summary["status"] = status
    summary["llm"] = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newsbot/llm/")}
    return summary


class RunStatsExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self.started_at = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.started_at = datetime.now(UTC)

    async def spider_closed(self, spider, reason):
        stats = self.crawler.stats.get_stats()
        if stats.get("newsbot/store/unavailable"):
            return
        finished = datetime.now(UTC)
        doc = {
            "source": spider.name,
            "started_at": self.started_at,
            "finished_at": finished,
            "duration_s": round((finished - self.started_at).total_seconds(), 3),
            "close_reason": reason,
            "snapshot": self.crawler.settings.get("NEWSBOT_SNAPSHOT"),
            **run_summary(stats),
            # Every newsbot counter, for health checks and for debugging a bad day.
            "counters": {k.removeprefix("newsbot/"): v for k, v in stats.items() if k.startswith("newsbot/")},
        }
        self.crawler.newsbot_run = doc
        try:
            store = await crawler_store(self.crawler)
            await store.db.runs.insert_one(doc)
        except (PyMongoError, StoreUnavailable) as exc:
            logger.error("Could not record run stats for %s: %s", spider.name, str(exc).splitlines()[0])
