"""Choosing the day's stories, always from MongoDB: window, eligibility, one entry per event,
memory across days, ranking and caps.

Window
    Report day D (NEWSBOT_TIMEZONE, Asia/Shanghai) covers [cutoff - NEWSBOT_WINDOW_HOURS, cutoff):
    the start is inclusive and the cutoff exclusive. With NEWSBOT_DATE=D (`--date D`) the cutoff is D
    at NEWSBOT_REPORT_CUTOFF local time; live, the cutoff is now and D is the local date of now.
    `raw_count` is every article stored with published_at in the window, before any filtering.

Eligibility
    Only articles whose stored `analysis.ai_relevant` is true and which carry a Chinese summary.

Same-event clustering (near-linear, no all-pairs comparison)
    Each article gets three kinds of keys, all computed from its own stored fields:
      * shingles: character bigrams of summary_zh (date prefix removed; a CJK character or a Latin
        word is one token), so paraphrases of one fact share many shingles;
      * entities: analysis.entities, case- and punctuation-folded (the analyzer canonicalises names
        through its gazetteer, so "英伟达" and "NVIDIA" arrive as one entity);
      * numbers: money and scaled amounts normalised to their value, so "200亿美元", "$20 billion" and
        "20 bn dollars" are all `n:2e+10`, "8亿元" and "800 million yuan" are `n:8e+08`;
        percentages are `p:<value>`. Read from summary_zh and the title.
    Candidate pairs come only from shared blocking keys:
      * MinHash LSH: a one-permutation MinHash of 60 bins (densified) over the shingles, cut into
        20 bands of 3; shingles found in more than max(50, 2 % of the articles) are dropped from the
        signature first, so boilerplate bigrams ("人工", "公司") do not make giant buckets;
      * number+entity keys (`N|E`) and entity-pair keys (`E|E`), each specific to one fact.
    A bucket larger than MAX_BUCKET is not expanded pairwise: each member is compared with its
    next NEIGHBOURS members in publication order (sorted neighbourhood), which bounds the work per
    article. Each candidate pair is verified once by `same_event` and merged with union-find.
    `same_event` says yes for near-identical text (shingle Jaccard >= 0.6 unless the two carry
    different amounts), for a shared amount plus a shared entity (the cross-language case), or
    for two shared entities with related text. One shared company alone is never enough, so
    different events about one company stay apart.
    The entry of a cluster is its best-ranked article; the rest go to also_reported_by.

Memory across days
    Every render stores its entries in the `reports` collection (one document per day: url, all
    urls of the cluster, entity/number keys, shingles and MinHash signature). A cluster matching an
    event of an earlier day within NEWSBOT_MEMORY_DAYS (same url, or `same_event`, found through the
    same blocking keys) is left out unless it brings a number or entity the earlier event lacked.

Ranking and caps
    Events rank by the entry's analysis.score, then importance, source weight, recency and url (a
    total order, so arrival order never changes the report). Each region is capped at
    NEWSBOT_MAX_DOMESTIC / NEWSBOT_MAX_INTERNATIONAL.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

from newsbot.sources import SOURCES

logger = logging.getLogger(__name__)

REGIONS = ("domestic", "international")
IMPORTANCE_ORDER = {"high": 0, "medium": 1, "low": 2}

# --- Window ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    day: date
    start: datetime  # UTC, inclusive
    cutoff: datetime  # UTC, exclusive
    tz: ZoneInfo
    live: bool


def _parse_hhmm(value: str) -> time:
    try:
        hours, minutes = (int(x) for x in str(value).strip().split(":"))
        return time(hours, minutes)
    except ValueError as exc:
        raise ValueError(f"NEWSBOT_REPORT_CUTOFF must be HH:MM, not {value!r}") from exc


def report_window(settings, now: datetime | None = None) -> Window:
    tz = ZoneInfo(settings.get("NEWSBOT_TIMEZONE") or "Asia/Shanghai")
    hours = settings.getfloat("NEWSBOT_WINDOW_HOURS", 24)
    day_setting = settings.get("NEWSBOT_DATE")
    if day_setting:
        day = day_setting if isinstance(day_setting, date) else date.fromisoformat(str(day_setting))
        cutoff_time = _parse_hhmm(settings.get("NEWSBOT_REPORT_CUTOFF") or "09:00")
        cutoff = datetime.combine(day, cutoff_time, tz).astimezone(UTC)
        live = False
    else:
        cutoff = (now or datetime.now(UTC)).astimezone(UTC)
        day = cutoff.astimezone(tz).date()
        live = True
    return Window(day=day, start=cutoff - timedelta(hours=hours), cutoff=cutoff, tz=tz, live=live)


# --- Event keys --------------------------------------------------------------------------------

_DATE_PREFIX_RE = re.compile(r"^\s*\d{1,2}月\d{1,2}日(?:消息)?[，,:：]\s*")
_TOKEN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_ZH_SCALE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4}
_EN_SCALE = {
    "trillion": 1e12,
    "tn": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
}
_ZH_AMOUNT_RE = re.compile(
    rf"({_NUM})\s*(万亿|千亿|百亿|亿|千万|百万|万)?\s*(美元|美金|欧元|英镑|日元|港元|港币|人民币|元)?"
)
_EN_PREFIXED_RE = re.compile(
    rf"(?:US\$|HK\$|\$|€|£|¥|\b(?:USD|EUR|GBP|RMB|CNY|HKD)\s?)\s?({_NUM})\s*"
    r"(trillion|billion|million|thousand|tn|bn|mln|mn|b|m|k)?\b",
    re.IGNORECASE,
)
_EN_SCALED_RE = re.compile(
    rf"({_NUM})\s*(trillion|billion|million|tn|bn|mln|mn)\b(?:\s*(?:dollars|yuan|euros|usd|rmb|cny))?",
    re.IGNORECASE,
)
_EN_CURRENCY_WORD_RE = re.compile(rf"({_NUM})\s*(?:dollars|yuan|euros|usd|rmb|cny)\b", re.IGNORECASE)
_PERCENT_RE = re.compile(rf"({_NUM})\s*(?:%|％|percent\b|per cent\b)", re.IGNORECASE)

# Words an analyzer may list as an "entity" that name no one in particular.
GENERIC_ENTITIES = frozenset(
    {"ai", "人工智能", "大模型", "模型", "llm", "llms", "agi", "aigc", "生成式ai", "智能体", "机器人", "芯片", "中国", "美国"}
)


def strip_date_prefix(text: str) -> str:
    return _DATE_PREFIX_RE.sub("", text or "", count=1)


def shingles(text: str) -> frozenset[str]:
    """Token bigrams of a summary; a CJK character or a Latin word is one token."""
    tokens = _TOKEN_RE.findall(unicodedata.normalize("NFKC", strip_date_prefix(text)).lower())
    if len(tokens) < 2:
        return frozenset(tokens)
    return frozenset(a + b for a, b in zip(tokens, tokens[1:], strict=False))


def _to_float(number: str) -> float:
    return float(number.replace(",", ""))


def _value_key(value: float) -> str:
    return f"n:{value:.3g}"


def number_keys(*texts: str) -> frozenset[str]:
    """Money and scaled amounts as `n:<value>` (currency-free: a Chinese summary often drops it) and
    percentages as `p:<value>`. Bare numbers (dates, counts, model versions) are not facts we key on."""
    keys: set[str] = set()
    for raw in texts:
        if not raw:
            continue
        text = unicodedata.normalize("NFKC", raw)
        for number, scale, currency in _ZH_AMOUNT_RE.findall(text):
            if scale or currency:
                keys.add(_value_key(_to_float(number) * _ZH_SCALE.get(scale, 1.0)))
        for number, scale in _EN_PREFIXED_RE.findall(text):
            keys.add(_value_key(_to_float(number) * _EN_SCALE.get(scale.lower(), 1.0)))
        for number, scale in _EN_SCALED_RE.findall(text):
            keys.add(_value_key(_to_float(number) * _EN_SCALE[scale.lower()]))
        for number in _EN_CURRENCY_WORD_RE.findall(text):
            keys.add(_value_key(_to_float(number)))
        for number in _PERCENT_RE.findall(text):
            keys.add(f"p:{_to_float(number):.3g}")
    return frozenset(keys)


def entity_key(name: str) -> str | None:
    key = "".join(ch for ch in unicodedata.normalize("NFKC", name or "").casefold() if ch.isalnum())
    if not key or key in GENERIC_ENTITIES:
        return None
    return key


def entity_keys(names: Iterable[str]) -> frozenset[str]:
    return frozenset(k for k in (entity_key(n) for n in names or ()) if k)


@dataclass(frozen=True)
class EventKeys:
    entities: frozenset[str]
    numbers: frozenset[str]
    shingles: frozenset[str]


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


NEAR_DUPLICATE = 0.6
NEAR_IDENTICAL = 0.85
RELATED_TEXT = 0.3


def same_event(a: EventKeys, b: EventKeys) -> bool:
    """Whether two reports describe one event. One shared company is never enough on its own."""
    sim = jaccard(a.shingles, b.shingles)
    shared_numbers = a.numbers & b.numbers
    shared_entities = a.entities & b.entities
    # Two reports that both quote figures but share none are about different events.
    conflicting = bool(a.numbers and b.numbers and not shared_numbers)
    if sim >= NEAR_IDENTICAL or (sim >= NEAR_DUPLICATE and not conflicting):
        return True
    # An amount is a strong fact; a percentage alone is too common to tie two stories together.
    if shared_entities and any(k.startswith("n:") for k in shared_numbers):
        return True
    return len(shared_entities) >= 2 and sim >= RELATED_TEXT and not conflicting


# --- MinHash (one permutation, densified) and blocking keys ------------------------------------

MINHASH_BINS = 60
BAND_ROWS = 3
_MASK64 = (1 << 64) - 1
_EMPTY = -1


def _shingle_hash(shingle: str) -> int:
    # crc32 is stable across processes (unlike hash()) and fast; the multiply spreads its bits.
    return (zlib.crc32(shingle.encode("utf-8")) * 0x9E3779B97F4A7C15) & _MASK64


def minhash(items: Iterable[str], exclude: frozenset[str] | set[str] = frozenset()) -> tuple[int, ...] | None:
    """One-permutation MinHash: one hash per shingle, the minimum kept per bin; an empty bin borrows
    from the next filled one (with a per-distance offset) so every bin stays comparable."""
    bins = [_EMPTY] * MINHASH_BINS
    for item in items:
        if item in exclude:
            continue
        h = _shingle_hash(item)
        b, v = h % MINHASH_BINS, h // MINHASH_BINS
        if bins[b] == _EMPTY or v < bins[b]:
            bins[b] = v
    if all(v == _EMPTY for v in bins):
        return None
    out = list(bins)
    for i, v in enumerate(bins):
        if v == _EMPTY:
            j, dist = (i + 1) % MINHASH_BINS, 1
            while bins[j] == _EMPTY:
                j, dist = (j + 1) % MINHASH_BINS, dist + 1
            out[i] = bins[j] ^ (dist * 0x5BD1E995)
    return tuple(out)


def band_keys(signature: tuple[int, ...] | None) -> list[tuple]:
    if signature is None:
        return []
    return [
        ("b", band, *signature[band * BAND_ROWS : (band + 1) * BAND_ROWS])
        for band in range(MINHASH_BINS // BAND_ROWS)
    ]


MAX_KEYED_ENTITIES = 8
MAX_KEYED_NUMBERS = 6


def fact_keys(keys: EventKeys) -> list[tuple]:
    """Blocking keys for the entity+number and entity-pair rules of `same_event`."""
    entities = sorted(keys.entities)[:MAX_KEYED_ENTITIES]
    amounts = sorted(k for k in keys.numbers if k.startswith("n:"))[:MAX_KEYED_NUMBERS]
    out: list[tuple] = [("ne", n, e) for n in amounts for e in entities]
    out.extend(("ee", a, b) for a, b in combinations(entities, 2))
    return out


# --- Candidates --------------------------------------------------------------------------------


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

    def rank_key(self) -> tuple:
        return (
            -self.score,
            IMPORTANCE_ORDER.get(self.importance, 3),
            -self.weight,
            -self.published_at.timestamp(),
            self.url,
        )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def candidate_from_doc(doc: dict) -> Candidate | None:
    """The article as a report candidate, or None when it is not eligible."""
    analysis = doc.get("analysis") or {}
    summary = (analysis.get("summary_zh") or "").strip()
    region = analysis.get("region")
    if analysis.get("ai_relevant") is not True or not summary or region not in REGIONS:
        return None
    if not doc.get("url") or not isinstance(doc.get("published_at"), datetime):
        return None
    source = doc.get("source") or ""
    src = SOURCES.get(source)
    title = (doc.get("title") or "").strip()
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
        keys=EventKeys(
            entities=entity_keys(analysis.get("entities") or []),
            numbers=number_keys(summary, title),
            shingles=shingles(summary),
        ),
    )


# --- Clustering --------------------------------------------------------------------------------

MAX_BUCKET = 48
NEIGHBOURS = 8
STOP_SHINGLE_MIN_DF = 50
STOP_SHINGLE_FRACTION = 0.02


class UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return True


@dataclass
class ClusterStats:
    articles: int = 0
    clusters: int = 0
    buckets: int = 0
    largest_bucket: int = 0
    oversized_buckets: int = 0
    comparisons: int = 0  # same_event calls: the work that would be quadratic without blocking
    merged: int = 0


def _bucket_pairs(members: list[int]) -> Iterable[tuple[int, int]]:
    if len(members) <= MAX_BUCKET:
        return combinations(members, 2)
    # Sorted neighbourhood: members arrive in publication order, so reports of one event sit close.
    return ((members[i], members[j]) for i in range(len(members)) for j in range(i + 1, min(len(members), i + 1 + NEIGHBOURS)))


def cluster(cands: Sequence[Candidate]) -> tuple[list[list[int]], ClusterStats]:
    """Partition candidates into events; each cluster lists indices, best-ranked first."""
    n = len(cands)
    stats = ClusterStats(articles=n)
    order = sorted(range(n), key=lambda i: (cands[i].published_at, cands[i].url))
    df = Counter(s for c in cands for s in c.keys.shingles)
    limit = max(STOP_SHINGLE_MIN_DF, int(STOP_SHINGLE_FRACTION * n))
    stop = {s for s, count in df.items() if count > limit}

    buckets: dict[tuple, list[int]] = defaultdict(list)
    for i in order:
        keys = cands[i].keys
        for key in band_keys(minhash(keys.shingles, stop)) + fact_keys(keys):
            buckets[key].append(i)

    uf = UnionFind(n)
    seen: set[int] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        stats.buckets += 1
        stats.largest_bucket = max(stats.largest_bucket, len(members))
        stats.oversized_buckets += len(members) > MAX_BUCKET
        for a, b in _bucket_pairs(members):
            pair = a * n + b if a < b else b * n + a
            if pair in seen:
                continue
            seen.add(pair)
            if uf.find(a) == uf.find(b):
                continue
            stats.comparisons += 1
            if same_event(cands[a].keys, cands[b].keys):
                uf.union(a, b)

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[uf.find(i)].append(i)
    clusters = [sorted(g, key=lambda i: cands[i].rank_key()) for g in groups.values()]
    clusters.sort(key=lambda g: cands[g[0]].rank_key())
    stats.clusters = len(clusters)
    stats.merged = n - len(clusters)
    return clusters, stats


# --- Events, memory and selection --------------------------------------------------------------


@dataclass
class Event:
    """One cluster: `lead` is the entry's article, `others` the also-reported-by articles."""

    lead: Candidate
    others: list[Candidate]

    @property
    def members(self) -> list[Candidate]:
        return [self.lead, *self.others]

    @property
    def urls(self) -> list[str]:
        return [c.url for c in self.members]

    @property
    def entities(self) -> frozenset[str]:
        return frozenset().union(*(c.keys.entities for c in self.members))

    @property
    def numbers(self) -> frozenset[str]:
        return frozenset().union(*(c.keys.numbers for c in self.members))


@dataclass
class PriorEvent:
    day: str
    url: str
    urls: frozenset[str]
    keys: EventKeys


def memory_record(event: Event) -> dict:
    """What the `reports` collection keeps of a reported event, for later days' repeat check."""
    lead = event.lead
    return {
        "url": lead.url,
        "title": lead.title,
        "source": lead.source,
        "region": lead.region,
        "urls": event.urls,
        "entity_keys": sorted(event.entities),
        "number_keys": sorted(event.numbers),
        "shingles": sorted(lead.keys.shingles),
        "signature": list(minhash(lead.keys.shingles) or ()),
    }


def load_memory(db, day: date, days: int) -> list[PriorEvent]:
    """Events reported on the `days` days before `day` (never `day` itself: re-rendering is stable)."""
    if days <= 0:
        return []
    first = (day - timedelta(days=days)).isoformat()
    prior: list[PriorEvent] = []
    for doc in db.reports.find({"date": {"$gte": first, "$lt": day.isoformat()}}, {"date": 1, "entries": 1}):
        for ev in doc.get("entries") or []:
            prior.append(
                PriorEvent(
                    day=doc["date"],
                    url=ev.get("url", ""),
                    urls=frozenset(ev.get("urls") or [ev.get("url", "")]),
                    keys=EventKeys(
                        entities=frozenset(ev.get("entity_keys") or ()),
                        numbers=frozenset(ev.get("number_keys") or ()),
                        shingles=frozenset(ev.get("shingles") or ()),
                    ),
                )
            )
    return prior


@dataclass
class Repeat:
    url: str
    title: str
    reported_on: str
    reported_url: str


def drop_repeats(events: list[Event], prior: list[PriorEvent]) -> tuple[list[Event], list[Repeat]]:
    """Leave out events an earlier report already carried, unless they add a number or an entity."""
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
                if ev not in matched and (cand.url in ev.urls or same_event(cand.keys, ev.keys)):
                    matched.append(ev)
        if not matched:
            kept.append(event)
            continue
        known_numbers = frozenset().union(*(m.keys.numbers for m in matched))
        known_entities = frozenset().union(*(m.keys.entities for m in matched))
        if (event.numbers - known_numbers) or (event.entities - known_entities):
            kept.append(event)
        else:
            first = min(matched, key=lambda m: m.day)
            repeats.append(Repeat(event.lead.url, event.lead.title, first.day, first.url))
    return kept, repeats


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

    @property
    def events(self) -> list[Event]:
        return [*self.domestic, *self.international]


_PROJECTION = {
    "url": 1,
    "title": 1,
    "source": 1,
    "source_name": 1,
    "published_at": 1,
    "analysis": 1,
}


def select(db, settings, window: Window) -> Selection:
    docs = list(db.articles.find({"published_at": {"$gte": window.start, "$lt": window.cutoff}}, _PROJECTION))
    # Arrival order must never matter: everything downstream sees the articles sorted by url.
    docs.sort(key=lambda d: d.get("url") or "")
    by_source = Counter(d.get("source") or "" for d in docs)
    cands = [c for c in (candidate_from_doc(d) for d in docs) if c is not None]
    clusters, cstats = cluster(cands)
    events = [Event(lead=cands[g[0]], others=[cands[i] for i in g[1:]]) for g in clusters]
    prior = load_memory(db, window.day, settings.getint("NEWSBOT_MEMORY_DAYS", 7))
    events, repeats = drop_repeats(events, prior)
    caps = {
        "domestic": settings.getint("NEWSBOT_MAX_DOMESTIC", 15),
        "international": settings.getint("NEWSBOT_MAX_INTERNATIONAL", 13),
    }
    chosen = {region: [e for e in events if e.lead.region == region][: caps[region]] for region in REGIONS}
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
    )
