"""What an article's event is made of: keys computed from its own stored title, analysis.summary_zh,
analysis.entities and the opening of its text.

  * subjects: the organisations and people among analysis.entities that the title or summary names
    (through the analyzer's gazetteer aliases, so "Nvidia" in English and "英伟达" in Chinese are one
    subject), plus any document quoted in 《》; places are left out;
  * amounts: money and scaled amounts normalised to their value (newsbot.text.amounts), so "200亿美元",
    "$20 billion" and "20 bn dollars" are all `n:2e+10`; from the title and summary, and separately
    from the first OPENING_CHARS characters of the text;
  * Latin names: product and company names spelt in Latin letters ("OpenClaw", "K2.5",
    "Qwen3-Coder-Next"), which a Chinese and an English report write alike;
  * wording: character bigrams of title + summary with the subjects' names cut out (so two items of
    one policy document are compared on what they say, not on the document's title), and for English
    text its content words.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from newsbot.report.threads import development_keys
from newsbot.text.amounts import find_amounts, find_percents
from newsbot.text.dates import strip_date_prefix
from newsbot.text.lang import is_chinese

logger = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_LATIN_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[.\-'’][A-Za-z0-9]+)*|\d+(?:\.\d+)?[A-Za-z][A-Za-z0-9]*")
_DOCUMENT_RE = re.compile(r"《([^《》]{2,40})》")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;]\s+|[。！？；：，、（）“”《》]\s*)$")
_DIGIT_RE = re.compile(r"\d")

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


def shingles(text: str) -> frozenset[str]:
    """Token bigrams of a summary; a CJK character or a Latin word is one token."""
    tokens = _TOKEN_RE.findall(unicodedata.normalize("NFKC", strip_date_prefix(text)).lower())
    if len(tokens) < 2:
        return frozenset(tokens)
    return frozenset(a + b for a, b in zip(tokens, tokens[1:], strict=False))


def _value_key(value: float) -> str:
    return f"n:{value:.3g}"


def number_keys(*texts: str) -> frozenset[str]:
    """Money and scaled amounts as `n:<value>` (currency-free: a Chinese summary often drops it) and
    percentages as `p:<value>`. Bare numbers (dates, counts, model versions) are not facts we key on."""
    keys: set[str] = set()
    for raw in texts:
        text = unicodedata.normalize("NFKC", raw or "")
        if not _DIGIT_RE.search(text):
            continue  # every amount and percentage is written with a digit
        keys.update(_value_key(amount.value) for amount in find_amounts(text))
        keys.update(f"p:{value:.3g}" for value in find_percents(text))
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


def _sentence_start(text: str, end: int) -> bool:
    """Whether text[:end] ends where a sentence starts: the same answer as
    `_SENTENCE_START_RE.search(text[:end])`, without copying and scanning the whole prefix for every
    capitalised word. A match can only begin at the character before the whitespace that ends the
    prefix (or at 0), and `^` does not match at a search's start position, so searching from there
    is enough."""
    start = end
    while start and text[start - 1].isspace():
        start -= 1
    return _SENTENCE_START_RE.search(text, max(0, start - 1), end) is not None


# A day's reports share most of their vocabulary: each distinct token is judged once.
@lru_cache(maxsize=65536)
def _latin_token(token: str) -> tuple[str, bool, bool] | None:
    """(lowercased, marked, capitalised) of a Latin token that may be a name; None for a common word
    or a short acronym. Marked: inner capitals or digits ("OpenClaw", "K2.5")."""
    token = token.removesuffix("'s").removesuffix("’s")
    low = token.lower()
    if len(low) < 2 or low in GENERIC_NAMES or low in STOPWORDS:
        return None
    digits = any(ch.isdigit() for ch in token)
    if token.isupper() and len(token) <= 4 and not digits:
        return None
    return low, digits or any(ch.isupper() for ch in token[1:]), token[0].isupper()


def latin_names(text: str, mode: str) -> list[tuple[str, bool]]:
    """Product and company names written in Latin letters ("OpenClaw", "Qwen3-Coder-Next", "K2.5"):
    a Chinese and an English report of one event write them alike. mode "zh": every Latin token of
    Chinese text is a name; "prose": in an English sentence, a word capitalised mid-sentence or with
    inner capitals or digits; "marked": only inner capitals or digits ("OpenClaw", "K2.5"), for a
    title-cased headline, or wherever a capitalised common word ("Orders") would be a false name.
    Short all-capital acronyms ("VLA", "OCR") are technical terms more often than names, so they
    never count. Each name comes as (lowercased, marked): a "prose" scan holds every name a
    "marked" one finds, flagged, so one scan gives both."""
    out = []
    for m in _LATIN_TOKEN_RE.finditer(text):
        found = _latin_token(m.group(0))
        if found is None:
            continue
        low, marked, capitalised = found
        if not marked and (
            mode == "marked" or (mode == "prose" and (not capitalised or _sentence_start(text, m.start())))
        ):
            continue
        out.append((low, marked))
    return out


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + repl
    return word


# A day's reports share most of their vocabulary: each distinct token is judged and stemmed once.
@lru_cache(maxsize=65536)
def _content_word(token: str) -> str | None:
    token = token.removesuffix("'s").removesuffix("’s")
    return _stem(token) if len(token) >= 3 and token not in STOPWORDS else None


def words(text: str) -> frozenset[str]:
    """Latin content words, lightly stemmed: how two English reports of one event overlap."""
    found = {_content_word(t) for t in _LATIN_TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower())}
    found.discard(None)
    return frozenset(found)


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
    # Whether the summary is Chinese: the offline analyzer keeps an English opening as it is, so two
    # reports of one event in two languages share no text and only their facts can match.
    zh: bool = True
    # The deal stage and official confirmation the title and summary state (report/threads.py).
    developments: frozenset[str] = frozenset()

    @property
    def facts(self) -> frozenset[str]:
        """What a later report must add to be news again: amounts, named parties, a further stage or
        an official confirmation."""
        return self.numbers | self.entities | self.names | self.developments

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
            "development_keys": sorted(self.developments),
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
            # Stored before threads: read from the title, the one text a memory record keeps.
            developments=frozenset(doc["development_keys"])
            if "development_keys" in doc
            else development_keys(doc.get("title") or "", ""),
        )


# How much of the text's opening is read: for amounts, and (English) for names and wording.
OPENING_CHARS = 600
ENGLISH_OPENING_CHARS = 300


def make_keys(title: str, summary: str, entities=(), opening: str = "") -> EventKeys:
    """Every key of one article, from its own stored title, summary_zh, entities and text opening."""
    people_orgs = entity_names(entities)
    title = unicodedata.normalize("NFKC", title or "")
    body = unicodedata.normalize("NFKC", strip_date_prefix(summary))
    opening = unicodedata.normalize("NFKC", opening or "")
    head = f"{title}\n{body}"
    zh = is_chinese(body)
    numbers = number_keys(title, body)
    # A policy or report named in 《》 is a subject like a company: two items quoting one document
    # are one event only if they also share what they say about it.
    documents = frozenset(_DOCUMENT_RE.findall(head))
    central = central_entities(people_orgs, head) | {"《" + d for d in documents}
    body_mode = "zh" if zh else "prose"
    title_names = latin_names(title, "zh" if is_chinese(title) else "marked")
    # One scan of the summary: in English, the names of "prose" mode, the "marked" ones flagged.
    body_names = latin_names(body, body_mode)
    opening_names = latin_names(opening[:ENGLISH_OPENING_CHARS], body_mode)
    # The gazetteer's names are entities already.
    _, alias_tokens = _aliases()
    names = {low for low, _ in title_names} | {low for low, marked in body_names if zh or marked}
    return EventKeys(
        entities=entity_keys(people_orgs),
        central=central,
        numbers=numbers,
        body_numbers=number_keys(opening[:OPENING_CHARS]) - numbers,
        # A name that is one of the article's entities is counted once, as an entity.
        names=frozenset(n for n in names if n not in alias_tokens and entity_key(n) not in central),
        # The opening of the text too: an English headline is title-cased, so its names show only there.
        tokens=frozenset(
            low for low, _ in (*title_names, *body_names, *opening_names) if entity_key(low) not in central
        ),
        # An English opening adds the wording two reports share; a Chinese one adds nothing to `words`.
        words=words(head) if zh else words(f"{head}\n{opening[:ENGLISH_OPENING_CHARS]}"),
        shingles=shingles(mask_entities(f"{title}。{body}", [*people_orgs, *documents])),
        zh=zh,
        developments=development_keys(title, body),
    )
