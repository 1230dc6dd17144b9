"""A report candidate: one eligible stored article, and the event a cluster of them makes.

Eligible: `analysis.ai_relevant` is true, a Chinese summary is stored, the region is known, the
article has a url and a publication time, no `skip_reason` (an entry stored for the raw count
only, e.g. an arXiv replacement), and it is a story, not a roundup, run log, advert or navigation
link (newsbot.text.kinds). Every field an entry shows comes from one document.

An event's entry shows the best-ranked member whose lead a Chinese reader can read: offline, an
English article's summary is its English lead, so an event reported by Bloomberg and by 36氪 shows
36氪's; the others are listed as also reported by. With the LLM every summary is Chinese and the
best-ranked member is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsbot.analysis.schema import Importance
from newsbot.analysis.summary import lead_text
from newsbot.report.keys import OPENING_CHARS, EventKeys, make_keys
from newsbot.sources.catalog import SOURCES
from newsbot.text.kinds import is_entry
from newsbot.text.lang import is_chinese

REGIONS = ("domestic", "international")


@dataclass(eq=False)
class Candidate:
    """One eligible article, with every field an entry shows taken from this one document."""

    url: str
    title: str
    source: str
    source_name: str
    published_at: datetime
    region: str
    importance: str
    score: int
    category: str
    summary: str
    reason: str
    tags: list[str]
    analyzer: str
    weight: float
    keys: EventKeys

    @property
    def chinese_lead(self) -> bool:
        """The summary's own words are Chinese (an offline English lead's Chinese label aside)."""
        return is_chinese(lead_text(self.summary))

    def rank_key(self) -> tuple:
        """Best first: score, importance, source weight, recency, then url (a total order)."""
        return (
            -self.score,
            Importance.order(self.importance),
            -self.weight,
            -self.published_at.timestamp(),
            self.url,
        )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def candidate_from_doc(doc: dict, promoted: bool = False) -> Candidate | None:
    """The article as a report candidate, or None when it is not eligible. A story an editor promoted
    is taken whatever its headline looks like (the editor read it)."""
    analysis = doc.get("analysis") or {}
    summary = (analysis.get("summary_zh") or "").strip()
    region = analysis.get("region")
    if analysis.get("ai_relevant") is not True or not summary or region not in REGIONS:
        return None
    if doc.get("skip_reason"):
        return None  # stored for the raw count only (e.g. an arXiv replacement): never reported
    title = (doc.get("title") or "").strip()
    if not promoted and not is_entry(title, doc.get("content") or doc.get("summary") or ""):
        # A roundup, run log, advert or navigation link: it would stand in for the stories it lists,
        # which their own feeds report.
        return None
    if not doc.get("url") or not isinstance(doc.get("published_at"), datetime):
        return None
    source = doc.get("source") or ""
    src = SOURCES.get(source)
    try:
        score = int(analysis.get("score") or 0)
    except (TypeError, ValueError):
        score = 0
    return Candidate(
        url=doc["url"],
        title=title,
        source=source,
        source_name=doc.get("source_name") or (src.display_name if src else source),
        published_at=_aware(doc["published_at"]),
        region=region,
        importance=analysis.get("importance") or "low",
        score=score,
        category=analysis.get("category") or "",
        summary=summary,
        reason=(analysis.get("reason_zh") or "").strip(),
        tags=[str(t) for t in analysis.get("tags") or []],
        analyzer=analysis.get("analyzer") or "",
        weight=src.weight if src else 1.0,
        keys=make_keys(*key_inputs(doc, analysis)),
    )


def key_inputs(doc: dict, analysis: dict) -> tuple[str, str, object, str]:
    """What an article's EventKeys are made from (make_keys' arguments): its title, the lead of its
    summary, its entities, and the opening of its text (the feed summary when it has no text)."""
    title = (doc.get("title") or "").strip()
    # The Chinese label of an offline English lead repeats the analysis; the keys read the lead itself.
    lead = lead_text((analysis.get("summary_zh") or "").strip())
    opening = (doc.get("content") or "")[:OPENING_CHARS] or doc.get("summary") or ""
    return title, lead, analysis.get("entities"), opening


@dataclass
class Event:
    """One cluster: `representative` is the article its entry shows, `others` the also-reported-by ones."""

    representative: Candidate
    others: list[Candidate]
    # Earlier days' appearances of a story told again for its new facts: [{date, title, url}], oldest first.
    previously: list[dict] = field(default_factory=list)

    @classmethod
    def of(cls, members: list[Candidate]) -> Event:
        """The event of these articles, showing the best-ranked one a Chinese reader can read."""
        ranked = sorted(members, key=Candidate.rank_key)
        shown = next((c for c in ranked if c.chinese_lead), ranked[0])
        return cls(representative=shown, others=[c for c in ranked if c is not shown])

    @property
    def members(self) -> list[Candidate]:
        return [self.representative, *self.others]

    @property
    def urls(self) -> list[str]:
        return [c.url for c in self.members]

    @property
    def facts(self) -> frozenset[str]:
        return frozenset().union(*(c.keys.facts for c in self.members))
