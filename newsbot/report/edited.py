"""The editor's corrections (storage/edits.py) applied to a day's selection, so that every re-render
(`scrapy report`, `scrapy digest`, a crawl's report on close) and the stored report and its memory
carry them.

Field edits (importance, region, summary, reason, tags) change the story's candidate before ranking,
so a region change moves it and the stored memory records the edited day. A drop removes the event
whose entry shows the story (or the story from another event's also-reported-by). A promoted story
is an entry whatever the selection thought of it: it makes the cut whatever its rank, even one the
analyzer judged not AI; its event is told again even when an earlier day reported it without a new
fact (with the 前情 links to that day, report.memory); and when it was merged into another report's
event, the entry shows it, the other report under also-reported-by. An order edit puts the entry at
that position of its region. An edit whose story is no longer stored in the day's window is stale: it
is counted and logged, never an error (the article may have been re-dated or removed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from newsbot.report.candidate import REGIONS, Candidate, Event, candidate_from_doc
from newsbot.storage.edits import day_edits, latest_by_story

logger = logging.getLogger(__name__)

CANDIDATE_FIELDS = {"importance": "importance", "region": "region", "summary": "summary", "reason": "reason"}


@dataclass
class DayEdits:
    by_url: dict[str, dict[str, Any]] = field(default_factory=dict)
    count: int = 0
    version: int = 0
    stale: list[str] = field(default_factory=list)

    @property
    def dropped(self) -> set[str]:
        return {u for u, f in self.by_url.items() if "drop" in f}

    @property
    def promoted(self) -> set[str]:
        return {u for u, f in self.by_url.items() if f.get("promote") and "drop" not in f}

    def stats(self) -> dict:
        return {"applied": self.count - len(self.stale), "stale": len(self.stale), "version": self.version}


def load_day_edits(db, day: str) -> DayEdits:
    edits = day_edits(db, day)
    return DayEdits(latest_by_story(edits), len(edits), max((e["version"] for e in edits), default=0))


def promoted_candidates(docs: list[dict], cands: list[Candidate], edits: DayEdits) -> list[Candidate]:
    """Candidates for promoted stories the analyzer or the entry check left out (not AI, no summary,
    region unknown, a headline that reads like a roundup, a skipped item)."""
    have = {c.url for c in cands}
    out = []
    for doc in docs:
        url = doc.get("url")
        if url not in edits.promoted or url in have:
            continue
        analysis = dict(doc.get("analysis") or {})
        changes = edits.by_url[url]
        analysis["ai_relevant"] = True
        analysis["region"] = changes.get("region") or (
            analysis.get("region") if analysis.get("region") in REGIONS else "international"
        )
        analysis["summary_zh"] = changes.get("summary") or analysis.get("summary_zh") or doc.get("title") or url
        analysis.setdefault("importance", "medium")
        cand = candidate_from_doc({**doc, "analysis": analysis, "skip_reason": None}, promoted=True)
        if cand is not None:
            out.append(cand)
    return out


def apply_fields(cands: list[Candidate], docs: list[dict], edits: DayEdits) -> None:
    """Field edits onto the candidates; stories no longer in the window are recorded as stale."""
    stored = {d.get("url") for d in docs}
    edits.stale = sorted(u for u in edits.by_url if u not in stored)
    for url in edits.stale:
        logger.warning("Stale edit: %s is no longer stored in the day's window; its edits are not applied", url)
    for cand in cands:
        changes = edits.by_url.get(cand.url)
        if not changes:
            continue
        for name, attr in CANDIDATE_FIELDS.items():
            if name in changes:
                setattr(cand, attr, changes[name])
        if "tags" in changes:
            cand.tags = list(changes["tags"])
        if changes.get("promote") and "importance" not in changes and cand.importance == "low":
            cand.importance = "medium"


def promoted_shown(events: list[Event], edits: DayEdits) -> list[Event]:
    """Each event whose entry shows another report than the one the editor promoted, showing the
    promoted one instead: the editor chose which report tells the event, and the event stays one entry."""
    promoted = edits.promoted
    if not promoted:
        return events
    out = []
    for event in events:
        if event.representative.url in promoted or not promoted & set(event.urls):
            out.append(event)
            continue
        shown = min((c for c in event.others if c.url in promoted), key=lambda c: c.rank_key())
        others = [event.representative, *(c for c in event.others if c is not shown)]
        out.append(Event(representative=shown, others=others, previously=event.previously))
    return out


def without_dropped(events: list[Event], edits: DayEdits) -> list[Event]:
    dropped = edits.dropped
    if not dropped:
        return events
    out = []
    for event in events:
        if event.representative.url in dropped:
            continue
        event.others = [c for c in event.others if c.url not in dropped]
        out.append(event)
    return out


def rank_edited(ranked: list[Event], caps: dict[str, int], edits: DayEdits) -> tuple[dict[str, list[Event]], list]:
    """The events of each region (best first, capped, promoted ones always in, then ordered by the
    editor's positions) and the eligible events that missed the cut, best first."""
    chosen: dict[str, list[Event]] = {}
    missed: list[Event] = []
    promoted = edits.promoted
    for region in REGIONS:
        mine = [e for e in ranked if e.representative.region == region]
        picked = [e for i, e in enumerate(mine) if i < caps[region] or set(e.urls) & promoted]
        missed += [e for e in mine if e not in picked]
        chosen[region] = _ordered(picked, edits)
    missed.sort(key=lambda e: e.representative.rank_key())
    return chosen, missed


def _ordered(events: list[Event], edits: DayEdits) -> list[Event]:
    placed = {id(e): edits.by_url.get(e.representative.url, {}).get("order") for e in events}
    rest = [e for e in events if placed[id(e)] is None]
    for event in sorted((e for e in events if placed[id(e)] is not None), key=lambda e: placed[id(e)]):
        rest.insert(min(placed[id(event)] - 1, len(rest)), event)
    return rest
