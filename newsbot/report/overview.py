"""今日总结 for the report, through newsbot.analysis.overview_writer: written by the LLM from the selected
entries only (checked: no organisation or number absent from them; cached in MongoDB, so a re-render
is free) when the analyzer is the LLM, composed in code from the counts and top three titles otherwise."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from newsbot.analysis.overview_writer import cache_key, compose_overview_sync, heuristic_overview
from newsbot.storage.llm_cache import cached_usage

logger = logging.getLogger(__name__)


@dataclass
class Overview:
    text: str
    kind: str  # "llm", "heuristic" or "heuristic-fallback" (the LLM's text failed or was rejected)
    usage: dict = field(default_factory=dict)  # tokens this render spent on it (0 when cached)
    cached: bool = False


def build_overview(settings, db, raw_count: int, domestic: list[dict], international: list[dict]) -> Overview:
    # Report order, domestic first, as the seed reads: the entries are the model's only input.
    entries = [*domestic, *international]
    try:
        result = compose_overview_sync(entries, raw_count=raw_count, settings=settings, db=db)
    except Exception as exc:  # the report must render even when the overview machinery breaks
        logger.warning("Overview failed (%s); using the composed one", str(exc).splitlines()[0][:200])
        return Overview(heuristic_overview(entries, raw_count), "heuristic-fallback")
    usage: dict = {}
    if result.analyzer == "llm" and not result.cached and result.model and result.prompt_version:
        # The call's token counts are kept with its cache entry.
        key = cache_key(entries, raw_count, result.model, result.prompt_version)
        usage = cached_usage(db, key)
    return Overview(result.text, result.analyzer, usage=usage, cached=result.cached)
