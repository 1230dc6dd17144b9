"""What the desk shows of a day: the entries as selected (with the editor's edits applied), the
next eligible stories that missed the cut, the stories left out because an earlier day already
reported their event, and the stories judged not AI, each with its judgement, its sources and its
event's other members."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsbot.report.candidate import Candidate, Event
from newsbot.report.memory import Repeat
from newsbot.report.select import select
from newsbot.storage.articles import articles_by_url, not_ai_articles
from newsbot.storage.edits import day_version
from newsbot.storage.reports import report_status
from newsbot.text.window import Window

MISSED_SHOWN = 20


@dataclass
class Story:
    url: str
    title: str
    source_name: str
    importance: str
    region: str
    category: str
    score: int
    reason: str
    summary: str
    tags: list[str]
    members: list[dict] = field(default_factory=list)
    edits: dict = field(default_factory=dict)
    reported_on: str = ""  # a repeat: the earlier day whose report carried its event


@dataclass
class DayView:
    day: str
    version: int
    status: str
    domestic: list[Story]
    international: list[Story]
    missed: list[Story]
    not_ai: list[Story]
    stale: list[str]
    repeats: list[Story] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)  # {url, title, reason}: the editor may restore them


def story_of(cand: Candidate, others: list[Candidate], edits: dict) -> Story:
    return Story(
        url=cand.url,
        title=cand.title,
        source_name=cand.source_name,
        importance=cand.importance,
        region=cand.region,
        category=cand.category,
        score=cand.score,
        reason=cand.reason,
        summary=cand.summary,
        tags=list(cand.tags),
        members=[{"url": c.url, "title": c.title, "source_name": c.source_name} for c in others],
        edits=edits.get(cand.url, {}),
    )


def _event_story(event: Event, edits: dict) -> Story:
    return story_of(event.representative, event.others, edits)


def _repeat_story(repeat: Repeat, edits: dict) -> Story:
    story = _event_story(repeat.event, edits)
    story.reported_on = repeat.reported_on
    return story


def day_view(settings, db, window: Window) -> DayView:
    selection = select(db, settings, window)
    edits = selection.edits.by_url
    day = window.day.isoformat()
    not_ai = []
    for doc in not_ai_articles(db, window.start, window.cutoff):
        if doc["url"] in selection.edits.promoted or doc["url"] in selection.edits.dropped:
            continue  # shown with the entries, or among the dropped
        analysis = doc.get("analysis") or {}
        not_ai.append(
            Story(
                url=doc["url"],
                title=doc.get("title") or "",
                source_name=doc.get("source_name") or doc.get("source") or "",
                importance=str(analysis.get("importance") or ""),
                region=str(analysis.get("region") or ""),
                category=str(analysis.get("category") or ""),
                score=_score(analysis.get("score")),
                reason=str(analysis.get("reason_zh") or ""),
                summary=str(analysis.get("summary_zh") or ""),
                tags=[str(t) for t in analysis.get("tags") or []],
                edits=edits.get(doc["url"], {}),
            )
        )
    return DayView(
        day=day,
        version=day_version(db, day),
        status=report_status(db, day),
        domestic=[_event_story(e, edits) for e in selection.domestic],
        international=[_event_story(e, edits) for e in selection.international],
        missed=[_event_story(e, edits) for e in selection.missed[:MISSED_SHOWN]],
        repeats=[_repeat_story(r, edits) for r in selection.repeats if r.event is not None],
        not_ai=not_ai,
        stale=selection.edits.stale,
        dropped=dropped_stories(db, edits),
    )


def dropped_stories(db, edits: dict) -> list[dict]:
    urls = sorted(u for u, changes in edits.items() if "drop" in changes)
    found = articles_by_url(db, urls)
    return [
        {"url": u, "title": (found.get(u) or {}).get("title") or u, "reason": edits[u]["drop"]}
        for u in urls
        if u in found
    ]


def _score(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
