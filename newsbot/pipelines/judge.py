"""Judge: the offline judgement of every article, put on the item so it is stored in the article's write.

The judgement reads what the article will be once written: the item's fields, except those the write
only inserts (newsbot.storage.articles.insert_only_fields), which a stored article keeps; so the stored
article is read first, with its analysis, and a record the analyzer keeps (a current one, or a model's)
goes back as it was read. Skipped entries are never judged: they are stored for the raw count only.
The judgement never makes a call, whatever the analyzer; asking a model is a later stage's business.

An article whose judgement failed (a read that met an outage, a bug) is stored without a new record,
and judged after its write (newsbot.pipelines.follow_up) when a report can still show it.
"""

from __future__ import annotations

import asyncio
import logging

from itemadapter import ItemAdapter

from newsbot.pipelines.analysis_stage import AnalysisStage
from newsbot.runs import stat_keys as keys
from newsbot.storage.articles import as_stored, insert_only_fields
from newsbot.storage.errors import StoreError

logger = logging.getLogger(__name__)


class JudgePipeline(AnalysisStage):
    stage = "judge"

    async def started(self) -> None:
        source = getattr(self.crawler.spider, "source", None)
        await self.analyzer.prepare(getattr(source, "lang", ""))
        logger.info("Analysing with %s", self.analyzer.describe())

    async def process_item(self, item):
        adapter = ItemAdapter(item)
        if adapter.get("skip_reason"):
            self.stats.inc_value(keys.ANALYSIS_SKIPPED)
            return item
        if self.analyzer is None:
            return item
        try:
            adapter["analysis"] = await self._judge(adapter)
        except StoreError:
            pass  # the write meets the outage too; if it gets through, the article is judged after it
        except Exception:
            # One article's failure must not stop the crawl: it is stored, and judged by a later run.
            logger.exception("Judging %s failed", adapter.get("url"))
            self.stats.inc_value(keys.ANALYSIS_ERRORS)
        return item

    async def _judge(self, adapter: ItemAdapter) -> dict:
        doc = {key: value for key, value in adapter.items() if key != "analysis"}
        insert_only = insert_only_fields(doc)
        # The whole stored article only when some of it outlives this write; otherwise its analysis.
        # Read outside the slots: reads of many articles go to the database together.
        reader = self.store.article_reader if insert_only else self.store.analysis_reader
        stored = await reader.find(doc["url"]) or {}
        kept = {key: stored[key] for key in insert_only if key in stored}
        article = as_stored({**doc, **kept, "analysis": stored.get("analysis")})
        async with self.stage_slots():
            outcome = await self.analyzer.offline_judgement(article)
            # The heuristic never waits: hold the slot over one turn of the event loop, so that at most
            # `size` judgements run between two polls of the network, however many reads return at once.
            await asyncio.sleep(0)
        return outcome.record
