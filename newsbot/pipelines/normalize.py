"""Normalise: canonical URL, plain text, UTC dates, language; drop what cannot be an article."""

from __future__ import annotations

import logging
from datetime import UTC

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newsbot import stats as keys
from newsbot.text.html import one_line, tidy_text
from newsbot.text.lang import detect_lang
from newsbot.urls import canonical_url

logger = logging.getLogger(__name__)


def _unique(values) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        value = one_line(value)
        if value and value not in seen:
            seen[value] = None
    return list(seen)


class NormalizePipeline:
    def __init__(self, crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _drop(self, reason: str, item: ItemAdapter):
        self.stats.inc_value(keys.under(keys.ITEMS_DROPPED, reason))
        raise DropItem(f"{reason}: {item.get('source')} {item.get('original_url') or item.get('title')!r}")

    def process_item(self, item):
        adapter = ItemAdapter(item)
        adapter["title"] = one_line(adapter.get("title"))
        link = (adapter.get("original_url") or "").strip()
        if not adapter["title"]:
            self._drop("no_title", adapter)
        if not link:
            self._drop("no_link", adapter)
        if not link.lower().startswith(("http://", "https://")):
            self._drop("bad_link", adapter)
        adapter["original_url"] = link
        adapter["url"] = canonical_url(link)

        # Spiders hand over plain text; parsing it as HTML again would eat literal "<...>" in it.
        adapter["summary"] = tidy_text(adapter.get("summary"))
        adapter["content"] = tidy_text(adapter.get("content")) or adapter["summary"]
        adapter["authors"] = _unique(adapter.get("authors") or [])
        adapter["feed_categories"] = _unique(adapter.get("feed_categories") or [])
        adapter["lang"] = detect_lang(adapter["title"] + adapter["summary"][:200], adapter.get("lang") or "en")

        fetched = adapter["fetched_at"]
        published = adapter.get("published_at")
        if published is None:
            logger.warning("%s: no parseable date for %s; using the fetch time", adapter["source"], link)
            self.stats.inc_value(keys.ITEMS_DATE_MISSING)
            adapter["published_at"] = fetched
            adapter["date_missing"] = True
        else:
            if published.tzinfo is None:
                published = published.replace(tzinfo=UTC)
            adapter["published_at"] = published.astimezone(UTC)
        self.stats.inc_value(keys.ITEMS_NORMALIZED)
        return item
