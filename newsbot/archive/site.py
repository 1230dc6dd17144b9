"""`scrapy publish --output-dir DIR`: the static archive site, built from the stored daily reports.

    DIR/index.html                  the latest day first, every day by month, the weekly reports, search
    DIR/YYYY-MM-DD/index.html       the day's HTML report with links to the previous and next day,
                                    the index and the week
    DIR/weekly/YYYY-Www/index.html  the weekly report
    DIR/feed.xml                    Atom feed, one entry per day (only with a site URL: publish/feed.py)
    DIR/search.json                 the search index; assets/search-index.js is the same data as a script
    DIR/assets/search.js            the search box (vanilla JS, no CDN)

Every page is rendered in memory and written only when its bytes differ from the file on disk, so
publishing after a new day rewrites that day, its week, the index, the feed and the search index
(and the day before, whose 下一期 link now exists); the result lists what was rewritten. The site
works from file:// and from any static host: links are relative, and the pages load nothing but
their own folder's files.
"""

from __future__ import annotations

import logging
import re
from contextlib import suppress
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
    feed: bool = True  # feed.xml was built (there is a site URL)
    removed: list[str] = field(default_factory=list)  # pages of days and weeks no longer stored
    feed_removed: bool = False  # no site URL, and the feed.xml an earlier publish wrote was removed


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
    """The neighbouring issue, named as an issue and not dated: days can be months apart, and a
    date beside 下一天 reads as the following calendar day."""
    return {"href": f"../{day_page(day.date)}", "label": label, "title": day.date} if day else None


def day_html(day: StoredDay, prev: StoredDay | None, nxt: StoredDay | None, short_top: int) -> str:
    week = week_of(day.date)
    nav = {
        "root": "../",
        "index": "../index.html",
        "prev": _day_link(prev, "上一期"),
        "next": _day_link(nxt, "下一期"),
        "week": {"href": f"../{week_page(week)}", "label": f"本周周报 {week}"},
    }
    return render_formats(report_of(day, short_top), ["html"], nav=nav)["html"]


def index_html(days: list[StoredDay], weeks: list[str], short_top: int, feed_url: str | None) -> str:
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
        feed_url=feed_url,
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
    feed = atom_feed(settings, days)
    if feed is not None:
        files["feed.xml"] = feed
    files["index.html"] = index_html(days, weeks, short_top, site_url(settings) + "feed.xml" if feed else None)
    return files


# A page's own generation time (the weekly report's) is no change of the page.
_GENERATED = re.compile(r'<time class="generated" datetime="[^"]*">[^<]*</time>')


def same_page(old: str, new: str) -> bool:
    return _GENERATED.sub("", old) == _GENERATED.sub("", new)


def _same(path: Path, text: str) -> bool:
    try:
        return same_page(path.read_text(encoding="utf-8"), text)
    except (OSError, UnicodeDecodeError):
        return False


def publish(settings, db, output_dir) -> PublishResult:
    out = Path(output_dir)
    days = stored_days(db, config_for(settings).report.output_dir)
    result = PublishResult(out, days=len(days), weeks=len({week_of(d.date) for d in days}))
    files = site_files(settings, db, days)
    result.feed = "feed.xml" in files
    for rel, text in files.items():
        path = out / rel
        if _same(path, text):
            result.unchanged += 1
            continue
        write_atomic(path, text)
        result.written.append(rel)
    result.removed = remove_stale_pages(out, files)
    if not result.feed:
        result.feed_removed = remove_stale_feed(out)
    logger.info("Published %d days to %s: %d files rewritten, %d unchanged", len(days), out, *_counts(result))
    return result


# The pages the site makes for a day and for a week: only these are ever removed from its folder.
YEAR = "[0-9][0-9][0-9][0-9]"
STALE_PAGES = (f"{YEAR}-[0-9][0-9]-[0-9][0-9]/index.html", f"weekly/{YEAR}-W[0-9][0-9]/index.html")


def remove_stale_pages(out: Path, files: dict[str, str]) -> list[str]:
    """Remove the page of every day or week the store no longer holds (a day dropped with
    `scrapy report --drop`), and its folder once empty; the relative paths removed."""
    removed = []
    for pattern in STALE_PAGES:
        for path in sorted(out.glob(pattern)):
            rel = path.relative_to(out).as_posix()
            if rel in files:
                continue
            path.unlink()
            with suppress(OSError):
                path.parent.rmdir()
            removed.append(rel)
    return removed


def remove_stale_feed(out: Path) -> bool:
    """Remove the feed.xml an earlier publish with a site URL left: left alone, readers would go on
    polling it and never see a new day. Whether there was one."""
    path = out / "feed.xml"
    if not path.is_file():
        return False
    path.unlink()
    return True


def _counts(result: PublishResult) -> tuple[int, int]:
    return len(result.written), result.unchanged


def describe(result: PublishResult) -> list[str]:
    """What the publish rewrote, for the operator, one line each."""
    lines = [
        f"published {result.days} days and {result.weeks} weeks to {result.output_dir}: "
        f"{len(result.written)} files rewritten, {result.unchanged} unchanged"
    ]
    lines += [f"rewrote {rel}" for rel in result.written]
    lines += [f"removed {rel}" for rel in result.removed]
    return lines
