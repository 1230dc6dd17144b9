"""What the two analysis stages (newsbot.pipelines.judge, newsbot.pipelines.follow_up) share: the analyzer
the factory chooses, made when the spider opens over the process's store, worker pool and LLM gate; its
run figures mirrored into the crawl's stats; the stage's slots; and closing the analyzer. Each stage
says only what it does with an item.
"""

from __future__ import annotations

import asyncio

from newsbot.analysis.analyzer import Analyzer
from newsbot.analysis.analyzer_support import AnalysisConfig, Counters
from newsbot.analysis.factory import make_analyzer
from newsbot.config import config_for
from newsbot.runtime.resources import resources_of
from newsbot.runtime.workers import Offload
from newsbot.storage.connection import Store, crawler_store
from newsbot.storage.errors import StoreUnavailable


class AnalysisStage:
    # The name of the stage's slots: each stage has its own (newsbot.runtime.resources.analysis_slots).
    stage = ""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = AnalysisConfig.from_settings(crawler.settings)
        self.counters = Counters(sink=self.stats.inc_value)
        self.analyzer: Analyzer | None = None
        self.store: Store | None = None
        self.size = config_for(crawler).analysis.concurrency

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def open_spider(self):
        try:
            self.store = await crawler_store(self.crawler)
        except StoreUnavailable:
            return  # the store pipeline reports it and closes the spider; this stage does nothing
        resources = resources_of(self.crawler)
        # The heuristic runs in a worker process; a model, if any, behind the gate every crawler shares.
        self.analyzer = make_analyzer(
            self.config,
            self.store.db,
            counters=self.counters,
            store=self.store,
            offload=Offload.from_crawler(self.crawler),
            gate=resources.gate(self.config.llm),
        )
        self.analyzer.open_stats(self.stats)
        await self.started()

    async def started(self) -> None:
        """The analyzer is made: what the stage prepares before its first item."""

    def stage_slots(self) -> asyncio.Semaphore:
        return resources_of(self.crawler).analysis_slots(self.stage, self.size)

    async def close_spider(self):
        if self.analyzer is not None:
            await self.analyzer.aclose()
