"""Choosing the day's stories, always from MongoDB: window, eligibility, one entry per event,
memory across days, ranking and caps.

Window
    Report day D (NEWSBOT_TIMEZONE, Asia/Shanghai) covers [cutoff - NEWSBOT_WINDOW_HOURS, cutoff):
    the start is inclusive and the cutoff exclusive. With NEWSBOT_DATE=D (`--date D`) the cutoff is D
    at NEWSBOT_REPORT_CUTOFF local time; live, the cutoff is now and D is the local date of now.
    `raw_count` is every article stored with published_at in the window, before any filtering.

Eligibility
    Only articles whose stored `analysis.ai_relevant` is true and which carry a Chinese summary, and
    never one stored with a `skip_reason` (kept for the raw count only, e.g. arXiv replacements).

Same-event clustering (near-linear, no all-pairs comparison)
    Each article gets keys computed from its own stored title, analysis.summary_zh, analysis.entities
    and the opening of its text:
      * subjects: the organisations and people among analysis.entities that the title or summary
        names (through the analyzer's gazetteer aliases, so "Nvidia" in English and "英伟达" in
        Chinese are one subject), plus any document quoted in 《》; places are left out;
      * amounts: money and scaled amounts normalised to their value, so "200亿美元", "$20 billion" and
        "20 bn dollars" are all `n:2e+10`, "8亿元" and "800 million yuan" are `n:8e+08`; from the title
        and summary, and separately from the first 600 characters of the text;
      * Latin names: product and company names spelt in Latin letters ("OpenClaw", "K2.5",
        "Qwen3-Coder-Next"), which a Chinese and an English report write alike;
      * wording: character bigrams of title + summary with the subjects' names cut out (so two items
        of one policy document are compared on what they say, not on the document's title), and for
        English text its content words weighted by rarity in the day (idf).
    `match_evidence` adds points (shared amount, shared subjects, shared unknown names, shared
    wording; across languages, shared rare Latin names) and `same_event` merges at 4.5: one shared
    company with unrelated text never reaches it, so different events about one company stay apart.
    Candidate pairs come only from shared blocking keys:
      * MinHash LSH: a one-permutation MinHash of 60 bins (densified) over the bigrams, cut into 20
        bands of 3; bigrams found in more than max(50, 2 % of the articles) are left out of the
        signature, so boilerplate ("人工", "公司") does not make giant buckets;
      * subject keys, subject+amount keys and unknown-name keys, each naming one party or fact.
    A bucket larger than MAX_BUCKET is not expanded pairwise: each member is compared with its next
    NEIGHBOURS members in publication order (sorted neighbourhood), which bounds the work per article.
    Each candidate pair is checked once and merged with union-find. At 20,000 synthetic articles
    this makes about 20 checks per article (tests/report/test_select.py), against 10,000 for all pairs.
    The entry of a cluster is its best-ranked article; the rest go to also_reported_by.

Memory across days
    Every render stores its entries in the `reports` collection (one document per day: url, all
    urls of the cluster, its keys, its facts (amounts, entities, names) and MinHash signature). A
    cluster matching an event of an earlier day within NEWSBOT_MEMORY_DAYS (same url, or
    `same_event`, found through the same blocking keys) is left out unless it brings an amount,
    entity or name the earlier event lacked; then its entry is the best report carrying the new fact.

Ranking and caps
    Events rank by the entry's analysis.score, then importance, source weight, recency and url (a
    total order, so arrival order never changes the report). Each region is capped at
    NEWSBOT_MAX_DOMESTIC / NEWSBOT_MAX_INTERNATIONAL.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import chain, combinations
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
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_LATIN_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[.\-'’][A-Za-z0-9]+)*|\d+(?:\.\d+)?[A-Za-z][A-Za-z0-9]*")
_DOCUMENT_RE = re.compile(r"《([^《》]{2,40})》")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;]\s+|[。！？；：，、（）“”《》]\s*)$")

# Words an analyzer may list as an "entity" that name no one in particular.
GENERIC_ENTITIES = frozenset(
    {"ai", "人工智能", "大模型", "模型", "llm", "llms", "agi", "aigc", "生成式ai", "智能体", "机器人", "芯片"}
    | {"中国", "美国", "美股", "a股", "港股"}
)
# English words that carry no event: function words, reporting verbs, calendar and market filler.
_STOPWORDS_TEXT = """
a about above after again against all also am an and any are as at be been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers him his how
i if in into is it its itself just me more most my no nor not now of off on once only or other our out over own same
she should so some such than that the their them then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your new says said say report reports
reported according people familiar matter told tells company companies inc corp co ltd plc pbc llc group holdings
year years week day today monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december first second third time times one two three last next like get
gets make makes made use using used ai artificial intelligence tech technology billion million trillion percent per
cent ceo cfo us u.s uk eu via amid set sets still even much many well way back big bigger biggest
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# Latin tokens that look like names but say nothing about which event it is.
_GENERIC_NAMES_TEXT = """
ai llm llms agi api apis gpu gpus cpu app apps ceo cfo cto ipo ios pc ev evs ar vr it ui us usa uk eu inc corp co ltd
plc pbc llc ag se sa nv the a an and of in on for to by with at as is from chatbot agent model models beta pro max mini
plus open source
"""
GENERIC_NAMES = frozenset(_GENERIC_NAMES_TEXT.split())


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


@lru_cache(maxsize=65536)
def entity_key(name: str) -> str | None:
    key = "".join(ch for ch in unicodedata.normalize("NFKC", name or "").casefold() if ch.isalnum())
    if not key or key in GENERIC_ENTITIES:
        return None
    return key


def entity_names(entities) -> list[str]:
    """Organisations and people of a stored `entities` ({organizations, people, places} or a list).
    Places are left out: one province or country is shared by too many different stories."""
    if isinstance(entities, dict):
        return [str(n) for kind in ("organizations", "people") for n in entities.get(kind) or ()]
    return [str(n) for n in entities or ()]


def entity_keys(names: Iterable[str]) -> frozenset[str]:
    return frozenset(k for k in (entity_key(n) for n in names or ()) if k)


@lru_cache(maxsize=1)
def _aliases() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Canonical entity -> aliases, and every Latin token of an alias, from the analyzer's gazetteer."""
    try:
        from newsbot.analysis.lexicon import gazetteer

        by_alias = gazetteer().by_alias
    except Exception:  # the report still works, with canonical names only
        logger.warning("Gazetteer unavailable: entities are matched by their canonical names only")
        return {}, frozenset()
    names: dict[str, list[str]] = defaultdict(list)
    tokens: set[str] = set()
    for alias, entity in by_alias.items():
        names[entity.name].append(alias)
        tokens.update(t.lower() for t in _LATIN_TOKEN_RE.findall(alias))
    return {k: tuple(v) for k, v in names.items()}, frozenset(tokens)


def mask_entities(text: str, names: Iterable[str]) -> str:
    """The text with every name of the given entities cut out: what two reports share beyond naming
    the same parties ("广东省", the title of one policy document) is what tells their events apart."""
    aliases, _ = _aliases()
    found = sorted({a for n in names for a in aliases.get(n, (n,)) if a and a in text}, key=len, reverse=True)
    for alias in found:
        text = text.replace(alias, "|")
    return text


def central_entities(names: Iterable[str], head: str) -> frozenset[str]:
    """The entities named in the title or summary (the story's subject), not only somewhere in the body."""
    aliases, _ = _aliases()
    folded = head.casefold()
    out = set()
    for name in names:
        if any(a.casefold() in folded for a in aliases.get(name, (name,))):
            key = entity_key(name)
            if key:
                out.add(key)
    return frozenset(out)


def latin_names(text: str, mode: str, *, aliases: bool = True) -> frozenset[str]:
    """Product and company names written in Latin letters ("OpenClaw", "Qwen3-Coder-Next", "K2.5"):
    a Chinese and an English report of one event write them alike. mode "zh": every Latin token of
    Chinese text is a name; "prose": in an English sentence, a word capitalised mid-sentence or with
    inner capitals or digits; "marked": only inner capitals or digits ("OpenClaw", "K2.5"), for a
    title-cased headline, or wherever a capitalised common word ("Orders") would be a false name.
    aliases=False leaves out the gazetteer's names (already counted as entities). Short all-capital
    acronyms ("VLA", "OCR") are technical terms more often than names, so they never count."""
    _, alias_tokens = _aliases()
    out = set()
    for m in _LATIN_TOKEN_RE.finditer(text):
        token = m.group(0)
        for suffix in ("'s", "’s"):
            token = token.removesuffix(suffix)
        low = token.lower()
        if len(low) < 2 or low in GENERIC_NAMES or low in STOPWORDS or (not aliases and low in alias_tokens):
            continue
        if token.isupper() and len(token) <= 4 and not any(ch.isdigit() for ch in token):
            continue
        marked = any(ch.isdigit() for ch in token) or any(ch.isupper() for ch in token[1:])
        if mode == "marked" and not marked:
            continue
        if mode == "prose" and not marked and (not token[0].isupper() or _SENTENCE_START_RE.search(text[: m.start()])):
            continue
        out.add(low)
    return frozenset(out)


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + repl
    return word


def words(text: str) -> frozenset[str]:
    """Latin content words, lightly stemmed: how two English reports of one event overlap."""
    out = set()
    for token in _LATIN_TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower()):
        token = token.removesuffix("'s").removesuffix("’s")
        if len(token) >= 3 and token not in STOPWORDS:
            out.add(_stem(token))
    return frozenset(out)


def is_chinese(text: str) -> bool:
    """Mostly Chinese by letters (a Latin letter counts a third: English words are long)."""
    body = strip_date_prefix(text)
    cjk = len(_CJK_RE.findall(body))
    return cjk > 0 and cjk >= len(_LATIN_RE.findall(body)) / 3


@dataclass(frozen=True)
class EventKeys:
    entities: frozenset[str]  # organisations and people anywhere in the article
    central: frozenset[str]  # those named in its title or summary
    numbers: frozenset[str]  # amounts in the title or summary
    body_numbers: frozenset[str]  # further amounts in the opening of the text
    names: frozenset[str]  # Latin product/company names the gazetteer does not know
    tokens: frozenset[str]  # every Latin name in title, summary and opening, gazetteer names included
    words: frozenset[str]  # Latin content words of title, summary and the opening of an English text
    shingles: frozenset[str]  # summary bigrams
    # Whether the summary is Chinese: the offline analyzer keeps an English lead as it is, so two
    # reports of one event in two languages share no text and only their facts can match.
    zh: bool = True

    @property
    def facts(self) -> frozenset[str]:
        """What a later report must add to be news again: amounts and named parties."""
        return self.numbers | self.entities | self.names

    def to_doc(self) -> dict:
        return {
            "entity_keys": sorted(self.entities),
            "central_keys": sorted(self.central),
            "number_keys": sorted(self.numbers),
            "body_number_keys": sorted(self.body_numbers),
            "name_keys": sorted(self.names),
            "name_tokens": sorted(self.tokens),
            "words": sorted(self.words),
            "shingles": sorted(self.shingles),
            "zh": self.zh,
        }

    @classmethod
    def from_doc(cls, doc: dict) -> EventKeys:
        return cls(
            entities=frozenset(doc.get("entity_keys") or ()),
            central=frozenset(doc.get("central_keys") or ()),
            numbers=frozenset(doc.get("number_keys") or ()),
            body_numbers=frozenset(doc.get("body_number_keys") or ()),
            names=frozenset(doc.get("name_keys") or ()),
            tokens=frozenset(doc.get("name_tokens") or ()),
            words=frozenset(doc.get("words") or ()),
            shingles=frozenset(doc.get("shingles") or ()),
            zh=bool(doc.get("zh", True)),
        )


LEAD_CHARS = 600
ENGLISH_LEAD_CHARS = 300


def make_keys(title: str, summary: str, entities=(), lead: str = "") -> EventKeys:
    """Every key of one article, from its own stored title, summary_zh, entities and text opening."""
    people_orgs = entity_names(entities)
    title = unicodedata.normalize("NFKC", title or "")
    body = unicodedata.normalize("NFKC", strip_date_prefix(summary))
    lead = unicodedata.normalize("NFKC", lead or "")
    head = f"{title}\n{body}"
    zh = is_chinese(summary)
    numbers = number_keys(title, body)
    # A policy or report named in 《》 is a subject like a company: two items quoting one document
    # are one event only if they also share what they say about it.
    documents = frozenset(_DOCUMENT_RE.findall(head))
    central = central_entities(people_orgs, head) | {"《" + d for d in documents}
    title_mode = "zh" if is_chinese(title) else "marked"
    body_mode = "zh" if zh else "prose"
    names = latin_names(title, title_mode, aliases=False) | latin_names(body, "zh" if zh else "marked", aliases=False)
    return EventKeys(
        entities=entity_keys(people_orgs),
        central=central,
        numbers=numbers,
        body_numbers=number_keys(lead[:LEAD_CHARS]) - numbers,
        # A name that is one of the article's entities is counted once, as an entity.
        names=frozenset(n for n in names if entity_key(n) not in central),
        # The opening of the text too: an English headline is title-cased, so its names show only there.
        tokens=frozenset(
            t
            for t in latin_names(title, title_mode)
            | latin_names(body, body_mode)
            | latin_names(lead[:ENGLISH_LEAD_CHARS], body_mode)
            if entity_key(t) not in central
        ),
        # An English lead adds the wording two reports share; a Chinese one adds nothing to `words`.
        words=words(head) if zh else words(f"{head}\n{lead[:ENGLISH_LEAD_CHARS]}"),
        shingles=shingles(mask_entities(f"{title}。{body}", [*people_orgs, *documents])),
        zh=zh,
    )


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def weighted_jaccard(a: frozenset, b: frozenset, weight: dict[str, float] | None) -> float:
    if not a or not b:
        return 0.0
    if weight is None:
        return jaccard(a, b)
    inter = sum(weight.get(w, 1.0) for w in a & b)
    union = sum(weight.get(w, 1.0) for w in a | b)
    return inter / union


@dataclass
class Corpus:
    """Frequencies over the articles being compared: a rare word or name says more than a common one."""

    idf: dict[str, float] = field(default_factory=dict)  # Latin content words
    token_df: dict[str, int] = field(default_factory=dict)  # Latin names
    rare_df: int = 3

    @classmethod
    def of(cls, key_sets: Iterable[EventKeys]) -> Corpus:
        sets = list(key_sets)
        n = len(sets)
        words_df = Counter(chain.from_iterable(k.words for k in sets))
        return cls(
            idf={w: math.log((n + 1) / (c + 1)) + 1.0 for w, c in words_df.items()},
            token_df=dict(Counter(chain.from_iterable(k.tokens for k in sets))),
            rare_df=max(3, int(0.02 * n)),
        )


NEAR_DUPLICATE = 0.6
NEAR_IDENTICAL = 0.85
SAME_TEXT_ALONE = 0.45
SOME_TEXT = 0.05
# One shared subject (1.5) and wording 15 % alike (3.0); or a shared amount and a shared subject.
EVIDENCE_NEEDED = 4.5


def match_evidence(a: EventKeys, b: EventKeys, corpus: Corpus | None = None) -> float:
    """How strongly two reports look like one event; `same_event` draws the line at EVIDENCE_NEEDED.

    Points: the same headline amount 4 (an amount in one headline and the other's opening 2.5), shared
    subjects 1.5 (2 for two or more), each shared Latin name unknown to the gazetteer 2 (at most two),
    and the shared wording beyond those names: 20 x similarity for two texts in one language, 1.5 per
    shared rare Latin name (at most two) across languages. Headlines quoting different amounts cost 3."""
    # Text in two languages shares no shingles worth counting.
    sim = jaccard(a.shingles, b.shingles) if a.zh == b.zh else 0.0
    head = a.numbers & b.numbers
    cross = (a.numbers & b.body_numbers) | (a.body_numbers & b.numbers)
    # Two reports whose headlines quote different figures are about different events.
    conflicting = bool(a.numbers and b.numbers and not head and not cross)
    if sim >= NEAR_IDENTICAL or (sim >= NEAR_DUPLICATE and not conflicting):
        return 100.0
    central = a.central & b.central
    names = a.names & b.names
    if not central and not names:
        # Without a shared subject only the text itself can tell.
        return 100.0 if sim >= SAME_TEXT_ALONE and not conflicting else 0.0
    amount = 4.0 if any(k.startswith("n:") for k in head) else 2.5 if cross else 0.0
    subjects = 0.0 if not central else 1.5 if len(central) == 1 else 2.0
    evidence = subjects + 2.0 * min(2, len(names))
    if a.zh == b.zh:
        text = sim if a.zh else max(sim, weighted_jaccard(a.words, b.words, corpus.idf if corpus else None))
        # In one language, one event's reports share some wording; an amount alone is a coincidence.
        evidence += 20.0 * text + (amount if text >= SOME_TEXT else amount / 2)
    else:
        # Across languages the only shared wording is the names both spell in Latin letters.
        shared = a.tokens & b.tokens
        rare = [t for t in shared if corpus is None or corpus.token_df.get(t, 0) <= corpus.rare_df]
        evidence += amount + 1.5 * min(2, len(rare))
    return evidence - 3.0 if conflicting else evidence


def same_event(a: EventKeys, b: EventKeys, corpus: Corpus | None = None) -> bool:
    """Whether two reports describe one event. A shared amount, shared subjects, shared Latin names and
    shared wording add up; one shared company with unrelated text never reaches the bar."""
    return match_evidence(a, b, corpus) >= EVIDENCE_NEEDED


# --- MinHash (one permutation, densified) and blocking keys ------------------------------------

MINHASH_BINS = 60
BAND_ROWS = 3
_MASK64 = (1 << 64) - 1
_EMPTY = -1


def _shingle_hash(shingle: str) -> tuple[int, int]:
    """(bin, value) of a shingle. crc32 is stable across processes (unlike hash()) and fast; the
    multiply spreads its bits."""
    h = (zlib.crc32(shingle.encode("utf-8")) * 0x9E3779B97F4A7C15) & _MASK64
    return h % MINHASH_BINS, h // MINHASH_BINS


def minhash(items: Iterable[str], hashes: dict[str, tuple[int, int]] | None = None) -> tuple[int, ...] | None:
    """One-permutation MinHash: one hash per shingle, the minimum kept per bin; an empty bin borrows
    from the next filled one (with a per-distance offset) so every bin stays comparable.
    `hashes` maps shingle -> (bin, value), precomputed once per corpus; shingles absent from it are
    skipped."""
    if hashes is None:
        pairs = [_shingle_hash(i) for i in items]
    else:
        pairs = [h for h in map(hashes.get, items) if h is not None]
    if not pairs:
        return None
    # Sorted descending, the last pair written for a bin is its minimum.
    first = dict(sorted(pairs, reverse=True))
    if len(first) == MINHASH_BINS:
        return tuple(first[b] for b in range(MINHASH_BINS))
    out = []
    for b in range(MINHASH_BINS):
        if b in first:
            out.append(first[b])
            continue
        j, dist = (b + 1) % MINHASH_BINS, 1
        while j not in first:
            j, dist = (j + 1) % MINHASH_BINS, dist + 1
        out.append(first[j] ^ (dist * 0x5BD1E995))
    return tuple(out)


def band_keys(signature: tuple[int, ...] | None) -> list[tuple]:
    if signature is None:
        return []
    return [
        ("b", band, *signature[band * BAND_ROWS : (band + 1) * BAND_ROWS]) for band in range(MINHASH_BINS // BAND_ROWS)
    ]


MAX_KEYED = 8


def fact_keys(keys: EventKeys) -> list[tuple]:
    """Blocking keys for every way `same_event` can say yes without near-identical text: a shared
    subject (central entity or Latin name) is always part of it."""
    subjects = sorted(keys.central)[:MAX_KEYED] + sorted("~" + n for n in keys.names)[:MAX_KEYED]
    out: list[tuple] = [("s", s) for s in subjects]
    amounts = sorted(k for k in keys.numbers | keys.body_numbers if k.startswith("n:"))[:MAX_KEYED]
    out.extend(("ns", n, s) for n in amounts for s in subjects)
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
    if doc.get("skip_reason"):
        return None  # stored for the raw count only (e.g. an arXiv replacement): never reported
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
        keys=make_keys(title, summary, analysis.get("entities"), doc.get("content") or doc.get("summary") or ""),
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
    last = len(members)
    return ((members[i], members[j]) for i in range(last) for j in range(i + 1, min(last, i + 1 + NEIGHBOURS)))


def cluster(cands: Sequence[Candidate]) -> tuple[list[list[int]], ClusterStats]:
    """Partition candidates into events; each cluster lists indices, best-ranked first."""
    n = len(cands)
    stats = ClusterStats(articles=n)
    order = sorted(range(n), key=lambda i: (cands[i].published_at, cands[i].url))
    df = Counter(chain.from_iterable(c.keys.shingles for c in cands))
    limit = max(STOP_SHINGLE_MIN_DF, int(STOP_SHINGLE_FRACTION * n))
    # Boilerplate shingles are left out of the signatures (not of the verification).
    hashes = {s: _shingle_hash(s) for s, count in df.items() if count <= limit}
    corpus = Corpus.of(c.keys for c in cands)

    buckets: dict[tuple, list[int]] = defaultdict(list)
    for i in order:
        keys = cands[i].keys
        for key in band_keys(minhash(keys.shingles, hashes)) + fact_keys(keys):
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
            if same_event(cands[a].keys, cands[b].keys, corpus):
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
    def facts(self) -> frozenset[str]:
        return frozenset().union(*(c.keys.facts for c in self.members))


@dataclass
class PriorEvent:
    day: str
    url: str
    urls: frozenset[str]
    keys: EventKeys
    facts: frozenset[str]


def memory_record(event: Event) -> dict:
    """What the `reports` collection keeps of a reported event, for later days' repeat check."""
    lead = event.lead
    return {
        "url": lead.url,
        "title": lead.title,
        "source": lead.source,
        "region": lead.region,
        "urls": event.urls,
        **lead.keys.to_doc(),
        "facts": sorted(event.facts),
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
            keys = EventKeys.from_doc(ev)
            prior.append(
                PriorEvent(
                    day=doc["date"],
                    url=ev.get("url", ""),
                    urls=frozenset(ev.get("urls") or [ev.get("url", "")]),
                    keys=keys,
                    facts=frozenset(ev.get("facts") or keys.facts),
                )
            )
    return prior


@dataclass
class Repeat:
    url: str
    title: str
    reported_on: str
    reported_url: str


def drop_repeats(
    events: list[Event], prior: list[PriorEvent], corpus: Corpus | None = None
) -> tuple[list[Event], list[Repeat]]:
    """Leave out events an earlier report already carried, unless they add an amount or a party."""
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
        new_facts = event.facts - frozenset().union(*(m.facts for m in matched))
        if new_facts:
            # Told again for what is new: the entry is the best report that carries the new facts.
            members = event.members
            fresh = [c for c in members if c.keys.facts & new_facts]
            lead = min(fresh, key=Candidate.rank_key)
            kept.append(Event(lead=lead, others=[c for c in members if c is not lead]))
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
    "skip_reason": 1,
    "summary": 1,
    "content": {"$substrCP": ["$content", 0, LEAD_CHARS]},
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
    events, repeats = drop_repeats(events, prior, Corpus.of([c.keys for c in cands] + [p.keys for p in prior]))
    events.sort(key=lambda e: e.lead.rank_key())
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
