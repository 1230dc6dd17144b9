"""The report's `stats`: per-source runs of the day, LLM usage and cost, clustering figures."""

from __future__ import annotations

from datetime import UTC, datetime

from newsbot.config import config_for
from newsbot.report.overview import Overview
from newsbot.report.select import Selection
from newsbot.runs.stat_keys import RunSummary
from newsbot.sources.catalog import SOURCES, display_name
from newsbot.storage.runs import latest_runs_for_day
from newsbot.text.window import Window

RUN_FIELDS = ("status", "items_seen", "stored", "failed_pages", "errors", "blocked", "finished_at")


def local_iso(value: datetime | None, tz) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz).isoformat(timespec="seconds")


def _run_facts(run: dict) -> dict:
    return {k: run.get(k) for k in RUN_FIELDS if k in run}


def source_runs(db, window: Window, given: dict[str, RunSummary] | None, previous: dict | None) -> dict:
    """The latest run of each source for this day: this process's runs (digest, the closing crawl),
    runs made for this report day whenever they finished (a daily job that ends after the cutoff
    still counts for its day), runs without a day that finished inside the window, or those the
    day's earlier report recorded."""
    out: dict[str, dict | None] = {}
    stored = latest_runs_for_day(db, SOURCES, window.day.isoformat(), window.start, window.cutoff)
    for name in SOURCES:
        found = []
        if given and given.get(name):
            found.append(_run_facts(given[name].as_doc()))
        if name in stored:
            found.append(_run_facts(stored[name]))
        if previous and previous.get(name):
            found.append(previous[name])
        found = [r for r in found if isinstance(r.get("finished_at"), datetime)]
        out[name] = max(found, key=lambda r: r["finished_at"]) if found else None
    return out


def source_stats(runs: dict[str, dict | None], selection: Selection) -> tuple[dict, list[dict]]:
    """Each source's figures for the day, and the sources that did not run cleanly."""
    tz = selection.window.tz
    sources = {}
    missing = []
    for name, run in runs.items():
        run = run or {}
        status = run.get("status") or "missing"
        sources[name] = {
            "source_name": display_name(name),
            "status": status,
            "fetched": int(run.get("items_seen") or 0),
            "stored": int(run.get("stored") or 0),
            "failed_pages": int(run.get("failed_pages") or 0),
            "errors": int(run.get("errors") or 0),
            "blocked": int(run.get("blocked") or 0),
            "in_window": selection.window_by_source.get(name, 0),
            "finished_at": local_iso(run.get("finished_at"), tz),
        }
        # A degraded run lost some entries but delivered the rest: the source is not missing.
        if status not in ("ok", "degraded"):
            missing.append({"source": name, "source_name": display_name(name), "status": status})
    return sources, missing


def llm_stats(settings, analyses: list[dict], overview: Overview) -> dict:
    """Who analysed the window's articles, with which models, and the tokens and cost of it all."""
    prompt = completion = 0
    by_analyzer: dict[str, int] = {}
    models: set[str] = set()
    for analysis in analyses:
        usage = analysis.get("usage") or {}
        prompt += int(usage.get("prompt_tokens") or 0)
        completion += int(usage.get("completion_tokens") or 0)
        kind = analysis.get("analyzer") or "unknown"
        by_analyzer[kind] = by_analyzer.get(kind, 0) + 1
        if kind == "llm" and analysis.get("model"):
            models.add(analysis["model"])
    if not overview.cached:
        prompt += int(overview.usage.get("prompt_tokens") or 0)
        completion += int(overview.usage.get("completion_tokens") or 0)
    analysis = config_for(settings).analysis
    cost = prompt / 1000 * analysis.price_prompt_per_1k + completion / 1000 * analysis.price_completion_per_1k
    return {
        "analyzed": len(analyses),
        "by_analyzer": dict(sorted(by_analyzer.items())),
        "models": sorted(models),
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "cost_usd": round(cost, 6),
        "overview": overview.kind,
        "overview_cached": overview.cached,
    }


def build_stats(settings, selection: Selection, runs: dict[str, dict | None], overview: Overview) -> dict:
    tz = selection.window.tz
    sources, missing = source_stats(runs, selection)
    cs = selection.cluster_stats
    return {
        "window": {
            "start": local_iso(selection.window.start, tz),
            "cutoff": local_iso(selection.window.cutoff, tz),
            "live": selection.window.live,
        },
        "sources": sources,
        "missing_sources": missing,
        "eligible": selection.eligible,
        "events": cs.clusters,
        "duplicates_merged": cs.merged,
        "repeats_skipped": len(selection.repeats),
        "llm": llm_stats(settings, selection.analyses, overview),
        "fallbacks": sum(a.get("analyzer") == "heuristic-fallback" for a in selection.analyses),
    }
