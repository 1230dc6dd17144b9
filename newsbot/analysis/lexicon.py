"""The entity gazetteer and the weighted lexicon, loaded from package data (data/*.tsv).

Both are data files so that adding a company or a policy word is an edit a reviewer can read, and
their content hash is part of the heuristic analyzer's version (an edit re-analyses the articles).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import ahocorasick_rs

from newsbot.text.fold import fold

DATA_PACKAGE = "newsbot.analysis"
GAZETTEER_FILE = "gazetteer.tsv"
LEXICON_FILE = "lexicon.tsv"


def read_data(name: str) -> str:
    return resources.files(DATA_PACKAGE).joinpath("data", name).read_text(encoding="utf-8")


@functools.cache
def data_digest() -> str:
    """The data files' hash (part of the analyzer's version): read once per process, as the data is."""
    digest = hashlib.sha256()
    for name in (GAZETTEER_FILE, LEXICON_FILE):
        digest.update(name.encode())
        digest.update(read_data(name).encode())
    return digest.hexdigest()


def _rows(text: str):
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


def _is_latin(term: str) -> bool:
    return all(ord(ch) < 0x2E80 for ch in term)


def _term_pattern(term: str, *, fold_case: bool, after_hyphen: bool = True) -> str:
    """Chinese terms match anywhere; Latin ones on word edges (a digit may follow: "Qwen3").
    after_hyphen=False keeps "Ban" out of "Ray-Ban" for common words; names still match "GPT-5.3-Codex"."""
    prefix = term.endswith("*")
    core = re.escape(term.rstrip("*"))
    if not _is_latin(term):
        return core
    suffix = r"[A-Za-z-]*" if prefix else ""
    body = f"(?i:{core}){suffix}" if fold_case else f"{core}{suffix}"
    before = "A-Za-z0-9" if after_hyphen else "A-Za-z0-9-"
    return rf"(?<![{before}]){body}(?![A-Za-z])"


@lru_cache(maxsize=256)
def _alternation(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(patterns))


@dataclass(frozen=True)
class Located:
    """Where, in one text, a term's literal core starts: (offset, term index) pairs, in order. `aligned`
    is False when case folding changed the text's length: offsets found in the folded text are then
    not offsets in the text."""

    text: str
    hits: list[tuple[int, int]]
    aligned: bool


class TermMatcher:
    """Ordered alternations of term patterns, matched like re.compile("|".join(patterns)).finditer but fast.

    Python's re tries every alternative at every position, and a lookbehind on each Latin term stops
    it from skipping ahead: a thousand names cost ~10 ms per article. Every pattern begins with its
    literal core, so a match can only start where the core of a term occurs, and there the
    alternation matches as the first term (in order) whose own pattern matches there. One pass of an
    Aho-Corasick automaton per case mode (`locate`) finds those places; each term's pattern is tried
    at its own places alone, in the order finditer would meet them: same matches, same precedence,
    and no regex compiled for an article's particular set of terms.

    One matcher holds many alternations (the lexicon's rows): a text is located once for all of them,
    and `matches` runs one alternation on its own terms' places."""

    def __init__(self, terms: list[tuple[str, str, bool]]):
        # (pattern, literal core, case-folded)
        self.patterns = [pattern for pattern, _, _ in terms]
        for pattern, core, _ in terms:
            if not core:
                raise ValueError(f"a term needs letters, not only a wildcard: {pattern!r}")
        self._compiled: list[re.Pattern | None] = [None] * len(terms)
        # (case-folded, the term indexes of each needle, an automaton of the needles)
        self.automata: list[tuple[bool, list[tuple[int, ...]], ahocorasick_rs.AhoCorasick]] = []
        for folded in (False, True):
            needles: dict[str, list[int]] = defaultdict(list)
            for i, (_, core, term_folded) in enumerate(terms):
                if term_folded == folded:
                    needles[fold(core) if folded else core].append(i)
            if needles:
                automaton = ahocorasick_rs.AhoCorasick(list(needles), implementation=ahocorasick_rs.Implementation.DFA)
                self.automata.append((folded, [tuple(indexes) for indexes in needles.values()], automaton))

    def locate(self, text: str) -> Located:
        hits: list[tuple[int, int]] = []
        aligned = True
        for folded, terms_of, automaton in self.automata:
            haystack = fold(text) if folded else text
            aligned = aligned and len(haystack) == len(text)
            # Every occurrence, overlapping ones included: each is where some term might match.
            for needle, start, _ in automaton.find_matches_as_indexes(haystack, overlapping=True):
                for i in terms_of[needle]:
                    hits.append((start, i))
        hits.sort()
        return Located(text, hits, aligned)

    def matches(self, found: Located, hits: list[tuple[int, int]] | None = None) -> list[re.Match]:
        """The matches of the alternation of the terms in `hits` (some of found.hits; by default all)."""
        hits = found.hits if hits is None else hits
        if not found.aligned:
            # Offsets in the folded text are not the text's ("İ", "ß"): the plain alternation of the terms found.
            present = tuple(self.patterns[i] for i in sorted({i for _, i in hits}))
            return list(_alternation(present).finditer(found.text)) if present else []
        out: list[re.Match] = []
        resume = 0  # finditer goes on after a match's end
        for start, i in hits:
            if start >= resume and (m := self._pattern(i).match(found.text, start)):
                out.append(m)
                resume = m.end()
        return out

    def compile_all(self) -> None:
        """Compile every term's pattern now (about 0.1 s for the shipped data), not as articles need them."""
        for i in range(len(self.patterns)):
            self._pattern(i)

    def _pattern(self, i: int) -> re.Pattern:
        rx = self._compiled[i]
        if rx is None:
            rx = self._compiled[i] = re.compile(self.patterns[i])
        return rx

    def finditer(self, text: str):
        return iter(self.matches(self.locate(text)))


# Hosts where anyone publishes: a page there is its author's, not the host's owner's announcement.
PLATFORM_HOSTS = (
    "youtube.com", "github.com", "github.io", "linkedin.com", "medium.com", "substack.com", "x.com",
    "twitter.com", "reddit.com", "huggingface.co", "tiktok.com", "bilibili.com", "weixin.qq.com",
    "zhihu.com", "weibo.com", "douyin.com", "toutiao.com", "baijiahao.baidu.com", "news.google.com",
    "news.yahoo.com", "msn.com",
)  # fmt: skip


# --- gazetteer -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entity:
    name: str  # canonical (Chinese where a Chinese name is usual)
    kind: str  # org | person | place
    region: str  # domestic | international
    tier: int  # 2 major, 1 notable, 0 minor
    ai: int  # 2 AI by nature (naming it is evidence), 1 an AI business among others (context), 0 none


@dataclass(frozen=True)
class Mention:
    entity: Entity
    alias: str
    start: int
    end: int


class Gazetteer:
    def __init__(self, text: str):
        self.entities: dict[str, Entity] = {}
        self.by_alias: dict[str, Entity] = {}
        for cols in _rows(text):
            kind, region, tier, ai, name, aliases = cols
            entity = Entity(name, kind, region, int(tier), int(ai))
            self.entities[name] = entity
            for alias in {name, *aliases.split("|")}:
                alias = alias.strip()
                if alias:
                    self.by_alias.setdefault(alias, entity)
        # Longest alias first: at any position the regex takes the longest name that matches, so
        # "上海人工智能实验室" is one institution, not the city of 上海 plus noise.
        aliases = sorted(self.by_alias, key=len, reverse=True)
        self.matcher = TermMatcher([(_term_pattern(a, fold_case=False), a, False) for a in aliases])

    def find(self, text: str) -> list[Mention]:
        found = self.matcher.finditer(text or "")
        return [Mention(self.by_alias[m.group(0)], m.group(0), m.start(), m.end()) for m in found]

    def of_host(self, host: str) -> Entity | None:
        """The organisation whose own site HOST is ("openai.com", "blogs.nvidia.com", "qwen.ai"), or None:
        a host label equals one of its Latin names, spaces and dots aside ("zhipuai" for "Zhipu AI"),
        or does after a trailing "ai" ("klingai"). Sites where anyone publishes (a video or code host, a
        blog platform, an aggregator) are nobody's own site, whatever company owns them."""
        host = (host or "").lower().rstrip(".")
        if not host or any(host == p or host.endswith("." + p) for p in PLATFORM_HOSTS):
            return None
        for label in host.split(".")[:-1]:
            for key in (label, label.removesuffix("ai")):
                entity = self._host_names.get(key) if len(key) >= 3 else None
                if entity is not None:
                    return entity
        return None

    @functools.cached_property
    def _host_names(self) -> dict[str, Entity]:
        names: dict[str, Entity] = {}
        for alias, entity in self.by_alias.items():
            if entity.kind == "org" and alias.isascii():
                names.setdefault(re.sub(r"[\s.\-]", "", alias).lower(), entity)
        return names

    def names(self, text: str) -> dict[str, list[str]]:
        """Entities named in text, by kind, in order of first mention (the record's `entities`)."""
        return self.names_of(self.find(text))

    @staticmethod
    def names_of(mentions: list[Mention]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {"organizations": [], "people": [], "places": []}
        key = {"org": "organizations", "person": "people", "place": "places"}
        for mention in mentions:
            bucket = out[key[mention.entity.kind]]
            if mention.entity.name not in bucket:
                bucket.append(mention.entity.name)
        return out


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(read_data(GAZETTEER_FILE))


# --- lexicon -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One line of the lexicon: a weight and its terms, a range of the lexicon's matcher."""

    weight: float
    lo: int
    hi: int


class TextScan:
    """One text located once for every lexicon row; each row's matches are found when first asked for."""

    def __init__(self, matcher: TermMatcher, row_of: list[int], text: str):
        self.matcher = matcher
        self.found = matcher.locate(text)
        # Each row's share of the places (most rows have none: they are answered without a look).
        self.hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for start, i in self.found.hits:
            self.hits[row_of[i]].append((start, i))
        self._matches: dict[int, list[re.Match]] = {}
        self._counts: dict[int, dict[str, int]] = {}

    def matches(self, row: Row) -> list[re.Match]:
        if row.lo not in self.hits:
            return []
        if row.lo not in self._matches:
            self._matches[row.lo] = self.matcher.matches(self.found, self.hits[row.lo])
        return self._matches[row.lo]

    def counts(self, row: Row) -> dict[str, int]:
        """How often each of the row's terms matched, whatever its case."""
        if row.lo not in self._counts:
            self._counts[row.lo] = Counter(m.group(0).lower() for m in self.matches(row))
        return self._counts[row.lo]


class Lexicon:
    def __init__(self, text: str):
        self.groups: dict[str, list[Row]] = defaultdict(list)
        self.terms: dict[str, list[str]] = defaultdict(list)
        specs: list[tuple[str, str, bool]] = []
        self.row_of: list[int] = []  # term index -> where its row starts
        for cols in _rows(text):
            group, weight, terms = cols
            parts = [t.strip() for t in terms.split("|") if t.strip()]
            self.terms[group].extend(parts)
            lo = len(specs)
            for term in sorted(parts, key=len, reverse=True):
                core = term.rstrip("*")
                # All-capital Latin terms (AI, LLM, GPU) are case-sensitive: "ai" inside a word is not AI.
                folds = not (core.isupper() and _is_latin(core))
                pattern = _term_pattern(term, fold_case=folds, after_hyphen=False)
                specs.append((pattern, core, folds and _is_latin(core)))
            self.groups[group].append(Row(float(weight), lo, len(specs)))
            self.row_of += [lo] * (len(specs) - lo)
        # Each row is its own alternation (a term counts once per row, overlaps across rows all count),
        # but a text is scanned once for all of them.
        self.matcher = TermMatcher(specs)
        # One analysis asks about the same few texts (title, opening, body) for every group.
        self.scan = lru_cache(maxsize=16)(self._scan)

    def _scan(self, text: str) -> TextScan:
        return TextScan(self.matcher, self.row_of, text)

    def categories(self) -> list[str]:
        return [g.split(":", 1)[1] for g in self.groups if g.startswith("cat:")]

    def hits(self, group: str, text: str) -> list[str]:
        return [m.group(0) for m in self.matches(group, text)]

    def matches(self, group: str, text: str) -> list[re.Match]:
        """The group's matches in `text`, row by row, as match objects on `text` itself."""
        scan = self.scan(text or "")
        return [m for row in self.groups.get(group, ()) for m in scan.matches(row)]

    def score(self, group: str, text: str, *, cap: int = 3) -> float:
        """Weighted count of the group's terms in text; each distinct term counts at most `cap` times."""
        scan = self.scan(text or "")
        total = 0.0
        for row in self.groups.get(group, ()):
            if row.lo in scan.hits:
                total += row.weight * sum(min(c, cap) for c in scan.counts(row).values())
        return total


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(read_data(LEXICON_FILE))
