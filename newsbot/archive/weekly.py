"""The weekly report: the top events of one ISO week, built from the week's stored daily reports.

An event reported on several days (a repeat the daily memory let through for its new facts, or one
linked by a 前情 line) appears once: its entry is its latest appearance (the story as it now stands,
every field from that one article), with the day it first appeared and how many days it ran.
Counts by region and category cover every event of the week. The 本周总结 opens with a sentence of
counts composed in code; its 重点关注 comes from the LLM through the daily overview's LangChain path
(checked and cached the same way) when the analyzer is the LLM, and from the top titles offline.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from newsbot.analysis.schema import Importance
from newsbot.archive.stored import StoredDay, stored_days
from newsbot.archive.templating import csp, page_style, render
from newsbot.config import config_for
from newsbot.config.values import REPORT_FORMATS
from newsbot.report.candidate import REGIONS
from newsbot.report.cluster import UnionFind
from newsbot.report.keys import EventKeys
from newsbot.report.match import Corpus, same_event
from newsbot.report.threads import zh_day
from newsbot.storage.report_schema import FIRST_DAY, last_day

logger = logging.getLogger(__name__)

_WEEK_RE = re.compile(r"(\d{4})-W(\d{2})")


def parse_week(value: str) -> tuple[date, date]:
    """'2026-W06' -> (Monday, Sunday) of that ISO week."""
    match = _WEEK_RE.fullmatch(str(value or "").strip())
    if not match:
        raise ValueError(f"a week is written YYYY-Www (ISO week, e.g. 2026-W06), not {value!r}")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise ValueError(f"{value} is not an ISO week: {exc}") from exc
    if not FIRST_DAY <= monday <= last_day():
        raise ValueError(f"{value} does not start between {FIRST_DAY} and {last_day()} (tomorrow)")
    return monday, monday + timedelta(days=6)


def week_of(day: str | date) -> str:
    year, week, _ = (day if isinstance(day, date) else date.fromisoformat(day)).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Appearance:
    day: str
    entry: dict
    keys: EventKeys | None
    urls: frozenset[str]


@dataclass
class WeekReport:
    week: str
    start: str
    end: str
    generated_at: datetime  # local
    days: list[str]
    raw_count: int
    domestic: list[dict]
    international: list[dict]
    counts: dict
    summary: str
    stats: dict = field(default_factory=dict)

    def payload(self) -> dict:
        return {
            "week": self.week,
            "start": self.start,
            "end": self.end,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "days": self.days,
            "raw_count": self.raw_count,
            "domestic": self.domestic,
            "international": self.international,
            "counts": self.counts,
            "summary": self.summary,
            "stats": self.stats,
        }

    def push_payload(self) -> dict:
        """The shape the delivery channels read from a daily report, with the weekly title."""
        return {
            "date": self.week,
            "title": f"AI每周动态 - {self.week}",
            "raw_count": self.raw_count,
            "domestic": self.domestic,
            "international": self.international,
            "overview": self.summary,
            "overview_title": "📊 本周总结",
            "stats": {},
        }


def _appearances(days: list[StoredDay]) -> list[Appearance]:
    out = []
    for day in days:
        for entry in day.entries:
            record = day.memory.get(entry.get("url"))
            keys = EventKeys.from_doc(record) if record else None
            urls = frozenset((record or {}).get("urls") or ()) | {entry.get("url")}
            urls |= {o.get("url") for o in entry.get("also_reported_by") or []}
            out.append(Appearance(day.date, entry, keys, frozenset(u for u in urls if u)))
    return out


def merge_across_days(apps: list[Appearance]) -> list[list[Appearance]]:
    """Groups of appearances that are one event. Two entries of one day are never merged (the daily
    report already made them separate events); across days they are one event when they share an
    article, when the later one names the earlier in its 前情, or when `same_event` says so."""
    uf = UnionFind(len(apps))
    corpus = Corpus.of(a.keys for a in apps if a.keys)
    for i, a in enumerate(apps):
        earlier = {p.get("url") for p in a.entry.get("previously") or []}
        for j in range(i):
            b = apps[j]
            if a.day == b.day or uf.find(i) == uf.find(j):
                continue
            linked = bool(a.urls & b.urls) or b.entry.get("url") in earlier
            if linked or (a.keys and b.keys and same_event(a.keys, b.keys, corpus)):
                uf.union(i, j)
    groups: dict[int, list[Appearance]] = {}
    for i, a in enumerate(apps):
        groups.setdefault(uf.find(i), []).append(a)
    return [sorted(g, key=lambda a: a.day) for g in groups.values()]


def _score(entry: dict) -> int:
    try:
        return int(entry.get("score") or 0)
    except (TypeError, ValueError):
        return 0


def week_entry(group: list[Appearance]) -> dict:
    """One event of the week: every field but the week facts comes from its latest appearance."""
    latest = group[-1].entry
    dates = sorted({a.day for a in group})
    also = {o["url"]: o for a in group for o in a.entry.get("also_reported_by") or [] if o.get("url")}
    for a in group[:-1]:
        e = a.entry
        also.setdefault(e["url"], {"source": e.get("source"), "source_name": e.get("source_name"), "url": e["url"]})
    also.pop(latest.get("url"), None)
    return {
        "title": latest.get("title", ""),
        "summary": latest.get("summary", ""),
        "url": latest.get("url", ""),
        "source": latest.get("source", ""),
        "source_name": latest.get("source_name", ""),
        "region": latest.get("region", ""),
        "importance": latest.get("importance", "low"),
        "score": _score(latest),
        "category": latest.get("category", ""),
        "tags": list(latest.get("tags") or []),
        "first_date": dates[0],
        "last_date": dates[-1],
        "days_ran": len(dates),
        "dates": dates,
        "also_reported_by": list(also.values()),
    }


def _rank_key(entry: dict, best: int) -> tuple:
    return (-best, -entry["days_ran"], Importance.order(entry["importance"]), entry["first_date"], entry["url"])


def rank_events(groups: list[list[Appearance]]) -> list[dict]:
    """Every event of the week, best first: its best daily score, then how many days it ran."""
    keyed = [(week_entry(g), max(_score(a.entry) for a in g)) for g in groups]
    keyed.sort(key=lambda pair: _rank_key(*pair))
    return [entry for entry, _ in keyed]


def week_counts(events: list[dict]) -> dict:
    categories = Counter(e["category"] or "其他" for e in events)
    return {
        "events": len(events),
        "region": {r: sum(1 for e in events if e["region"] == r) for r in REGIONS},
        "category": dict(sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))),
        "high": sum(1 for e in events if e["importance"] == "high"),
        "multi_day": sum(1 for e in events if e["days_ran"] > 1),
    }


def counts_sentence(start: str, end: str, days: int, raw_count: int, counts: dict) -> str:
    region = counts["region"]
    text = (
        f"本周（{zh_day(start)}至{zh_day(end)}）共{days}期日报，从{raw_count}条原始信息中精选出{counts['events']}个事件："
        f"国内{region['domestic']}个、国际{region['international']}个，其中{counts['high']}个为高重要性"
    )
    text += f"，{counts['multi_day']}个事件持续多日。" if counts["multi_day"] else "。"
    top = [f"{name}（{n}）" for name, n in list(counts["category"].items())[:3]]
    if top:
        text += "分类上以" + "、".join(top) + "居多。"
    return text


def offline_highlights(events: list[dict], n: int = 3) -> str:
    titles = [e["title"].strip().rstrip("。") for e in events[:n] if e["title"].strip()]
    return ("重点关注：" + "；".join(titles) + "。") if titles else ""


def week_summary(settings, db, events: list[dict], raw_count: int, counts_text: str) -> tuple[str, str]:
    """(本周总结, how it was written: llm | heuristic | heuristic-fallback)."""
    from newsbot.analysis.overview_writer import compose_overview_sync

    top = events[: config_for(settings).publish.weekly_summary_events]
    offline = f"{counts_text} {offline_highlights(events)}".strip()
    try:
        result = compose_overview_sync(
            top, raw_count=raw_count, settings=settings, db=db, task="weekly", counts=counts_text
        )
    except Exception as exc:  # the weekly report must render even when the summary machinery breaks
        logger.warning("Weekly summary failed (%s); using the composed one", str(exc).splitlines()[0][:200])
        return offline, "heuristic-fallback"
    if result.analyzer != "llm":
        return offline, result.analyzer
    return result.text, "llm"


def build_week(settings, db, week: str, days: list[StoredDay] | None = None, now: datetime | None = None) -> WeekReport:
    """The week's report from its stored days (read from the database unless given)."""
    start, end = parse_week(week)
    if days is None:
        days = stored_days(db, config_for(settings).report.output_dir, start.isoformat(), end.isoformat())
    if not days:
        raise ValueError(f"no daily report is stored for {week} ({start} to {end}); render the days first")
    tz = config_for(settings).report.timezone
    events = rank_events(merge_across_days(_appearances(days)))
    counts = week_counts(events)
    raw_count = sum(int(d.payload.get("raw_count") or 0) for d in days)
    counts_text = counts_sentence(start.isoformat(), end.isoformat(), len(days), raw_count, counts)
    summary, kind = week_summary(settings, db, events, raw_count, counts_text)
    top = config_for(settings).publish.weekly_top
    regions = {}
    for region in REGIONS:
        chosen = [e for e in events if e["region"] == region][:top]
        regions[region] = [{"rank": i, **e} for i, e in enumerate(chosen, 1)]
    # The weekly report's own time, not its newest day's: the site keeps a page whose only change
    # is this time (site.same_page), so publishing twice still rewrites nothing.
    generated = now or datetime.now(UTC)
    return WeekReport(
        week=week,
        start=start.isoformat(),
        end=end.isoformat(),
        generated_at=generated.astimezone(UTC).astimezone(tz),
        days=[d.date for d in days],
        raw_count=raw_count,
        domestic=regions["domestic"],
        international=regions["international"],
        counts=counts,
        summary=summary,
        stats={"summary": kind, "daily_entries": sum(len(d.entries) for d in days)},
    )


def render_week(report: WeekReport, formats=REPORT_FORMATS, nav: dict | None = None) -> dict[str, str]:
    """Every format in memory first, so a template error writes nothing. `nav` (the site's links, with
    `root` the way back to the site's top folder) is None for the stand-alone files."""
    style = page_style("week.css")
    context = {
        "w": report,
        "generated_at": report.generated_at.strftime("%Y-%m-%d %H:%M:%S"),
        "nav": nav,
        "style": style,
        "csp": csp(style),
    }
    out = {}
    for fmt in formats:
        if fmt not in REPORT_FORMATS:
            raise ValueError(f"unknown report format {fmt!r}; known: {', '.join(REPORT_FORMATS)}")
        if fmt == "json":
            out[fmt] = render("week.json.j2", payload=report.payload())
        else:
            out[fmt] = render(f"week.{fmt}.j2", **context)
    return out


def write_week(settings, week: str, output_dir=None) -> tuple[WeekReport, list[Path]]:
    """`scrapy report --week`: OUTPUT_DIR/2026-W06.{txt,md,html,json} from the stored daily reports."""
    from newsbot.report.daily import write_atomic
    from newsbot.storage.connection import sync_db

    client, db = sync_db(settings)
    try:
        report = build_week(settings, db, week)
    finally:
        client.close()
    wanted = config_for(settings).report.formats
    texts = render_week(report, wanted)
    out = Path(output_dir or config_for(settings).report.output_dir)
    paths = []
    for fmt, text in texts.items():
        path = out / f"{report.week}.{fmt}"
        write_atomic(path, text)
        paths.append(path)
    return report, paths


def push_week(settings, report: WeekReport, paths: list[Path]) -> bool:
    """Send the weekly files to every configured channel, like a day's report; never raises."""
    from newsbot.delivery import push_report

    delivery = config_for(settings).delivery
    if not delivery.enabled or not delivery.channels:
        return True
    pushed = push_report(settings, report.push_payload(), {p.suffix.lstrip("."): p for p in paths})
    return pushed.ok
