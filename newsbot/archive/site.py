"""`scrapy publish --output-dir DIR`: the static archive site, built from the stored daily reports.

    DIR/index.html                  the latest day first, every day by month, the weekly reports, search
    DIR/YYYY-MM-DD/index.html       the day's HTML report with links to the previous and next day,
                                    the index and the week
    DIR/weekly/YYYY-Www/index.html  the weekly report
    DIR/feed.xml                    Atom feed, one entry per day
    DIR/search.json                 the search index; assets/search-index.js is the same data as a script
    DIR/assets/search.js            the search box (vanilla JS, no CDN)

Every page is rendered in memory and written only when its bytes differ from the file on disk, so
publishing after a new day rewrites that day, its week, the index, the feed and the search index
(and the day before, whose 下一天 link now exists); the result lists what was rewritten. The site
works from file:// and from any static host: links are relative, and the pages load nothing but
their own folder's files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from pathlib import Path

from newsbot.archive.feed import atom_feed, site_url
from newsbot.archive.search import day_page, search_json, search_script
from newsbot.archive.stored import StoredDay, stored_days
from newsbot.archive.templating import csp, page_style, render, static
from newsbot.archive.weekly import build_week, render_week, week_of
from newsbot.config import config_for
from newsbot.report.build import Report
from newsbot.report.daily import write_atomic
from newsbot.report.render import render_formats
from newsbot.report.threads import zh_day

logger = logging.getLogger(__name__)


@dataclass
class PublishResult:
    output_dir: Path
    days: int = 0
    weeks: int = 0
    written: list[str] = field(default_factory=list)  # relative paths, in build order
    unchanged: int = 0


def week_page(week: str) -> str:
    return f"weekly/{week}/index.html"


def report_of(day: StoredDay, short_top: int) -> Report:
    p = day.payload
    return Report(
        date=p["date"],
        generated_at=datetime.fromisoformat(p["generated_at"]),
        raw_count=int(p.get("raw_count") or 0),
        domestic=list(p.get("domestic") or []),
        international=list(p.get("international") or []),
        overview=p.get("overview") or "",
        stats=p.get("stats") or {},
        short_top=short_top,
    )


def _day_link(day: StoredDay | None, label: str) -> dict | None:
    return {"href": f"../{day_page(day.date)}", "label": f"{label} {zh_day(day.date)}"} if day else None


def day_html(day: StoredDay, prev: StoredDay | None, nxt: StoredDay | None, short_top: int) -> str:
    week = week_of(day.date)
    nav = {
        "root": "../",
        "index": "../index.html",
        "prev": _day_link(prev, "上一天"),
        "next": _day_link(nxt, "下一天"),
        "week": {"href": f"../{week_page(week)}", "label": f"本周周报 {week}"},
    }
    return render_formats(report_of(day, short_top), ["html"], nav=nav)["html"]


def index_html(days: list[StoredDay], weeks: list[str], short_top: int, base: str) -> str:
    latest = days[-1] if days else None
    months = [
        (f"{y}年{m}月", list(group))
        for (y, m), group in groupby(reversed(days), key=lambda d: (int(d.date[:4]), int(d.date[5:7])))
    ]
    style = page_style("site.css")
    return render(
        "index.html.j2",
        latest=latest,
        latest_page=day_page(latest.date) if latest else None,
        short_domestic=latest.payload.get("domestic", [])[:short_top] if latest else [],
        short_international=latest.payload.get("international", [])[:short_top] if latest else [],
        months=months,
        weeks=[(w, week_page(w)) for w in reversed(weeks)],
        day_page=day_page,
        zh_day=zh_day,
        feed_url=base + "feed.xml",
        style=style,
        csp=csp(style, scripts=True),
    )


def site_files(settings, db, days: list[StoredDay]) -> dict[str, str]:
    """Every file of the site, rendered in memory (a template error writes nothing)."""
    short_top = config_for(settings).report.short_top
    files: dict[str, str] = {}
    for i, day in enumerate(days):
        prev = days[i - 1] if i > 0 else None
        nxt = days[i + 1] if i + 1 < len(days) else None
        files[day_page(day.date)] = day_html(day, prev, nxt, short_top)
    weeks = []
    for week, group in groupby(days, key=lambda d: week_of(d.date)):
        weeks.append(week)
        report = build_week(settings, db, week, days=list(group))
        files[week_page(week)] = render_week(report, ["html"], nav={"root": "../../"})["html"]
    files["assets/search-index.js"] = search_script(days)
    files["assets/search.js"] = static("search.js")
    files["search.json"] = search_json(days)
    files["feed.xml"] = atom_feed(settings, days)
    files["index.html"] = index_html(days, weeks, short_top, site_url(settings))
    return files


def _same(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() == text.encode("utf-8")
    except OSError:
        return False


def publish(settings, db, output_dir) -> PublishResult:
    out = Path(output_dir)
    days = stored_days(db, config_for(settings).report.output_dir)
    result = PublishResult(out, days=len(days), weeks=len({week_of(d.date) for d in days}))
    for rel, text in site_files(settings, db, days).items():
        path = out / rel
        if _same(path, text):
            result.unchanged += 1
            continue
        write_atomic(path, text)
        result.written.append(rel)
    logger.info("Published %d days to %s: %d files rewritten, %d unchanged", len(days), out, *_counts(result))
    return result


def _counts(result: PublishResult) -> tuple[int, int]:
    return len(result.written), result.unchanged


def describe(result: PublishResult) -> list[str]:
    """What the publish rewrote, for the operator, one line each."""
    lines = [
        f"published {result.days} days and {result.weeks} weeks to {result.output_dir}: "
        f"{len(result.written)} files rewritten, {result.unchanged} unchanged"
    ]
    lines += [f"rewrote {rel}" for rel in result.written]
    return lines
