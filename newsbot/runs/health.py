"""Source health, read from the `runs` collection (one document per spider run, written by
newsbot.extensions.run_stats.RunStatsExtension).

A run is bad when its feed was blocked, it failed, it saw no items, or it recorded errors (spider
errors included). A source whose last NEWSBOT_HEALTH_BROKEN_AFTER (2) runs were all bad is broken;
one whose last run was good but dropped entries for errors is degraded. An empty run on a
day the source is known to publish nothing (its `quiet_weekdays` in the sources file, or
NEWSBOT_HEALTH_QUIET: arXiv at weekends) is neither
good nor bad: it is skipped, so Friday-empty + Monday-empty still counts as two in a row.

    health = source_health(db, now, sources, settings)   # a blocking pymongo database
    broken = broken_sources(health)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from scrapy.settings import Settings

from newsbot.config import config_for
from newsbot.config.values import WEEKDAYS
from newsbot.sources.catalog import SOURCES
from newsbot.storage.runs import latest_runs, runs_between

WEEKDAY_NUMBERS = {name: i for i, name in enumerate(WEEKDAYS)}
LAST_RUN_FIELDS = (
    "finished_at",
    "started_at",
    "status",
    "items_seen",
    "new",
    "stored",
    "failed_pages",
    "blocked",
    "fetch_errors",
    "parse_errors",
    "errors",
    "spider_errors",
    "entries_dropped",
    "duration_s",
)
# Enough history to find a streak through a weekend of quiet runs, even with several runs a day.
STREAK_LOOKBACK = 50

PROBLEM_TEXT = {
    "blocked": ("blocked", "被拦截"),
    "error": ("errors", "出错"),
    "empty": ("no items", "无条目"),
}


class HealthConfig:
    def __init__(self, settings=None):
        if settings is None:
            settings = Settings()
            settings.setmodule("newsbot.settings", priority="project")
        config = config_for(settings)
        health = config.health
        self.days = health.days
        self.broken_after = health.broken_after
        self.timezone = config.report.timezone
        self.expected = timedelta(hours=health.expected_hours)
        rules = {
            name: {"timezone": src.quiet_timezone, "weekdays": list(src.quiet_weekdays)}
            for name, src in SOURCES.items()
            if src.quiet_weekdays
        }
        # The setting, when given, wins over the sources file.
        rules.update(health.quiet)
        self.quiet = {
            name: (ZoneInfo(rule.get("timezone", "UTC")), {WEEKDAY_NUMBERS[day] for day in rule.get("weekdays", [])})
            for name, rule in rules.items()
        }


def run_problem(run: dict) -> str | None:
    """Why a run is bad (blocked, error, empty), or None when it is good."""
    status = run.get("status")
    seen = int(run.get("items_seen") or 0)
    if status == "blocked" or (int(run.get("blocked") or 0) and not seen):
        return "blocked"
    if status == "error":
        return "error"
    if not seen:
        return "empty"
    if int(run.get("errors") or 0):
        return "error"
    return None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _quiet(source: str, run: dict, config: HealthConfig) -> bool:
    if source not in config.quiet:
        return False
    tz, weekdays = config.quiet[source]
    when = _aware(run.get("finished_at") or run.get("started_at"))
    return when is not None and when.astimezone(tz).weekday() in weekdays


def window_start(now: datetime, config: HealthConfig) -> datetime:
    """Midnight (local) of the first of the last `days` local days, today included."""
    today = now.astimezone(config.timezone).date()
    first = today - timedelta(days=config.days - 1)
    return datetime(first.year, first.month, first.day, tzinfo=config.timezone)


def assess(source: str, recent: list[dict], window: list[dict], now: datetime, config: HealthConfig) -> dict:
    """The health of one source from its latest runs (newest first) and its runs in the window."""
    streak, problems, since = 0, [], None
    # The last run that did its job (a quiet day's empty run included): a source whose jobs die
    # before recording anything has none, and is overdue however healthy its old runs were.
    last_good = next(
        (
            _aware(r.get("finished_at"))
            for r in recent
            if run_problem(r) is None or (run_problem(r) == "empty" and _quiet(source, r, config))
        ),
        None,
    )
    overdue = last_good is None or now - last_good > config.expected
    for run in recent:
        problem = run_problem(run)
        if problem == "empty" and _quiet(source, run, config):
            continue
        if problem is None:
            break
        streak += 1
        problems.append(problem)
        since = _aware(run.get("finished_at"))
    last = recent[0] if recent else None
    if last is None:
        status = "no-runs"
    elif streak >= config.broken_after:
        status = "broken"
    elif streak:
        status = "failing"
    elif last.get("status") == "degraded":
        # The run worked, but entries were lost to errors: worth a look, not an alert.
        status = "degraded"
    else:
        status = "ok"
    kinds = sorted(set(problems))
    problem = kinds[0] if len(kinds) == 1 else ("mixed" if kinds else None)
    if problem == "mixed":
        reason_en, reason_zh = "no items or errors", "无条目或出错"
    elif problem:
        reason_en, reason_zh = PROBLEM_TEXT[problem]
    if problem:
        reason = f"{reason_en} in the last {streak} runs" if streak > 1 else f"{reason_en} in the last run"
        reason_zh = f"连续 {streak} 次运行{reason_zh}" if streak > 1 else f"最近一次运行{reason_zh}"
    elif status == "degraded":
        dropped, spider_errors = int(last.get("entries_dropped") or 0), int(last.get("spider_errors") or 0)
        reason = f"{dropped} entries dropped, {spider_errors} spider errors in the last run"
        reason_zh = f"最近一次运行丢弃 {dropped} 个条目，{spider_errors} 个爬虫错误"
    else:
        reason = reason_zh = ""

    today = now.astimezone(config.timezone).date()
    days = [today - timedelta(days=i) for i in range(config.days - 1, -1, -1)]
    daily = dict.fromkeys(days, 0)
    for run in window:
        when = _aware(run.get("finished_at"))
        if when is not None:
            day = when.astimezone(config.timezone).date()
            if day in daily:
                daily[day] += int(run.get("new") or 0)
    return {
        "source": source,
        "source_name": SOURCES[source].display_name if source in SOURCES else source,
        "status": status,
        "broken": status == "broken",
        "problem": problem,
        "reason": reason,
        "reason_zh": reason_zh,
        "streak": streak,
        "since": since,
        "last_success": last_good,
        "overdue": overdue,
        "overdue_reason": _overdue_reason(last_good, now) if overdue else "",
        "last_run": {k: last.get(k) for k in LAST_RUN_FIELDS} if last else None,
        "runs_7d": len(window),
        "items_7d": sum(int(r.get("items_seen") or 0) for r in window),
        "new_7d": sum(daily.values()),
        "days": [d.isoformat() for d in days],
        "daily_new": list(daily.values()),
    }


def _overdue_reason(last_good: datetime | None, now: datetime) -> str:
    if last_good is None:
        return "no successful run on record"
    hours = (now - last_good).total_seconds() / 3600
    return f"no successful run for {hours:.0f}h"


def recent_runs(db, source: str, now: datetime, window: list[dict]) -> list[dict]:
    """The source's latest runs, newest first, as far back as `assess` reads them: to its last good
    run, at most STREAK_LOOKBACK. The window's runs are its newest: when they hold a good run (most
    sources, most days) they are enough, and only a source without one costs a query of its own."""
    newest = sorted(window, key=lambda r: _aware(r["finished_at"]), reverse=True)[:STREAK_LOOKBACK]
    if any(run_problem(r) is None for r in newest):
        return newest
    return latest_runs(db, source, now, STREAK_LOOKBACK)


def source_health(db, now: datetime | None = None, sources: Iterable[str] | None = None, settings=None) -> dict:
    """{source: health} for every source (default: all in newsbot.sources.catalog), from a pymongo Database."""
    now = _aware(now) or datetime.now(UTC)
    config = HealthConfig(settings)
    in_window = defaultdict(list)
    for run in runs_between(db, window_start(now, config), now):
        in_window[run.get("source")].append(run)
    out = {}
    for name in list(sources) if sources is not None else list(SOURCES):
        window = in_window.get(name, [])
        out[name] = assess(name, recent_runs(db, name, now, window), window, now, config)
    return out


def broken_sources(health: dict) -> list[dict]:
    """The broken sources, JSON-ready, for the report's stats and footer and the alert."""
    return [
        {
            "source": h["source"],
            "source_name": h["source_name"],
            "problem": h["problem"],
            "reason": h["reason"],
            "reason_zh": h["reason_zh"],
            "streak": h["streak"],
            "since": h["since"].isoformat() if h["since"] else None,
        }
        for h in health.values()
        if h["broken"]
    ]


def alert_text(broken: list[dict], date: str | None = None) -> str:
    """The short alert pushed to the channels: one line per broken source."""
    if not broken:
        return ""
    head = f"newsbot：{len(broken)} 个来源异常" + (f"（{date}）" if date else "")
    lines = [head]
    for b in broken:
        lines.append(f"- {b['source_name']}（{b['source']}）：{b.get('reason_zh') or b.get('reason')}")
    return "\n".join(lines)
