"""Normalise: canonical URL, plain text, UTC dates, language; drop what cannot be an article;
bound what a hostile feed could make huge (title, summary, content) and flag impossible dates."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

import regex
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newsbot.config import config_for
from newsbot.runs import stat_keys as keys
from newsbot.text.html import one_line, tidy_text
from newsbot.text.lang import article_lang
from newsbot.text.urls import canonical_url

logger = logging.getLogger(__name__)


def cap_text(text: str, limit: int) -> str:
    """At most `limit` characters; a longer text is cut between two grapheme clusters (never inside
    an emoji or a letter with its accents) and ends with "…"."""
    if limit <= 0 or len(text) <= limit:
        return text
    size, kept = 0, []
    for cluster in regex.finditer(r"\X", text):
        if size + len(cluster.group()) > limit - 1:
            break
        kept.append(cluster.group())
        size += len(cluster.group())
    return "".join(kept).rstrip() + "…"


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
        crawl = config_for(crawler).crawl
        self.max_title = crawl.max_title_chars
        self.max_summary = crawl.max_summary_chars
        self.max_content = crawl.max_content_chars
        self.max_future = timedelta(hours=crawl.max_future_hours)
        self.min_date = datetime.combine(crawl.min_date, time(), UTC)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _drop(self, reason: str, item: ItemAdapter):
        self.stats.inc_value(keys.under(keys.ITEMS_DROPPED, reason))
        raise DropItem(f"{reason}: {item.get('source')} {item.get('original_url') or item.get('title')!r}")

    def _bounded(self, field: str, text: str, limit: int) -> str:
        capped = cap_text(text, limit)
        if capped != text:
            self.stats.inc_value(keys.under(keys.ITEMS_CAPPED, field))
        return capped

    def process_item(self, item):
        adapter = ItemAdapter(item)
        adapter["title"] = one_line(adapter.get("title"))
        link = (adapter.get("original_url") or "").strip()
        if not adapter["title"]:
            self._drop("no_title", adapter)
        adapter["title"] = self._bounded("title", adapter["title"], self.max_title)
        if not link:
            self._drop("no_link", adapter)
        if not link.lower().startswith(("http://", "https://")):
            self._drop("bad_link", adapter)
        adapter["original_url"] = link
        adapter["url"] = canonical_url(link)

        # Spiders hand over plain text; parsing it as HTML again would eat literal "<...>" in it.
        adapter["summary"] = self._bounded("summary", tidy_text(adapter.get("summary")), self.max_summary)
        content = tidy_text(adapter.get("content")) or adapter["summary"]
        adapter["content"] = self._bounded("content", content, self.max_content)
        adapter["authors"] = _unique(adapter.get("authors") or [])
        adapter["feed_categories"] = _unique(adapter.get("feed_categories") or [])
        # The feed's declared language is only a default: WeChat mirrors and scraper-made feeds declare
        # `en` over Chinese text. The headline and the start of the text decide.
        opening = (adapter["summary"] or adapter["content"])[:200]
        adapter["lang"] = article_lang(f"{adapter['title']}\n{opening}", adapter.get("lang") or "en")

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
            published = published.astimezone(UTC)
            if published > fetched + self.max_future or published < self.min_date:
                # An impossible date must not decide which day's report the item lands in.
                logger.warning(
                    "%s: impossible date %s for %s; using the time it was first seen",
                    adapter["source"],
                    published,
                    link,
                )
                self.stats.inc_value(keys.ITEMS_DATE_SUSPECT)
                adapter["feed_published_at"] = published
                adapter["date_suspect"] = True
                published = fetched
            adapter["published_at"] = published
        self.stats.inc_value(keys.ITEMS_NORMALIZED)
        return item
