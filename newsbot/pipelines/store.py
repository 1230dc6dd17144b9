"""Store: upsert every article by canonical URL, in one write. A re-crawl updates in place, keeps
first_seen and moves last_seen, so the same feed crawled twice never makes a duplicate. An article whose
feed gives no usable date keeps the date it was stored with (newsbot.storage.articles.insert_only_fields).
Items arriving together are written in one bulk write (newsbot.storage.bulk); each is handed on only
once written. What an earlier stage put on the item (its analysis) is written with it; an item without
an analysis leaves the stored one as it is. An article a read has just found absent is inserted
(newsbot.storage.bulk.ArticleBatcher)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from itemadapter import ItemAdapter
from scrapy.exceptions import CloseSpider, DropItem

from newsbot.config import config_for
from newsbot.runs import stat_keys as keys
from newsbot.storage.articles import insert_only_fields
from newsbot.storage.bulk import ArticleBatcher
from newsbot.storage.connection import Store, crawler_store
from newsbot.storage.errors import StoreError, StoreUnavailable

logger = logging.getLogger(__name__)

WRITE_ATTEMPTS = 3


def plain(value):
    """What ItemAdapter.asdict makes of a field's value (nested items as dicts, containers copied),
    without asking every adapter class whether each string and date is an item (0.14 ms an article)."""
    if value is None or isinstance(value, (str, int, float, datetime)):
        return value
    if isinstance(value, dict):
        return {key: plain(v) for key, v in value.items()}
    if isinstance(value, (list, set, tuple)):
        return value.__class__(plain(v) for v in value)
    if ItemAdapter.is_item(value):
        return {key: plain(v) for key, v in ItemAdapter(value).items()}
    return value


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store: Store | None = None
        self.batcher: ArticleBatcher | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def open_spider(self):
        try:
            self.store = await crawler_store(self.crawler)
        except StoreUnavailable as exc:
            # CloseSpider ends the crawl cleanly; newsbot's crawl/digest commands turn this stat into exit 1.
            logger.critical("newsbot: %s", exc)
            self.stats.set_value(keys.STORE_UNAVAILABLE, str(exc))
            raise CloseSpider("store_unavailable") from exc
        store = config_for(self.crawler).store
        self.batcher = ArticleBatcher(
            self.store.db, absent=self.store.absent, max_size=store.batch_size, max_delay=store.batch_delay
        )
        logger.info("Storing articles in %s", self.store.safe_uri)

    async def close_spider(self):
        if self.batcher is not None:
            await self.batcher.close()

    async def process_item(self, item):
        adapter = ItemAdapter(item)
        doc = {key: plain(value) for key, value in adapter.items() if value is not None or key != "analysis"}
        url = doc.pop("url")
        insert_only = insert_only_fields(doc)
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                is_new = await self.batcher.upsert(url, doc, insert_only=insert_only)
                break
            except StoreError as exc:
                if attempt == WRITE_ATTEMPTS:
                    logger.error("Could not store %s after %d attempts: %s", url, attempt, str(exc).splitlines()[0])
                    self.stats.inc_value(keys.STORE_ERRORS)
                    raise DropItem(f"store failed: {url}") from exc
                await asyncio.sleep(0.2 * 2**attempt)
        self.stats.inc_value(keys.ITEMS_STORED)
        self.stats.inc_value(keys.ITEMS_NEW if is_new else keys.ITEMS_UPDATED)
        adapter["url"] = url
        return item
