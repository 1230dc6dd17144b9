"""今日总结: written by the LLM from the selected entries (checked and cached by newsbot.analysis)
when the analyzer is the LLM, composed in code from the counts and the top three titles otherwise."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class Overview:
    text: str
    kind: str  # "llm", "heuristic" or "heuristic-fallback" (the LLM one failed or was rejected)
    usage: dict = field(default_factory=dict)
    cached: bool = False


def compose_overview(raw_count: int, domestic: list[dict], international: list[dict]) -> str:
    """The seed's closing paragraph from counts and the three best entries' own titles."""
    high = sum(1 for e in (*domestic, *international) if e["importance"] == "high")
    head = (
        f"今日从{raw_count}条原始信息中精选出{len(domestic)}条国内动态和{len(international)}条国际动态，"
        f"其中{high}条为高重要性。"
    )
    top = sorted((*domestic, *international), key=lambda e: (-e["score"], e["region"] != "domestic", e["rank"]))[:3]
    titles = [e["title"] for e in top if e["title"]]
    if not titles:
        return head
    return f"{head} 重点关注：{'；'.join(titles)}。"


def llm_wanted(settings) -> bool:
    analyzer = (settings.get("NEWSBOT_ANALYZER") or "auto").lower()
    if analyzer == "auto":
        return bool(os.environ.get("OPENAI_API_KEY"))
    return analyzer == "llm"


def build_overview(settings, db, raw_count: int, domestic: list[dict], international: list[dict]) -> Overview:
    heuristic = compose_overview(raw_count, domestic, international)
    if not llm_wanted(settings) or not (domestic or international):
        return Overview(heuristic, "heuristic")
    try:
        from newsbot.analysis.overview import llm_overview
    except ImportError:
        logger.warning("LLM overview unavailable (newsbot.analysis.overview missing); using the composed one")
        return Overview(heuristic, "heuristic-fallback")
    try:
        result = llm_overview(settings, db, raw_count=raw_count, domestic=domestic, international=international)
    except Exception as exc:  # the report must still render; the reason is logged and counted
        logger.warning("LLM overview failed (%s); using the composed one", str(exc).splitlines()[0][:200])
        return Overview(heuristic, "heuristic-fallback")
    return Overview(result.text, "llm", usage=dict(result.usage or {}), cached=bool(result.cached))
