"""Store: upsert every article by canonical URL. A re-crawl updates in place, keeps first_seen and
moves last_seen, so the same feed crawled twice never makes a duplicate. An article whose feed gives
no usable date keeps the date it was stored with. Items arriving together are written in one bulk
write (newsbot.storage.batch); each is handed on only once written. When the analyse pipeline can
analyse an article before its write (AnalyzePipeline.analyses_before_write), the stored analysis is
read first and the new record goes in the same write; an article that read finds absent is inserted."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from itemadapter import ItemAdapter
from scrapy.exceptions import CloseSpider, DropItem

from newsbot.config import config_for
from newsbot.pipelines.analyze import AnalyzePipeline, analyze_pipeline
from newsbot.runs import stat_keys as keys
from newsbot.storage.batch import ArticleBatcher
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
        self.analyze: AnalyzePipeline | None = None

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
        self.batcher = ArticleBatcher(self.store.db, max_size=store.batch_size, max_delay=store.batch_delay)
        self.analyze = analyze_pipeline(self.crawler)
        logger.info("Storing articles in %s", self.store.safe_uri)

    async def close_spider(self):
        if self.batcher is not None:
            await self.batcher.close()

    async def process_item(self, item):
        adapter = ItemAdapter(item)
        doc = {key: plain(value) for key, value in adapter.items()}
        url = doc.pop("url")
        insert_only: tuple[str, ...] = ()
        if doc.get("skip_reason"):
            # A skipped entry (an arXiv replacement of a paper stored earlier as news) never overwrites
            # a stored article: it is only inserted when the URL is new.
            insert_only = tuple(doc)
        elif doc.get("content_source") == "feed-fallback":
            # The page failed this time: never replace text a better crawl already stored.
            insert_only += ("content", "content_source")
        if doc.get("date_missing") or doc.get("date_suspect"):
            # No usable date: the item is dated by when it was first seen, so a re-crawl (or a
            # feed that now claims 2099) never moves an already stored article into a later report.
            insert_only += tuple(
                k for k in ("published_at", "date_missing", "date_suspect", "feed_published_at") if k not in insert_only
            )
        new, record = False, None
        if self.analyze is not None and self.analyze.analyses_before_write(doc, insert_only):
            try:
                stored = await self.store.analysis_reader.find(url)
            except StoreError:
                pass  # the write meets the outage too; if it gets through, the article is analysed after it
            else:
                new = stored is None
                record = await self.analyze.record_before_write(url, doc, stored)
        if record is not None:
            doc["analysis"] = record
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                is_new = await self.batcher.upsert(url, doc, insert_only=insert_only, new=new)
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
        if record is not None:
            self.analyze.stored_with_analysis(item)
        return item
