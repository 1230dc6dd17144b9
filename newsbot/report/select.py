"""Choosing the day's stories, always from MongoDB: every article in the window, the eligible ones
(newsbot.report.candidate) clustered into events (cluster), events already reported on an earlier day
left out (memory), then ranking and caps.

Events rank by the representative's analysis.score, then importance, source weight, recency and url
(a total order, so arrival order never changes the report); the representative is the member the
entry shows (candidate.Event.of: the best-ranked one with a Chinese lead). Each region is capped at
NEWSBOT_MAX_DOMESTIC / NEWSBOT_MAX_INTERNATIONAL. `raw_count` is every article stored with
published_at in the window, before any filtering.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from newsbot.config import config_for
from newsbot.report.candidate import Event, candidate_from_doc
from newsbot.report.cluster import ClusterStats, cluster
from newsbot.report.edited import (
    DayEdits,
    apply_fields,
    load_day_edits,
    promoted_candidates,
    promoted_shown,
    rank_edited,
    without_dropped,
)
from newsbot.report.keys import OPENING_CHARS
from newsbot.report.match import Corpus
from newsbot.report.memory import Repeat, drop_repeats, load_memory
from newsbot.storage.articles import articles_in_window
from newsbot.text.window import Window

logger = logging.getLogger(__name__)


@dataclass
class Selection:
    window: Window
    raw_count: int
    eligible: int
    domestic: list[Event]
    international: list[Event]
    cluster_stats: ClusterStats
    repeats: list[Repeat]
    # Per-source article counts in the window, and the analysis records of every article in it.
    window_by_source: dict[str, int] = field(default_factory=dict)
    analyses: list[dict] = field(default_factory=list)
    # The editor's corrections applied (report.edited), and the eligible events that missed the cut.
    edits: DayEdits = field(default_factory=DayEdits)
    missed: list[Event] = field(default_factory=list)

    @property
    def events(self) -> list[Event]:
        return [*self.domestic, *self.international]


def select(db, settings, window: Window) -> Selection:
    docs = articles_in_window(db, window.start, window.cutoff, opening_chars=OPENING_CHARS)
    # Arrival order must never matter: everything downstream sees the articles sorted by url.
    docs.sort(key=lambda d: d.get("url") or "")
    by_source = Counter(d.get("source") or "" for d in docs)
    cands = [c for c in (candidate_from_doc(d) for d in docs) if c is not None]
    edits = load_day_edits(db, window.day.isoformat())
    if edits.by_url:
        cands += promoted_candidates(docs, cands, edits)
        cands.sort(key=lambda c: c.url)
        apply_fields(cands, docs, edits)
    clusters, cstats = cluster(cands)
    events = [Event.of([cands[i] for i in g]) for g in clusters]
    report = config_for(settings).report
    prior = load_memory(db, window.day, report.memory_days)
    # The corpus takes the earlier days' events in; without any there is nothing to compare with.
    corpus = Corpus.of([c.keys for c in cands] + [p.keys for p in prior]) if prior else None
    events, repeats = drop_repeats(events, prior, corpus, frozenset(edits.promoted))
    events = without_dropped(promoted_shown(events, edits), edits)
    ranked = sorted(events, key=lambda e: e.representative.rank_key())
    chosen, missed = rank_edited(
        ranked, {"domestic": report.max_domestic, "international": report.max_international}, edits
    )
    for repeat in repeats:
        logger.debug("Left out %s: reported on %s as %s", repeat.url, repeat.reported_on, repeat.reported_url)
    logger.info(
        "Report %s: %d articles in window, %d eligible, %d events (%d merged, %d comparisons), %d repeats dropped",
        window.day,
        len(docs),
        len(cands),
        cstats.clusters,
        cstats.merged,
        cstats.comparisons,
        len(repeats),
    )
    logger.debug(
        "Blocking: %d shared buckets, the largest %d, %d compared by sorted neighbourhood",
        cstats.buckets,
        cstats.largest_bucket,
        cstats.oversized_buckets,
    )
    return Selection(
        window=window,
        raw_count=len(docs),
        eligible=len(cands),
        domestic=chosen["domestic"],
        international=chosen["international"],
        cluster_stats=cstats,
        repeats=repeats,
        window_by_source=dict(by_source),
        analyses=[d["analysis"] for d in docs if isinstance(d.get("analysis"), dict)],
        edits=edits,
        missed=missed,
    )
