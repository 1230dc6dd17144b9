"""The Atom feed of the daily reports (feedgen): one entry per day, with the day's title, its date,
its 精简版 as HTML content and a link to the day's page.

A feed needs to know where it is served (NEWSBOT_SITE_URL, or `publish --site-url`): its links and its
rel=self must be absolute, since readers fetch it apart from the site. Without one there is no feed.
Ids do not come from that URL: they are tag: URIs of NEWSBOT_FEED_AUTHORITY and the day, so moving
the site, or adding its URL later, shows readers no entry twice."""

from __future__ import annotations

from datetime import datetime

from feedgen.feed import FeedGenerator

from newsbot.archive.search import day_page
from newsbot.archive.stored import StoredDay
from newsbot.archive.templating import render
from newsbot.config import config_for

FEED_TITLE = "AI每日动态"


# A tag: URI's date says when its authority was held; one fixed date keeps every id the same for ever.
TAG_DATE = "2026"


def site_url(settings) -> str:
    url = config_for(settings).publish.site_url or ""
    return url if not url or url.endswith("/") else url + "/"


def feed_id(settings, day: str | None = None) -> str:
    """tag:AUTHORITY,2026:ai-daily for the feed, .../DAY for the day's entry."""
    tag = f"tag:{config_for(settings).publish.feed_authority},{TAG_DATE}:ai-daily"
    return f"{tag}/{day}" if day else tag


def _published(day: StoredDay, settings) -> datetime:
    """When the day's report is due: the end of its window (NEWSBOT_REPORT_CUTOFF on day D)."""
    if day.cutoff:
        return day.cutoff
    report = config_for(settings).report
    return datetime.combine(datetime.fromisoformat(day.date).date(), report.cutoff, report.timezone)


def entry_content(day: StoredDay, short_top: int) -> str:
    """The day's 精简版, as HTML (autoescaped; feedgen escapes it again as the XML text it is)."""
    payload = day.payload
    return render(
        "feed_entry.html.j2",
        date=day.date,
        regions=(
            ("国内动态", payload.get("domestic", [])[:short_top]),
            ("国际动态", payload.get("international", [])[:short_top]),
        ),
        overview=payload.get("overview") or "",
    )


def atom_feed(settings, days: list[StoredDay]) -> str | None:
    """The feed, or None without a site URL."""
    base = site_url(settings)
    if not base:
        return None
    limit = config_for(settings).publish.feed_days
    short_top = config_for(settings).report.short_top
    shown = days[-limit:] if limit > 0 else days
    fg = FeedGenerator()
    fg.id(feed_id(settings))
    fg.title(FEED_TITLE)
    fg.subtitle("每日精选的国内外人工智能动态")
    fg.author({"name": "newsbot"})
    fg.language("zh-CN")
    fg.link(href=base + "feed.xml", rel="self", type="application/atom+xml")
    fg.link(href=base + "index.html", rel="alternate", type="text/html")
    # The newest report's time, never "now": publishing the same days twice gives the same feed.
    fg.updated(max((d.generated_at for d in shown), default=datetime.fromtimestamp(0).astimezone()))
    for day in reversed(shown):  # newest first
        fe = fg.add_entry(order="append")
        link = base + day_page(day.date)
        fe.id(feed_id(settings, day.date))
        fe.title(f"{FEED_TITLE} - {day.date}")
        fe.link(href=link, rel="alternate", type="text/html")
        fe.published(_published(day, settings))
        fe.updated(day.generated_at)
        fe.content(entry_content(day, short_top), type="html")
    return fg.atom_str(pretty=True).decode("utf-8")
