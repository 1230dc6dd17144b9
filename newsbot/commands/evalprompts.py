"""scrapy evalprompts: measure an analyzer (and prompt folders against each other) on a labelled set,
or the overview prompts on the days MongoDB holds.

    scrapy evalprompts --dataset tests/data/golden.jsonl --analyzer heuristic
    scrapy evalprompts --dataset tests/data/golden.jsonl --analyzer heuristic --by-day
    scrapy evalprompts --snapshot ../shared/realdays/2026-08-04 --labels ../shared/realdays/2026-08-04/labels.json
    scrapy evalprompts --dataset tests/data/golden.jsonl --prompts my-prompts/ --against newsbot/prompts/
    scrapy evalprompts --dataset tests/data/golden.jsonl --prompts my-prompts/ --dry-run --limit 1
    scrapy evalprompts --task overview --last 7 --prompts my-prompts/ --against newsbot/prompts/
    scrapy evalprompts --from-edits --since 2026-02-01 --analyzer heuristic --by-day

A dataset's authored rows and its real rows (reference lines naming a captured day's labels, whose
text is read from the day's recorded feeds at run time) are measured separately: the top-level figures
are the authored rows', `real` holds the real rows' (with `real_days`: each day's labels, snapshot,
rows, and the judged items no recorded feed lists; `real.junk`: the rows labelled junk and how many of
them the analyzer would let through as an entry, AI-relevant and a story by its form). --snapshot DIR
[--labels FILE] measures that day as the real rows (labels default to DIR/labels.json), beside the
authored rows of --dataset (default: the project's tests/data/golden.jsonl); the day's rows come
first, so --limit N takes them first.

Prints one JSON object. --by-day adds `by_day` (every metric per report day) and `headline`
(the key figures, pooled and per day, side by side). With --against: a delta table and the
changed rows (--json: the JSON object).
LLM replies are cached on disk (NEWSBOT_EVAL_CACHE_DIR), keyed by model, method, prompt version and
input, so re-running an unchanged prompt makes no calls. A model that cannot be reached is an error
(exit 1): the offline fallback's figures are never passed off as the prompt's, unless
--allow-fallback is given, and then every fallback row is listed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import closest_scrapy_cfg

from newsbot.analysis import eval_table
from newsbot.analysis.analyzer_support import AnalysisConfig, AnalyzerUnavailable, Counters, DiskReplyCache
from newsbot.analysis.article import ArticleInput
from newsbot.analysis.evaluate import (
    DatasetError,
    changed_rows,
    headline,
    metrics,
    metrics_by_day,
    read_dataset,
    row_result,
)
from newsbot.analysis.evaluate_overview import evaluate_days
from newsbot.analysis.factory import make_analyzer
from newsbot.analysis.overview_writer import overview_messages
from newsbot.analysis.prompts import PromptError, load_prompts
from newsbot.analysis.realrows import AUTHORED, REAL, RealDayError, load_real_day, row_kind
from newsbot.commands import check_start_up
from newsbot.config import config_for
from newsbot.config.sections import Report
from newsbot.storage.connection import sync_db
from newsbot.storage.errors import StoreUnavailable
from newsbot.storage.reports import stored_report_days


class ModelUnreachable(RuntimeError):
    """The model gave no answer; the message is one line."""


async def run_rows(config: AnalysisConfig, rows: list[dict], cache_dir: str | None, allow_fallback: bool):
    """Analyse every row through the production analyzer; returns records, run figures and the rows
    the offline fallback stood in for. The first row goes alone: an unreachable model is found after
    one article's retries, not after every article's."""
    cache = DiskReplyCache(cache_dir) if cache_dir else None
    analyzer = make_analyzer(config, counters=Counters(), reply_cache=cache)
    try:
        outcomes = [await analyzer.analyze_article(ArticleInput.from_row(rows[0]))]
        if outcomes[0].status == "heuristic-fallback" and not allow_fallback:
            raise ModelUnreachable(_unreachable(config, outcomes[0].errors))
        outcomes += await asyncio.gather(*(analyzer.analyze_article(ArticleInput.from_row(r)) for r in rows[1:]))
    finally:
        await analyzer.aclose()
    fallbacks = [
        {"id": row["id"], "error": (o.errors or ["?"])[0][:300]}
        for row, o in zip(rows, outcomes, strict=True)
        if o.status == "heuristic-fallback"
    ]
    if fallbacks and not allow_fallback:
        raise ModelUnreachable(
            f"the model failed on {len(fallbacks)} of {len(rows)} rows (first: {fallbacks[0]['error']}); "
            "no metrics printed: they would be the offline fallback's (--allow-fallback to see them anyway)"
        )
    return [o.record for o in outcomes], analyzer.run_figures(), fallbacks


def _unreachable(config: AnalysisConfig, errors) -> str:
    from newsbot.analysis.breaker import public_endpoint

    where = public_endpoint(config.llm.base_url)
    reason = (errors or ["no answer"])[0][:300]
    return (
        f"the model {config.llm.model} at {where} could not be used ({reason}); check OPENAI_BASE_URL, "
        "OPENAI_API_KEY and NEWSBOT_LLM_MODEL (--allow-fallback measures the offline fallback instead)"
    )


def analysis_config(settings, analyzer: str | None, prompts: str | None) -> AnalysisConfig:
    try:
        return AnalysisConfig.from_settings(settings, analyzer=analyzer, prompts_dir=prompts, strict=True)
    except AnalyzerUnavailable as exc:
        raise ModelUnreachable(f"--analyzer llm {exc}") from exc


def one_side(settings, rows, opts, prompts: str | None) -> dict:
    if opts.against and opts.analyzer == "heuristic":
        raise UsageError("--against compares prompt folders, which needs the LLM analyzer, not --analyzer heuristic")
    # Prompt folders are the LLM's: comparing two asks for it, and fails if it is not configured.
    config = analysis_config(settings, "llm" if opts.against else opts.analyzer, prompts)
    cache_dir = config_for(settings).analysis.eval_cache_dir
    records, run, fallbacks = asyncio.run(run_rows(config, rows, cache_dir, opts.allow_fallback))
    result = {**_scored(rows, records, opts.by_day, config_for(settings).report), "run": run}
    if fallbacks:
        result["fallback_rows"] = fallbacks
    if opts.details:
        marked = {f["id"] for f in fallbacks}
        result["details"] = [
            {**row_result(r, rec), **({"fallback": True} if r["id"] in marked else {})}
            for r, rec in zip(rows, records, strict=True)
        ]
    return result, records


def _scored(rows: list[dict], records: list[dict], by_day: bool, report: Report) -> dict:
    """The authored rows' figures at the top level, the real rows' under `real`: text written here and
    text nobody here wrote are never pooled into one figure."""
    kinds: dict[str, tuple[list, list]] = {AUTHORED: ([], []), REAL: ([], [])}
    for row, record in zip(rows, records, strict=True):
        kinds[row_kind(row)][0].append(row)
        kinds[row_kind(row)][1].append(record)
    authored, real = kinds[AUTHORED], kinds[REAL]
    out = _figures(*authored, by_day, report) if authored[0] else {"rows": 0}
    if real[0]:
        out["real"] = _figures(*real, by_day, report)
    return out


def _figures(rows: list[dict], records: list[dict], by_day: bool, report: Report) -> dict:
    pooled = metrics(rows, records, report)
    if not by_day:
        return pooled
    days = metrics_by_day(rows, records, report)
    return {
        **pooled,
        "headline": {"pooled": headline(pooled), **{day: headline(m) for day, m in days.items()}},
        "by_day": days,
    }


def default_dataset() -> str | None:
    """The project's golden set, when the project has one."""
    cfg = closest_scrapy_cfg()
    found = Path(cfg).parent / "tests" / "data" / "golden.jsonl" if cfg else None
    return str(found) if found and found.is_file() else None


def edit_rows(settings, opts) -> list[dict]:
    """--from-edits: the editors' corrections as labelled rows (newsbot.analysis.editrows)."""
    from newsbot.analysis.editrows import rows_from_edits

    client, db = sync_db(settings)
    try:
        rows = rows_from_edits(db, opts.since)
    finally:
        client.close()
    if not rows:
        since = f" since {opts.since}" if opts.since else ""
        raise DatasetError(f"no editor's correction{since} names a label (scrapy desk records them)")
    return rows


def dataset_rows(opts, limit: int | None, settings=None) -> tuple[list[dict], list[dict]]:
    """The first `limit` rows to measure and the real days read."""
    if opts.from_edits:
        return edit_rows(settings, opts)[: limit or None], []
    dataset = opts.dataset or (default_dataset() if opts.snapshot or opts.labels else None)
    authored, references = read_dataset(dataset) if dataset else ([], [])
    if opts.snapshot or opts.labels:
        labels = Path(opts.labels) if opts.labels else Path(opts.snapshot) / "labels.json"
        days = [(labels, Path(opts.snapshot) if opts.snapshot else None)]
    else:
        days = [(ref, None) for ref in references]
    try:
        real_days = [load_real_day(labels, snapshot) for labels, snapshot in days]
    except RealDayError as exc:
        raise DatasetError(str(exc)) from exc
    real = [row for day in real_days for row in day.rows]
    # The day named on the command line is what is being measured: its rows come first under --limit.
    rows = real + authored if opts.snapshot or opts.labels else authored + real
    return rows[: limit or None], [day.summary() for day in real_days]


def evaluate_analysis(settings, opts) -> dict:
    rows, real_days = dataset_rows(opts, opts.limit, settings)
    dataset = "edits" + (f" since {opts.since}" if opts.since else "") if opts.from_edits else None
    source = {
        "dataset": dataset or opts.dataset or default_dataset(),
        **({"real_days": real_days} if real_days else {}),
    }
    result, records = one_side(settings, rows, opts, opts.prompts)
    if not opts.against:
        return {**source, **result}
    result_b, records_b = one_side(settings, rows, opts, opts.against)
    changed = changed_rows(rows, records, records_b)
    wins = {"a": 0, "b": 0, "neither": 0}
    for row in changed:
        for diff in row["changes"].values():
            if "better" in diff:
                wins[diff["better"]] += 1
    return {
        **source,
        "rows": len(rows),
        "a": {"prompts": opts.prompts or "package", **result},
        "b": {"prompts": opts.against, **result_b},
        "delta": eval_table.delta_rows(result, result_b),
        "rows_better": wins,
        "changed": changed,
    }


def stored_days(settings, opts) -> list[dict]:
    days = [d.strip() for d in (opts.days or "").split(",") if d.strip()] or None
    client, db = sync_db(settings)
    try:
        found = stored_report_days(db, days, None if days else opts.last)
    finally:
        client.close()
    if not found:
        raise DatasetError("no rendered day in the database (`scrapy report --date D` renders one)")
    return found


def evaluate_overview(settings, opts) -> dict:
    days = stored_days(settings, opts)
    cache_dir = config_for(settings).analysis.eval_cache_dir

    def side(prompts):
        config = analysis_config(settings, opts.analyzer, prompts)
        result = asyncio.run(evaluate_days(config, days, cache_dir))
        if result["failed_days"] and not opts.allow_fallback:
            first = result["failed_days"][0]["error"]
            raise ModelUnreachable(_unreachable(config, [first]))
        return result

    result = side(opts.prompts)
    if not opts.against:
        return result
    result_b = side(opts.against)
    return {
        "task": "overview",
        "days": [d["date"] for d in days],
        "a": {"prompts": opts.prompts or "package", **result},
        "b": {"prompts": opts.against, **result_b},
        "delta": eval_table.delta_rows(result, result_b),
        "changed": [
            {
                "id": ra["date"],
                "title": f"{ra['entries']} entries",
                "changes": {"summary_zh": {"a": ra["highlights"], "b": rb["highlights"]}},
            }
            for ra, rb in zip(result["per_day"], result_b["per_day"], strict=False)
            if ra["highlights"] != rb["highlights"]
        ],
    }


def dry_run(settings, opts) -> str:
    """The exact messages the first rows (or days) would send; nothing is sent."""
    prompts_dir = opts.prompts or config_for(settings).analysis.prompts_dir
    if opts.task == "overview":
        prompts = load_prompts("overview", prompts_dir)
        items = [(d["date"], overview_messages(prompts, d["entries"])) for d in stored_days(settings, opts)[:1]]
    else:
        # The messages the LLM would get, whether or not one is configured: nothing is sent.
        config = dataclasses.replace(AnalysisConfig.from_settings(settings, prompts_dir=prompts_dir), mode="llm")
        analyzer = make_analyzer(config)
        rows = dataset_rows(opts, opts.limit or 2, settings)[0]
        items = [(row["id"], analyzer.messages_for(ArticleInput.from_row(row))) for row in rows]
        asyncio.run(analyzer.aclose())
    out = []
    for ident, messages in items:
        for message in messages:
            out.append(f"===== {ident} · {message.type} =====")
            out.append(str(message.content))
    out.append(f"===== dry run: {len(items)} {'day' if opts.task == 'overview' else 'row'}(s), nothing sent =====")
    return "\n".join(out)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self):
        return (
            "--dataset FILE.jsonl | --snapshot DIR [--labels FILE] | --from-edits [--since D] "
            "[--prompts DIR] [--against DIR2] "
            "[--analyzer llm|heuristic] [--by-day] [--dry-run]"
        )

    def short_desc(self):
        return "Measure the analyzer or the overview prompts (or two prompt folders against each other)"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--task", choices=("analyze", "overview"), default="analyze", help="default: analyze")
        parser.add_argument("--dataset", metavar="FILE", help="labelled JSONL rows (--task analyze)")
        parser.add_argument("--snapshot", metavar="DIR", help="a captured real day: its feeds give the rows' text")
        parser.add_argument("--labels", metavar="FILE", help="the real day's labels (default: DIR/labels.json)")
        parser.add_argument(
            "--from-edits", action="store_true", help="the editors' corrections (scrapy desk) as the labelled rows"
        )
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="with --from-edits: only days from this one")
        parser.add_argument("--days", metavar="D1,D2", help="stored days to measure (--task overview)")
        parser.add_argument("--last", type=int, default=7, metavar="N", help="the last N stored days (default 7)")
        parser.add_argument("--prompts", metavar="DIR", help="prompt folder to evaluate (default: bundled)")
        parser.add_argument("--against", metavar="DIR2", help="second prompt folder, compared side by side")
        parser.add_argument("--analyzer", choices=("llm", "heuristic"), help="default: NEWSBOT_ANALYZER")
        parser.add_argument("--limit", type=int, metavar="N", help="only the first N rows (quick iterations)")
        parser.add_argument("--details", action="store_true", help="include every row's verdicts")
        parser.add_argument("--dry-run", action="store_true", help="print the messages of the first rows; send none")
        parser.add_argument("--allow-fallback", action="store_true", help="measure rows the model failed on anyway")
        parser.add_argument("--by-day", action="store_true", help="also every metric per report day of the dataset")
        parser.add_argument("--json", action="store_true", help="with --against: the JSON object, not the table")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        check_start_up(self.settings)

    def run(self, args, opts):
        if opts.task == "analyze" and not (opts.dataset or opts.snapshot or opts.labels or opts.from_edits):
            raise UsageError("--dataset FILE, --snapshot DIR or --from-edits is required (or --task overview)")
        if opts.from_edits and (opts.dataset or opts.snapshot or opts.labels):
            raise UsageError("--from-edits takes no --dataset, --snapshot or --labels")
        if opts.since and not opts.from_edits:
            raise UsageError("--since needs --from-edits")
        for folder in (opts.prompts, opts.against):
            if folder and not Path(folder).is_dir():
                raise UsageError(f"no prompt folder {folder}")
        task = "overview" if opts.task == "overview" else "analyze"
        try:
            for folder in (opts.prompts, opts.against):
                if folder:
                    load_prompts(task, folder)
            if opts.dry_run:
                print(dry_run(self.settings, opts))
                return
            result = (evaluate_overview if task == "overview" else evaluate_analysis)(self.settings, opts)
        except (ModelUnreachable, StoreUnavailable) as exc:
            print(f"evalprompts: error: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        except (DatasetError, PromptError, OSError) as exc:
            print(f"evalprompts: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        if opts.against and not opts.json:
            print(eval_table.render(result))
        else:
            print(json.dumps(result, ensure_ascii=False, indent=2))
