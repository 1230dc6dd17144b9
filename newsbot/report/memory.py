"""Memory across days: an event reported on an earlier day is not news again unless it adds a fact.

Every published report stores its entries in the `reports` collection (one document per day: url,
all urls of the cluster, its keys, its facts (amounts, entities, names) and MinHash signature). A
cluster matching an event of an earlier day within NEWSBOT_MEMORY_DAYS (same url, or `same_event`,
found through the same blocking keys) is left out unless it brings an amount, entity or name the
earlier event lacked, a further deal stage or an official confirmation (report/threads.py); then its
entry is the best report carrying the new fact, and `previously` links it to the earlier days' entries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from newsbot.report.blocking import band_keys, fact_keys, minhash
from newsbot.report.candidate import Event
from newsbot.report.keys import EventKeys
from newsbot.report.match import Corpus, same_event
from newsbot.report.threads import new_facts, thread_links
from newsbot.storage.reports import reported_entries


@dataclass
class PriorEvent:
    """An event a report of an earlier day carried, as the `reports` collection remembers it."""

    day: str
    url: str
    urls: frozenset[str]
    keys: EventKeys
    facts: frozenset[str]
    title: str = ""
    previously: list[dict] = field(default_factory=list)
    published_at: datetime | None = None  # the shown article's own time

    def link(self) -> dict:
        return {
            "date": self.day,
            "title": self.title,
            "url": self.url,
            "published_at": self.published_at,
            "previously": self.previously,
        }


def memory_record(event: Event) -> dict:
    """What the `reports` collection keeps of a reported event, for later days' repeat check."""
    shown = event.representative
    return {
        "url": shown.url,
        "title": shown.title,
        "published_at": shown.published_at,
        "source": shown.source,
        "region": shown.region,
        "urls": event.urls,
        **shown.keys.to_doc(),
        "facts": sorted(event.facts),
        "signature": list(minhash(shown.keys.shingles) or ()),
        "previously": event.previously,
    }


def load_memory(db, day: date, days: int) -> list[PriorEvent]:
    """Events reported on the `days` days before `day` (never `day` itself: re-rendering is stable)."""
    if days <= 0:
        return []
    prior: list[PriorEvent] = []
    for reported_on, ev in reported_entries(db, since=day - timedelta(days=days), before=day):
        keys = EventKeys.from_doc(ev)
        prior.append(
            PriorEvent(
                day=reported_on,
                url=ev.get("url", ""),
                urls=frozenset(ev.get("urls") or [ev.get("url", "")]),
                keys=keys,
                facts=frozenset(ev.get("facts") or keys.facts) | keys.developments,
                title=ev.get("title") or "",
                previously=list(ev.get("previously") or []),
                published_at=ev.get("published_at"),
            )
        )
    _fill_published(db, prior)
    return prior


def _fill_published(db, prior: list[PriorEvent]) -> None:
    """Memory records written before they kept the article's time get it from the stored article."""
    links = [link for ev in prior for link in ev.previously if not link.get("published_at")]
    urls = {ev.url for ev in prior if ev.published_at is None} | {link.get("url") for link in links}
    urls.discard("")
    urls.discard(None)
    if not urls:
        return
    found = {
        doc["url"]: doc.get("published_at")
        for doc in db.articles.find({"url": {"$in": sorted(urls)}}, {"url": 1, "published_at": 1})
    }
    for ev in prior:
        ev.published_at = ev.published_at or found.get(ev.url)
    for link in links:
        link["published_at"] = found.get(link.get("url"))


@dataclass
class Repeat:
    """An event left out because the report of `reported_on` already carried it."""

    url: str
    title: str
    reported_on: str
    reported_url: str
    # The event left out, so the desk can show it whole and an editor can promote it back.
    event: Event | None = field(default=None, repr=False, compare=False)


def drop_repeats(
    events: list[Event], prior: list[PriorEvent], corpus: Corpus | None = None, promoted: frozenset[str] = frozenset()
) -> tuple[list[Event], list[Repeat]]:
    """Leave out events an earlier report already carried, unless they bring a new fact (threads.new_facts)
    or an editor promoted one of their reports; an event told again links to its earlier appearances."""
    if not prior:
        return events, []
    index: dict[tuple, list[int]] = defaultdict(list)
    for p, ev in enumerate(prior):
        for url in ev.urls:
            index[("u", url)].append(p)
        for key in band_keys(minhash(ev.keys.shingles)) + fact_keys(ev.keys):
            index[key].append(p)
    kept: list[Event] = []
    repeats: list[Repeat] = []
    for event in events:
        matched: list[PriorEvent] = []
        for cand in event.members:
            lookups = [("u", cand.url), *band_keys(minhash(cand.keys.shingles)), *fact_keys(cand.keys)]
            hits = {p for key in lookups for p in index.get(key, ())}
            for p in sorted(hits):
                ev = prior[p]
                if ev not in matched and (cand.url in ev.urls or same_event(cand.keys, ev.keys, corpus)):
                    matched.append(ev)
        if not matched:
            kept.append(event)
            continue
        fresh_facts = new_facts(event.facts, frozenset().union(*(m.facts for m in matched)))
        if fresh_facts:
            # Told again for what is new: the entry is the best report that carries the new facts.
            members = event.members
            fresh = [c for c in members if c.keys.facts & fresh_facts]
            shown = Event.of(fresh).representative
            others = [c for c in members if c is not shown]
            kept.append(Event(representative=shown, others=others, previously=thread_links(m.link() for m in matched)))
        elif promoted & set(event.urls):
            # The editor's promotion wins over memory; the entry still says which earlier days told it.
            links = thread_links(m.link() for m in matched)
            kept.append(Event(representative=event.representative, others=event.others, previously=links))
        else:
            first = min(matched, key=lambda m: m.day)
            repeats.append(Repeat(event.representative.url, event.representative.title, first.day, first.url, event))
    return kept, repeats
