"""The shared feed spider: fetch feeds, turn entries into NewsItems, follow article pages when the
feed text is partial, and never lose an item because its page failed. One subclass per source is
made at load time (newsbot.spiders.loader); its behaviour comes from the source's entry."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from newsbot.config import config_for, set_user_agent
from newsbot.fetch.middlewares import RedirectLoop
from newsbot.fetch.policy import (
    ALLOWED_SCHEMES,
    DNS_ERRORS,
    TIMEOUT_ERRORS,
    PolicyRefusal,
    PrivateAllowList,
    is_public,
    parse_ip,
)
from newsbot.items import NewsItem
from newsbot.parsers import ExtractionError
from newsbot.parsers.challenge import looks_like_challenge
from newsbot.parsers.feeds import read_feed
from newsbot.parsers.registry import extract_article
from newsbot.runs import stat_keys as keys
from newsbot.runtime.workers import Offload, WorkerCrashed
from newsbot.sources.catalog import SOURCES, Source
from newsbot.text import html_to_text
from newsbot.text.boilerplate import strip_boilerplate

logger = logging.getLogger(__name__)
# A guid that can stand in a URL path (FT's bare UUIDs), not a URL or free text.
_BARE_GUID_RE = re.compile(r"^[A-Za-z0-9._~-]+$")


def _by_kind(stats: dict, prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}


def _detail(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind}: {count}" for kind, count in counts.items())


class EntryDropped(Exception):
    """An entry that cannot become an item; `reason` is the stat key suffix (newsbot/entry/dropped/...)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


class FeedSpider(scrapy.Spider):
    # The loader's generated subclass sets `name` and `source`; a quirk module's class sets `name`
    # and overrides the hooks below.
    source: Source | None = None

    @classmethod
    def source_entry(cls) -> Source:
        return cls.source or SOURCES[cls.name]

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        source = cls.source_entry()
        settings.setdict(source.spider_settings(), priority="spider")
        crawl = config_for(settings).crawl
        set_user_agent(settings, crawl.contact)
        if crawl.snapshot:
            # Replay touches no server: politeness delays would only slow the replay down.
            settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        if source.playwright or cls.name in crawl.playwright_sources:
            launch = dict(crawl.playwright_launch_options)
            launch["executable_path"] = crawl.chromium_path
            settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority="spider")
        else:
            # No page of this source needs a browser: keep Playwright (and its driver) out of the run.
            settings.set("DOWNLOAD_HANDLERS", {}, priority="spider")

    def __init__(self, *args, feeds: str | None = None, domains: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.source: Source = self.source_entry()
        # `-a feeds=URL,URL` points the spider at other feeds (tests, mirrors) without new code. Those
        # feeds are fetched wherever they are, but pages only on the source's allowed_domains (from the
        # sources file; for a user's entry without them, the hosts of its feeds), plus any named with
        # `-a domains=host,host` (a mirror's own host, a test server).
        self.feed_urls = [u.strip() for u in feeds.split(",") if u.strip()] if feeds else list(self.source.feeds)
        extra = [d.strip().lower() for d in (domains or "").split(",") if d.strip()]
        # Read by Scrapy's offsite filter (newsbot.fetch.middlewares.SourceDomainsMiddleware).
        self.allowed_domains = list(dict.fromkeys([*self.source.allowed_domains, *extra]))

    @property
    def use_browser(self) -> bool:
        return self.source.playwright or self.name in config_for(self.settings).crawl.playwright_sources

    def _inc(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(key, count)

    @property
    def offload(self) -> Offload:
        if not hasattr(self, "_offload"):
            self._offload = Offload.from_crawler(self.crawler)
        return self._offload

    @property
    def private_allow(self) -> PrivateAllowList:
        if not hasattr(self, "_private_allow"):
            self._private_allow = PrivateAllowList.from_settings(self.settings)
        return self._private_allow

    async def start(self):
        for url in self.feed_urls:
            # A feed the operator named is fetched even off the source's domains (never at a private address).
            meta = {"feed_url": url, "allow_offsite": True}
            # dont_filter: a feed that redirects back to itself must reach feed_failed (RedirectLoopMiddleware),
            # not vanish in the duplicate filter.
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.feed_failed, meta=meta, dont_filter=True)

    # -- feeds ------------------------------------------------------------------------------------
    async def parse_feed(self, response):
        self._inc(keys.FEED_FETCHED)
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        # In a worker process when there is one (newsbot.runtime.workers): feedparser is slow, a few ms a feed.
        feed = await self.offload(read_feed, response.body, content_type, self.source.lang)
        if feed.status == "blocked":
            logger.error("%s: blocked: %s at %s", self.name, feed.error, response.url)
            self._inc(keys.FEED_BLOCKED)
            return
        if feed.status == "not_feed":
            logger.error("%s: %s at %s", self.name, feed.error, response.url)
            self._inc(keys.FEED_ERROR)
            return
        logger.debug("%s: feed at %s decoded as %s (%s)", self.name, response.url, feed.encoding, feed.encoding_method)
        self._inc(keys.under(keys.FEED_ENCODING, feed.encoding_method))
        if feed.encoding_guessed:
            self._inc(keys.FEED_ENCODING_GUESSED)
        if feed.status == "malformed":
            logger.error(
                "%s: malformed feed at %s (%s); keeping the %d entries that could be read",
                self.name,
                response.url,
                feed.error,
                len(feed.entries),
            )
            self._inc(keys.FEED_MALFORMED)
        if feed.entries or feed.status != "malformed":
            self._inc(keys.FEED_READ)
        if not feed.entries:
            # arXiv is empty every weekend: a warning, not an error.
            logger.warning("%s: feed at %s has no entries", self.name, response.url)
            self._inc(keys.FEED_EMPTY)
            return
        self._inc(keys.FEED_ENTRIES, len(feed.entries))
        fetched_at = datetime.now(UTC)
        for position, entry in enumerate(feed.entries, 1):
            # One bad entry never costs the others: whatever goes wrong is caught here and counted.
            try:
                output = self.entry_output(entry, response, fetched_at)
            except EntryDropped as drop:
                logger.error(
                    "%s: entry %d of %s dropped (%s): %s", self.name, position, response.url, drop.reason, drop
                )
                self._inc(keys.under(keys.ENTRY_DROPPED, drop.reason))
                continue
            except Exception:
                logger.exception("%s: entry %d of %s dropped: it could not be read", self.name, position, response.url)
                self._inc(keys.under(keys.ENTRY_DROPPED, "error"))
                continue
            yield output

    def entry_output(self, entry, response, fetched_at: datetime):
        """The item for one entry, or the request for its article page."""
        item = self.item_from_entry(entry, response, fetched_at)
        if item.original_url:
            self.check_link(item.original_url)
        reason = self.skip_reason(entry)
        if reason:
            # Kept and flagged, never dropped: the feed listed it, so it counts among the day's raw items.
            self._inc(keys.under(keys.ITEMS_SKIPPED, reason))
            item.skip_reason = reason
            return item
        if item.title and item.original_url and self.wants_article(item, entry):
            return self.article_request(item)
        return item

    def check_link(self, link: str) -> None:
        """Only a public http(s) link can be an article's address (javascript:, data:, file: never)."""
        parts = urlsplit(link)
        if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
            raise EntryDropped("bad_link", f"link {link[:80]!r} is not an http(s) address")
        host = parts.hostname
        ip = parse_ip(host)
        internal = host == "localhost" or host.endswith(".localhost") or (ip is not None and not is_public(ip))
        if internal and not self.private_allow.allows(host, parts.port):
            raise EntryDropped("private_link", f"link {link[:80]!r} points at an internal address")

    def feed_failed(self, failure):
        request = failure.request
        if failure.check(HttpError):
            status = failure.value.response.status
            if status in (403, 429, 503) and looks_like_challenge(failure.value.response.text):
                logger.error("%s: blocked (HTTP %d challenge) at %s", self.name, status, request.url)
                self._inc(keys.FEED_BLOCKED)
                return
            logger.error("%s: feed %s answered HTTP %d", self.name, request.url, status)
        elif failure.check(RedirectLoop):
            logger.error("%s: feed %s failed: %s", self.name, request.meta.get("feed_url", request.url), failure.value)
            self._inc(keys.FEED_REDIRECT_LOOP)
        else:
            logger.error("%s: feed %s failed: %s", self.name, request.url, failure.getErrorMessage())
        self._inc(keys.FEED_ERROR)
        self._inc(keys.FEED_FETCH_ERROR)

    # -- entry -> item ----------------------------------------------------------------------------
    def item_from_entry(self, entry, response, fetched_at: datetime) -> NewsItem:
        link = self.entry_link(entry)
        if link and not urlsplit(link).scheme:
            absolute = urljoin(response.url, link)
            logger.warning("%s: relative link %r in %s resolved to %s", self.name, link, response.url, absolute)
            self._inc(keys.ITEMS_RELATIVE_LINK)
            link = absolute
        summary_html = entry.get("summary", "")
        content_html = self.entry_content(entry)
        return NewsItem(
            url=link,
            original_url=link,
            source=self.name,
            source_name=self.source.display_name,
            title=entry.get("title", ""),
            published_at=self.entry_published(entry),
            fetched_at=fetched_at,
            authors=self.entry_authors(entry),
            feed_categories=[t.get("term", "") for t in entry.get("tags", []) if t.get("term")],
            lang=self.source.lang,
            # Feed descriptions carry the same bylines and credits as the pages (量子位, 36氪 newsflashes).
            summary=strip_boilerplate(self.clean_summary(summary_html)),
            content=strip_boilerplate(html_to_text(content_html)) if content_html else "",
            paywalled=self.source.paywalled,
            content_source="feed",
            guid=entry.get("id", ""),
            feed_url=response.meta.get("feed_url", response.url),
            extra=self.entry_extra(entry),
        )

    def skip_reason(self, entry) -> str | None:
        """A stat-key reason not to report the entry (not news), or None for news. A skipped entry is
        still stored (flagged with the reason) but never followed, analysed or selected."""
        return None

    def entry_link(self, entry) -> str:
        link = (entry.get("link") or "").strip()
        guid = (entry.get("id") or "").strip()
        if not link and self.source.link_template and _BARE_GUID_RE.match(guid):
            return self.source.link_template.format(guid=guid)
        return link

    def entry_published(self, entry) -> datetime | None:
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC)
        return None

    def entry_authors(self, entry) -> list[str]:
        names = [a.get("name", "").strip() for a in entry.get("authors", []) if a.get("name")]
        if not names and entry.get("author"):
            names = [entry["author"].strip()]
        return names

    def entry_content(self, entry) -> str:
        """Full text in the feed (content:encoded, Atom content), or "" when the feed is partial."""
        contents = entry.get("content") or []
        if contents:
            return contents[0].get("value", "")
        return entry.get("summary", "") if self.source.summary_is_content else ""

    def clean_summary(self, summary_html: str) -> str:
        return html_to_text(summary_html)

    def entry_extra(self, entry) -> dict:
        return {}

    def wants_article(self, item: NewsItem, entry) -> bool:
        return self.source.full_text and not item.paywalled

    # -- article pages ----------------------------------------------------------------------------
    def article_request(self, item: NewsItem) -> scrapy.Request:
        meta = {"item_source": self.name}
        if self.use_browser:
            meta.update(playwright=True, playwright_page_goto_kwargs={"wait_until": "networkidle"})
        return scrapy.Request(
            item.original_url,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"item": item},
            meta=meta,
            # Two feeds can list the same article (36kr feed + newsflash): each entry still becomes an item.
            dont_filter=True,
        )

    async def parse_article(self, response, item: NewsItem):
        if looks_like_challenge(response.text):
            # Counted (article/blocked) and watched by source health; one page is not a person's problem yet.
            logger.warning("%s: challenge page instead of article %s; keeping the feed text", self.name, response.url)
            self._inc(keys.ARTICLE_BLOCKED)
            yield self.with_feed_text(item, "blocked")
            return
        try:
            # In a worker process when there is one (newsbot.runtime.workers): extraction is the crawl's heaviest work.
            page = await self.offload(extract_article, self.source.parser, response.text, response.url)
        except (ExtractionError, WorkerCrashed) as exc:
            logger.error("%s: could not extract article %s (%s); keeping the feed text", self.name, response.url, exc)
            yield self.with_feed_text(item, "worker_crashed" if isinstance(exc, WorkerCrashed) else "unparseable")
            return
        self._inc(keys.ARTICLE_OK)
        item.content = page.text
        item.content_source = "article"
        if page.authors and not item.authors:
            item.authors = page.authors
        if page.published_at and item.published_at is None:
            item.published_at = page.published_at
        yield item

    def article_failed(self, failure):
        item: NewsItem = failure.request.cb_kwargs["item"]
        if failure.check(PolicyRefusal):
            # Not a failure: the fetch policy keeps this page out of reach (another site, an internal
            # address, a redirect there). The item keeps its feed text and its link.
            self._inc(keys.under(keys.ARTICLE_NOT_FETCHED, failure.value.reason))
            item.content = item.content or item.summary
            item.content_source = "feed"
            yield item
            return
        if failure.check(HttpError):
            reason = f"http_{failure.value.response.status}"
        elif failure.check(*TIMEOUT_ERRORS):
            reason = "timeout"
        elif failure.check(*DNS_ERRORS):
            reason = "dns"
        else:
            reason = failure.type.__name__.lower()
        # Expected and handled (the item keeps its feed text): counted, and summed up in one WARNING per
        # source when the spider closes; a line per page would bury that summary.
        logger.info("%s: article page %s failed (%s); keeping the feed text", self.name, failure.request.url, reason)
        yield self.with_feed_text(item, reason)

    def closed(self, reason):
        """One summary line per source for the requests the fetch policy refused, and one for the
        article pages that fell back to the feed text."""
        stats = self.crawler.stats.get_stats()
        refused = _by_kind(stats, keys.FETCH_REFUSED)
        if refused:
            in_browser = int(stats.get(keys.FETCH_REFUSED_BROWSER, 0) or 0)
            logger.warning(
                "%s: the fetch policy refused %d request(s) (%s), %d of them made by browser pages; "
                "%d article page(s) not fetched keep the feed text",
                self.name,
                sum(refused.values()),
                _detail(refused),
                in_browser,
                sum(_by_kind(stats, keys.ARTICLE_NOT_FETCHED).values()),
            )
        failed = int(stats.get(keys.ARTICLE_FAILED, 0) or 0)
        if failed:
            detail = _detail(_by_kind(stats, keys.ARTICLE_FAILED_BECAUSE))
            logger.warning(
                "%s: %d article page(s) failed (%s); their items keep the feed text", self.name, failed, detail
            )

    def with_feed_text(self, item: NewsItem, reason: str) -> NewsItem:
        self._inc(keys.ARTICLE_FAILED)
        self._inc(keys.under(keys.ARTICLE_FAILED_BECAUSE, reason))
        item.content = item.content or item.summary
        item.content_source = "feed-fallback"
        return item
