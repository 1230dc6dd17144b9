"""Store: upsert every article by canonical URL. A re-crawl updates in place, keeps first_seen and
moves last_seen, so the same feed crawled twice never makes a duplicate."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from itemadapter import ItemAdapter
from pymongo.errors import PyMongoError
from scrapy.exceptions import CloseSpider, DropItem

from newsbot.store import Store, StoreUnavailable, crawler_store

logger = logging.getLogger(__name__)

WRITE_ATTEMPTS = 3


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def open_spider(self):
        try:
            self.store = await crawler_store(self.crawler)
        except StoreUnavailable as exc:
            # CloseSpider ends the crawl cleanly; newsbot's crawl/digest commands turn this stat into exit 1.
            logger.critical("newsbot: %s", exc)
            self.stats.set_value("newsbot/store/unavailable", str(exc))
            raise CloseSpider("store_unavailable") from exc
        logger.info("Storing articles in %s", self.store.safe_uri)

    async def process_item(self, item):
        doc = ItemAdapter(item).asdict()
        url = doc.pop("url")
        now = datetime.now(UTC)
        on_insert = {"first_seen": now}
        if doc.get("content_source") == "feed-fallback":
            # The page failed this time: never replace text a better crawl already stored.
            for key in ("content", "content_source"):
                on_insert[key] = doc.pop(key)
        if doc.get("skip_reason"):
            # A skipped entry (an arXiv replacement of a paper stored earlier as news) never overwrites
            # a stored article: it is only inserted when the URL is new.
            on_insert.update(doc)
            doc = {}
        update = {"$set": {**doc, "last_seen": now}, "$setOnInsert": on_insert}
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                result = await self.store.db.articles.update_one({"url": url}, update, upsert=True)
                break
            except PyMongoError as exc:
                if attempt == WRITE_ATTEMPTS:
                    logger.error("Could not store %s after %d attempts: %s", url, attempt, str(exc).splitlines()[0])
                    self.stats.inc_value("newsbot/store/errors")
                    raise DropItem(f"store failed: {url}") from exc
                await asyncio.sleep(0.2 * 2**attempt)
        self.stats.inc_value("newsbot/items/stored")
        self.stats.inc_value("newsbot/items/new" if result.upserted_id is not None else "newsbot/items/updated")
        ItemAdapter(item)["url"] = url
        return item
