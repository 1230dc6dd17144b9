"""Measuring the overview prompts (今日总结's "重点关注") on stored days: the code behind
`scrapy evalprompts --task overview`.

For every day the report already rendered, the day's entries are sent to the model with the overview
prompts (replies cached on disk like the article evaluation), and the highlights are measured:
- groundedness: organisations, people and Latin names, and numbers, that no entry mentions;
- length: characters, and how many days exceed the limit;
- acceptance: whether the production checks (newsbot.analysis.overview_writer.check_highlights) pass.
Offline, the composed overview (top three titles) is measured the same way, as a baseline.
"""

from __future__ import annotations

from statistics import mean

from newsbot.analysis.analyzer_support import AnalysisConfig, DiskReplyCache
from newsbot.analysis.factory import make_analyzer
from newsbot.analysis.lexicon import gazetteer
from newsbot.analysis.llm import LLMCallError
from newsbot.analysis.overview_writer import (
    _LATIN_NAME_RE,
    _NUMBER_RE,
    OVERVIEW_MAX_CHARS,
    check_highlights,
)
from newsbot.text.lang import is_chinese


def groundedness(text: str, entries: list[dict]) -> dict:
    """Names and numbers in `text` that no entry (title, summary, source) contains."""
    source = "\n".join(f"{e.get('title', '')}\n{e.get('summary', '')}\n{e.get('source_name', '')}" for e in entries)
    gaz = gazetteer()
    known = {m.entity.name for m in gaz.find(source)}
    names = sorted({m.alias for m in gaz.find(text) if m.entity.kind != "place" and m.entity.name not in known})
    lowered = source.lower()
    names += sorted({n for n in _LATIN_NAME_RE.findall(text) if len(n) > 1 and n.lower() not in lowered} - set(names))
    numbers = sorted(set(_NUMBER_RE.findall(text)) - set(_NUMBER_RE.findall(source)))
    return {"unknown_names": names, "unknown_numbers": numbers}


async def evaluate_days(config: AnalysisConfig, days: list[dict], cache_dir: str | None) -> dict:
    """Per-day measurements and their summary. `days`: {"date", "raw_count", "entries"} each."""
    rows = []
    fallbacks: list[dict] = []
    analyzer = make_analyzer(config, reply_cache=DiskReplyCache(cache_dir) if cache_dir else None)
    try:
        for day in days:
            entries = day["entries"]
            try:
                text = await analyzer.overview_highlights(entries)
            except LLMCallError as exc:
                fallbacks.append({"date": day["date"], "error": str(exc)[:300]})
                continue
            ground = groundedness(text, entries)
            rows.append(
                {
                    "date": day["date"],
                    "entries": len(entries),
                    "chars": len(text),
                    "chinese": is_chinese(text) if text else False,
                    "accepted": not check_highlights(text, entries) if text else False,
                    **ground,
                    "highlights": text,
                }
            )
    finally:
        await analyzer.aclose()
    summary = {
        "days": len(rows),
        "grounded": _rate(not r["unknown_names"] and not r["unknown_numbers"] for r in rows),
        "unknown_names": sum(len(r["unknown_names"]) for r in rows),
        "unknown_numbers": sum(len(r["unknown_numbers"]) for r in rows),
        "accepted": _rate(r["accepted"] for r in rows),
        "chinese": _rate(r["chinese"] for r in rows),
        "chars_mean": round(mean(r["chars"] for r in rows), 1) if rows else 0.0,
        "chars_max": max((r["chars"] for r in rows), default=0),
        "over_limit": sum(r["chars"] > OVERVIEW_MAX_CHARS for r in rows),
        "limit": OVERVIEW_MAX_CHARS,
    }
    return {"task": "overview", **summary, "run": analyzer.overview_run(), "per_day": rows, "failed_days": fallbacks}


def _rate(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0
