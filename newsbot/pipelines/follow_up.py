"""Follow-up: after an article is stored, ask the analyzer again when that could improve its record, and
only when the article can still enter a report.

The analyzer says whether its record can be improved (the LLM analyzer: an offline judgement; the
offline analyzer: never). An article can still enter a report when it was published inside the window
of the day being built (open-ended when the report is live), or in the NEWSBOT_MEMORY_DAYS days before
it, which a report compares its events with. Any other article keeps the offline judgement; a report
of its day (`scrapy report --date D`) asks about it then.

process_item only schedules the question and hands the item on at once, so a slow model never holds
up the crawl. The article is read back from the database, so the question is about the text stored
(the store keeps a good body over a later feed-only fallback). close_spider waits for every question,
which Scrapy runs before the spider_closed handlers (the report) fire.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from itemadapter import ItemAdapter

from newsbot.config import config_for
from newsbot.pipelines.analysis_stage import AnalysisStage
from newsbot.runs import stat_keys as keys
from newsbot.runtime.resources import resources_of
from newsbot.storage.errors import StoreError
from newsbot.text.window import report_window

logger = logging.getLogger(__name__)

READ_ATTEMPTS = 3  # reading the stored article back: a dropped connection is retried
LEFT_OFFLINE = "newsbot/analysis/left_offline"  # improvable, but outside every window a report reads
ASKED_ALREADY = "newsbot/analysis/asked_by_another_crawler"  # the same article, listed by two sources


class FollowUpPipeline(AnalysisStage):
    stage = "follow-up"

    def __init__(self, crawler):
        super().__init__(crawler)
        self.pending: set[asyncio.Task] = set()
        window = report_window(crawler.settings)
        self.since = window.start - timedelta(days=config_for(crawler).report.memory_days)
        # A live report's window ends when it is built, after the crawl: anything later is still in it.
        self.until = None if window.live else window.cutoff

    async def started(self) -> None:
        self.size = self.analyzer.slots(self.size)

    def reportable(self, published: datetime | None) -> bool:
        """Whether an article published then can still enter a report (no date: it might)."""
        if published is None:
            return True
        return published >= self.since and (self.until is None or published < self.until)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if self.analyzer is None or adapter.get("skip_reason"):
            return item
        if not self.analyzer.improves(adapter.get("analysis")):
            return item
        if not self.reportable(adapter.get("published_at")):
            self.stats.inc_value(LEFT_OFFLINE)
            return item
        task = asyncio.ensure_future(self._ask(adapter["url"]))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
        return item

    async def _ask(self, url: str) -> None:
        shared = resources_of(self.crawler)
        asking = shared.asking
        if url in asking:
            self.stats.inc_value(ASKED_ALREADY)  # another crawler's follow-up stores the answer
            return
        asking.add(url)
        try:
            async with self.stage_slots():
                for attempt in range(1, READ_ATTEMPTS + 1):
                    try:
                        outcome = await self.analyzer.analyze_url(url, known=shared.answers.get(url))
                        if outcome is not None and outcome.status == "llm":
                            shared.answers[url] = outcome.record
                        break
                    except StoreError:
                        if attempt == READ_ATTEMPTS:
                            raise
                        await asyncio.sleep(0.2 * 2**attempt)
        except Exception:
            # One article's bug must not stop the crawl or the other analyses.
            logger.exception("Analysis of %s failed", url)
            self.stats.inc_value(keys.ANALYSIS_ERRORS)
        finally:
            asking.discard(url)

    async def close_spider(self):
        if self.analyzer is not None:
            self.analyzer.hurry()  # no more items are coming: a partial batch must not wait
        if self.pending:
            logger.info("Waiting for %d analyses to finish", len(self.pending))
            await asyncio.gather(*list(self.pending), return_exceptions=True)
        if self.analyzer is not None:
            self.analyzer.close_stats(self.stats)
        await super().close_spider()
