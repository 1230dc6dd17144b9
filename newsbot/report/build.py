"""The day's report as data: the selected events as entries, the overview and the stats.

Every field of an entry (title, url, source, summary, reason, tags) is copied in code from the
event's representative, one stored article (`candidate.Candidate`); templates only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsbot.config import config_for
from newsbot.report.candidate import REGIONS, Event
from newsbot.report.overview import build_overview
from newsbot.report.select import select
from newsbot.report.stats import build_stats, local_iso, source_runs
from newsbot.report.threads import with_thread_tag
from newsbot.runs.health import broken_sources, source_health
from newsbot.runtime.gc_policy import collector_paused
from newsbot.storage.reports import recorded_sources
from newsbot.text.window import Window


def entry_dict(event: Event, rank: int, tz) -> dict:
    """The JSON Entry; everything but rank comes from the event's representative article."""
    shown = event.representative
    return {
        "rank": rank,
        "title": shown.title,
        "summary": shown.summary,
        "url": shown.url,
        "source": shown.source,
        "source_name": shown.source_name,
        "region": shown.region,
        "importance": shown.importance,
        "score": shown.score,
        "category": shown.category,
        "reason": shown.reason,
        "tags": with_thread_tag(shown.tags, event.previously),
        "published_at": local_iso(shown.published_at, tz),
        "also_reported_by": [{"source": c.source, "source_name": c.source_name, "url": c.url} for c in event.others],
        # The story's earlier days (持续关注), when it is told again for a new fact.
        "previously": [
            {
                "date": p.get("date", ""),
                "title": p.get("title", ""),
                "url": p.get("url", ""),
                "published_at": local_iso(p.get("published_at"), tz),
            }
            for p in event.previously
        ],
    }


@dataclass
class Report:
    date: str
    generated_at: datetime  # local
    raw_count: int
    domestic: list[dict]
    international: list[dict]
    overview: str
    stats: dict
    short_top: int = 5
    events: list[Event] = field(default_factory=list, repr=False)
    runs: dict = field(default_factory=dict, repr=False)  # per source, as stored for re-renders

    def payload(self) -> dict:
        """The JSON document, exactly the documented shape."""
        return {
            "date": self.date,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "raw_count": self.raw_count,
            "domestic": self.domestic,
            "international": self.international,
            "overview": self.overview,
            "stats": self.stats,
        }


def build_report(settings, db, window: Window, runs: dict | None = None, now: datetime | None = None) -> Report:
    with collector_paused():
        return _build_report(settings, db, window, runs, now)


def _build_report(settings, db, window: Window, runs: dict | None, now: datetime | None) -> Report:
    selection = select(db, settings, window)
    tz = window.tz
    regions = {r: [entry_dict(e, i, tz) for i, e in enumerate(getattr(selection, r), 1)] for r in REGIONS}
    overview = build_overview(settings, db, selection.raw_count, regions["domestic"], regions["international"])
    all_runs = source_runs(db, window, runs, recorded_sources(db, window.day))
    stats = build_stats(settings, selection, all_runs, overview)
    # Health looks at the last runs of each source, whatever the report day: a source broken now is news.
    stats["broken_sources"] = broken_sources(source_health(db, now, None, settings))
    if selection.edits.count:
        # Only an edited day says so: an unedited day's JSON report is unchanged.
        stats["edits"] = selection.edits.stats()
    return Report(
        date=window.day.isoformat(),
        generated_at=(now or datetime.now(UTC)).astimezone(tz),
        raw_count=selection.raw_count,
        domestic=regions["domestic"],
        international=regions["international"],
        overview=overview.text,
        stats=stats,
        short_top=config_for(settings).report.short_top,
        events=selection.events,
        runs=all_runs,
    )
