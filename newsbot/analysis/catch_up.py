"""Before a day's report: the analyzer's best judgement of the day's articles that only have a weaker one.

A crawl asks the LLM only about articles a report of that day can still show (newsbot.pipelines.follow_up);
the others keep the offline judgement. `scrapy report --date D` asks about D's window articles whose record
the analyzer would improve, so a day reported later is judged as well as one reported when it was crawled.
With the offline analyzer there is nothing to improve and the database is not touched.
"""

from __future__ import annotations

import asyncio
import logging

from newsbot.analysis.analyzer_support import AnalysisConfig, Counters
from newsbot.analysis.factory import make_analyzer
from newsbot.config import config_for
from newsbot.storage.connection import Store

logger = logging.getLogger(__name__)


async def improve_window(settings, window) -> int:
    """Analyse again the stored articles published in the window whose record the analyzer the settings
    choose would improve; returns how many there were."""
    config = AnalysisConfig.from_settings(settings)
    probe = make_analyzer(config)
    wanted = probe.improvable()
    await probe.aclose()
    if wanted is None:
        return 0
    store = await Store.from_settings(settings).open()
    analyzer = make_analyzer(config, store.db, counters=Counters(), store=store)
    try:
        query = {
            "published_at": {"$gte": window.start, "$lt": window.cutoff},
            "skip_reason": {"$in": ["", None]},
            **wanted,
        }
        docs = [doc async for doc in store.db.articles.find(query)]
        if not docs:
            return 0
        logger.info("Analysing %d articles of %s again with %s", len(docs), window.day, analyzer.describe())
        slots = asyncio.Semaphore(analyzer.slots(config_for(settings).analysis.concurrency))

        async def one(doc: dict) -> None:
            async with slots:
                await analyzer.analyze_doc(doc)

        tasks = [asyncio.ensure_future(one(doc)) for doc in docs]
        analyzer.hurry()  # every article is here: a partial batch must not wait for more
        await asyncio.gather(*tasks)
        return len(docs)
    finally:
        await analyzer.aclose()
        await store.close()
