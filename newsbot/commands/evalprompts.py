"""scrapy evalprompts: measure an analyzer (and prompt folders against each other) on a labelled set.

    scrapy evalprompts --dataset tests/data/golden.jsonl --analyzer heuristic
    scrapy evalprompts --dataset tests/data/golden.jsonl --analyzer heuristic --by-day
    scrapy evalprompts --dataset tests/data/golden.jsonl --prompts my-prompts/ --against newsbot/prompts/

Prints one JSON object. --by-day adds `by_day` (every metric per report day) and `headline`
(the key figures, pooled and per day, side by side). LLM replies are cached on disk
(NEWSBOT_EVAL_CACHE_DIR), keyed by model, method, prompt version and article, so re-running an
unchanged prompt makes no calls.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newsbot import stats as keys
from newsbot.analysis.article import ArticleInput
from newsbot.analysis.evaluate import (
    DatasetError,
    changed_rows,
    headline,
    load_dataset,
    metrics,
    metrics_by_day,
    row_result,
)
from newsbot.analysis.prompts import PromptError, load_prompts
from newsbot.analysis.service import AnalysisConfig, AnalysisService, Counters, DiskReplyCache
from newsbot.commands import check_start_up


async def run_rows(config: AnalysisConfig, rows: list[dict], cache_dir: str | None) -> tuple[list[dict], dict]:
    """Analyse every row through the production analysis service; returns records and run figures."""
    counters = Counters()
    cache = DiskReplyCache(cache_dir) if cache_dir and config.mode == "llm" else None
    service = AnalysisService(config, counters=counters, reply_cache=cache)
    try:
        outcomes = await asyncio.gather(*(service.analyze_article(ArticleInput.from_row(r)) for r in rows))
    finally:
        await service.aclose()
    run = {
        "analyzer": config.mode,
        "model": service.model,
        "prompt_version": service.version,
    }
    if config.mode == "llm":
        run["prompts"] = service.prompts.origin
        run["llm"] = {
            "calls": int(counters.get(keys.LLM_CALLS)),
            "reply_cache_hits": int(counters.get(keys.LLM_REPLY_CACHE_HITS)),
            "reasks": int(counters.get(keys.LLM_REASKS)),
            "fallbacks": int(counters.get(keys.LLM_FALLBACKS)),
            "prompt_tokens": int(counters.get(keys.LLM_PROMPT_TOKENS)),
            "completion_tokens": int(counters.get(keys.LLM_COMPLETION_TOKENS)),
            "cost_usd": counters.cost(config),
        }
    return [o.record for o in outcomes], run


def evaluate(
    settings,
    dataset: str,
    *,
    analyzer: str | None = None,
    prompts: str | None = None,
    against: str | None = None,
    limit: int | None = None,
    details: bool = False,
    by_day: bool = False,
) -> dict:
    rows = load_dataset(dataset)[: limit or None]
    cache_dir = settings.get("NEWSBOT_EVAL_CACHE_DIR") or None
    config = AnalysisConfig.from_settings(settings, analyzer=analyzer, prompts_dir=prompts)
    if against and config.mode != "llm":
        raise UsageError(
            "--against compares prompt folders, which needs the LLM analyzer (an API key or --analyzer llm)"
        )
    records, run = asyncio.run(run_rows(config, rows, cache_dir))
    result = {"dataset": dataset, **_scored(rows, records, by_day), "run": run}
    if details:
        result["details"] = [row_result(r, rec) for r, rec in zip(rows, records, strict=True)]
    if not against:
        return result
    config_b = AnalysisConfig.from_settings(settings, analyzer=analyzer, prompts_dir=against)
    records_b, run_b = asyncio.run(run_rows(config_b, rows, cache_dir))
    result_b = {**_scored(rows, records_b, by_day), "run": run_b}
    if details:
        result_b["details"] = [row_result(r, rec) for r, rec in zip(rows, records_b, strict=True)]
    return {
        "dataset": dataset,
        "rows": len(rows),
        "a": {"prompts": prompts or "package", **result},
        "b": {"prompts": against, **result_b},
        "changed": changed_rows(rows, records, records_b),
    }


def _scored(rows: list[dict], records: list[dict], by_day: bool) -> dict:
    pooled = metrics(rows, records)
    if not by_day:
        return pooled
    days = metrics_by_day(rows, records)
    return {
        **pooled,
        "headline": {"pooled": headline(pooled), **{day: headline(m) for day, m in days.items()}},
        "by_day": days,
    }


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self):
        return "--dataset FILE.jsonl [--prompts DIR] [--against DIR2] [--analyzer llm|heuristic] [--by-day]"

    def short_desc(self):
        return "Measure the analyzer (or two prompt folders) on a labelled dataset; prints JSON"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--dataset", metavar="FILE", required=True, help="labelled JSONL rows")
        parser.add_argument("--prompts", metavar="DIR", help="prompt folder to evaluate (default: bundled)")
        parser.add_argument("--against", metavar="DIR2", help="second prompt folder, compared side by side")
        parser.add_argument("--analyzer", choices=("llm", "heuristic"), help="default: NEWSBOT_ANALYZER")
        parser.add_argument("--limit", type=int, metavar="N", help="only the first N rows (quick iterations)")
        parser.add_argument("--details", action="store_true", help="include every row's verdicts")
        parser.add_argument("--by-day", action="store_true", help="also every metric per report day of the dataset")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        check_start_up(self.settings)

    def run(self, args, opts):
        for folder in (opts.prompts, opts.against):
            if folder and not Path(folder).is_dir():
                raise UsageError(f"no prompt folder {folder}")
        try:
            if opts.prompts:
                load_prompts("analyze", opts.prompts)
            if opts.against:
                load_prompts("analyze", opts.against)
            result = evaluate(
                self.settings,
                opts.dataset,
                analyzer=opts.analyzer,
                prompts=opts.prompts,
                against=opts.against,
                limit=opts.limit,
                details=opts.details,
                by_day=opts.by_day,
            )
        except (DatasetError, PromptError, OSError) as exc:
            print(f"evalprompts: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        print(json.dumps(result, ensure_ascii=False, indent=2))
