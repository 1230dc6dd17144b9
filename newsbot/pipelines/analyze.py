"""Analyse: judge and summarise every stored article, concurrently with the crawl.

process_item only schedules the analysis and hands the item on at once, so a slow model never
holds up the crawl; the LLM gate bounds how many requests are in flight. close_spider waits for
every pending analysis, which Scrapy runs before the spider_closed handlers (the report) fire.
The article is read back from MongoDB rather than from the item, so the analysis sees the best
text stored so far (the store pipeline keeps a good body over a later feed-only fallback).

With the heuristic, most articles are analysed before their write instead (record_before_write), and
the store pipeline writes the article and its analysis in one write rather than two: the database's
cost is per document written. That is done only when the item alone decides everything the analysis
reads of the stored article (no insert-only field), so the record is exactly what a read-back would
give; the store pipeline reads the stored analysis first, so a current one is kept, not recomputed.

Analyses in flight are bounded per process (NEWSBOT_ANALYSIS_CONCURRENCY), across every crawler of
a digest: thousands of articles analysed at once (by the heuristic on the reactor's thread, when there
is no worker process: newsbot.runtime.workers) starve the event loop until the database driver's heartbeats
time out and its pool pauses.
"""

from __future__ import annotations

import asyncio
import logging

from itemadapter import ItemAdapter

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.heuristic import warm_up_worker
from newsbot.analysis.service import AnalysisConfig, AnalysisService, Counters
from newsbot.config import config_for
from newsbot.report.candidate import key_inputs
from newsbot.report.keys import make_keys, remember_keys
from newsbot.runs import stat_keys as keys
from newsbot.runtime.workers import Offload
from newsbot.storage.articles import as_stored
from newsbot.storage.connection import crawler_store
from newsbot.storage.errors import StoreError, StoreUnavailable

logger = logging.getLogger(__name__)

READ_ATTEMPTS = 3  # reading the stored article back: a dropped connection is retried
TOKEN_KEYS = (keys.LLM_PROMPT_TOKENS, keys.LLM_COMPLETION_TOKENS)
# event loop -> the process's analysis slots
_slots: dict[int, asyncio.Semaphore] = {}


def analysis_slots(size: int) -> asyncio.Semaphore:
    return _slots.setdefault(id(asyncio.get_running_loop()), asyncio.Semaphore(max(1, size)))


def analyze_pipeline(crawler) -> AnalyzePipeline | None:
    """The crawler's AnalyzePipeline, when its ITEM_PIPELINES has one."""
    return getattr(crawler, "_newsbot_analyze", None)


class AnalyzePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = AnalysisConfig.from_settings(crawler.settings)
        self.counters = Counters(sink=self.stats.inc_value)
        self.service: AnalysisService | None = None
        self.pending: set[asyncio.Task] = set()
        # id -> item: written with their analysis by the store pipeline, so there is nothing left to do.
        # Holding the item keeps its id from being reused by another item meanwhile.
        self.written_with_analysis: dict[int, object] = {}
        crawler._newsbot_analyze = self

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def open_spider(self):
        try:
            store = await crawler_store(self.crawler)
        except StoreUnavailable:
            return  # the store pipeline reports it and closes the spider; nothing to analyse
        offload = Offload.from_crawler(self.crawler)
        self.service = AnalysisService(self.config, store.db, counters=self.counters, store=store, offload=offload)
        if self.service.offload is not None:
            source = getattr(self.crawler.spider, "source", None)
            offload.prepare(warm_up_worker, getattr(source, "lang", "") == "zh")
        else:
            # Off the reactor thread, and not mid-crawl; jieba loads when the first Chinese article needs it.
            await asyncio.to_thread(self.service.heuristic.compile_terms)
        if self.config.mode == "llm":
            cfg = self.config.llm
            logger.info(
                "Analysing with %s via %s (method %s, prompts %s, concurrency %d%s%s)",
                cfg.model,
                cfg.base_url or "api.openai.com",
                cfg.method,
                self.service.version,
                cfg.concurrency,
                f", {cfg.rps:g} req/s" if cfg.rps else "",
                f", {self.config.batch_size} articles per call" if self.config.batch_size > 1 else "",
            )
        else:
            logger.info("Analysing with the offline heuristic analyzer (%s)", self.service.version)
        self.stats.set_value(keys.ANALYSIS_MODE, self.config.mode)
        if self.config.mode == "llm":
            # Present even when zero: "a re-run made no calls" should read as 0, not as missing.
            for key in (keys.LLM_CALLS, keys.LLM_CACHE_HITS, keys.LLM_FALLBACKS) + TOKEN_KEYS:
                self.stats.set_value(key, 0)

    @property
    def slots(self) -> int:
        size = config_for(self.crawler).analysis.concurrency
        if self.config.mode == "llm":
            # Enough slots to keep every LLM call busy, each with a full batch (NEWSBOT_LLM_BATCH).
            size = max(size, self.config.llm.concurrency * self.config.batch_size)
        return size

    def analyses_before_write(self, doc: dict, insert_only: tuple[str, ...]) -> bool:
        """Whether the article `doc` (the fields the store pipeline is about to set) is analysed before its
        write, its record going in the same write (record_before_write); if not, it is analysed after.

        Only with the heuristic, which takes milliseconds (an LLM call must not hold up the crawl), and
        only when no insert-only field is involved: with a feed-fallback text or a fetch-time date, the
        stored article may keep what it had, and only a read after the write can tell what that is."""
        return (
            self.service is not None
            and self.config.mode == "heuristic"
            and not insert_only
            and doc.keys() >= ArticleInput.STORED_FIELDS
        )

    async def record_before_write(self, url: str, doc: dict, stored: dict | None) -> dict | None:
        """The analysis record to write with the article `doc`, given what is `stored` of it (its analysis),
        or None: then it is analysed after its write, as ever."""
        article = as_stored({**doc, "url": url, "analysis": (stored or {}).get("analysis")})
        try:
            async with analysis_slots(self.slots):
                outcome = await self.service.analyze_doc(article, store=False)
                # The heuristic never waits: hold the slot over one turn of the event loop, so that at
                # most `slots` analyses run between two polls of the network, however many reads return at once.
                await asyncio.sleep(0)
        except Exception:
            return None  # analysed again after the write, which logs and counts the failure once
        if outcome.record.get("ai_relevant") is True and self.service.offload is not None:
            self._keys_ahead(key_inputs(article, outcome.record))
        # A current record is written back as it was read: the article and its analysis always come from the
        # same write, even if another process stored this URL in between.
        return outcome.record

    def _keys_ahead(self, inputs: tuple) -> None:
        """The report keys of an article the report may show, computed now in a worker while the crawl
        runs, for the report this process builds when it ends (report.keys.article_keys finds them by
        their inputs: an article stored differently since is computed again). close_spider waits for them."""

        async def compute() -> None:
            try:
                remember_keys(inputs, await self.service.offload(make_keys, *inputs, here_if_busy=False))
            except Exception:
                logger.debug("Report keys not computed ahead; the report computes them", exc_info=True)

        task = asyncio.ensure_future(compute())
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    def stored_with_analysis(self, item) -> None:
        """The store pipeline wrote `item` with the record record_before_write gave it."""
        self.written_with_analysis[id(item)] = item

    def process_item(self, item):
        if self.written_with_analysis.pop(id(item), None) is item:
            return item
        adapter = ItemAdapter(item)
        url = adapter.get("url")
        if adapter.get("skip_reason"):
            # Stored for the raw count only: never reported, so judging it would only cost calls.
            self.stats.inc_value("newsbot/analysis/skipped")
            return item
        if url and self.service is not None:
            task = asyncio.ensure_future(self._analyze(url))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
        return item

    async def _analyze(self, url: str) -> None:
        try:
            async with analysis_slots(self.slots):
                for attempt in range(1, READ_ATTEMPTS + 1):
                    try:
                        await self.service.analyze_url(url)
                        break
                    except StoreError:
                        if attempt == READ_ATTEMPTS:
                            raise
                        await asyncio.sleep(0.2 * 2**attempt)
        except Exception:
            # One article's bug must not stop the crawl or the other analyses.
            logger.exception("Analysis of %s failed", url)
            self.stats.inc_value(keys.ANALYSIS_ERRORS)

    async def close_spider(self):
        if self.service is not None:
            self.service.hurry()  # no more items are coming: a partial batch must not wait
        if self.pending:
            logger.info("Waiting for %d analyses to finish", len(self.pending))
            await asyncio.gather(*list(self.pending), return_exceptions=True)
        if self.service is None:
            return
        if self.config.mode == "llm":
            cost = self.counters.cost(self.config)
            self.stats.set_value(keys.LLM_COST_USD, cost)
            logger.info(
                "LLM: %d calls, %d cache hits, %d re-asks, %d fallbacks, %d+%d tokens, about $%.4f",
                self.counters.get(keys.LLM_CALLS),
                self.counters.get(keys.LLM_CACHE_HITS),
                self.counters.get(keys.LLM_REASKS),
                self.counters.get(keys.LLM_FALLBACKS),
                self.counters.get(keys.LLM_PROMPT_TOKENS),
                self.counters.get(keys.LLM_COMPLETION_TOKENS),
                cost,
            )
        await self.service.aclose()
