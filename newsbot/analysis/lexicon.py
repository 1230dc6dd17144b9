"""The entity gazetteer and the weighted lexicon, loaded from package data (data/*.tsv).

Both are data files so that adding a company or a policy word is an edit a reviewer can read, and
their content hash is part of the heuristic analyzer's version (an edit re-analyses the articles).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import ahocorasick

DATA_PACKAGE = "newsbot.analysis"
GAZETTEER_FILE = "gazetteer.tsv"
LEXICON_FILE = "lexicon.tsv"


def read_data(name: str) -> str:
    return resources.files(DATA_PACKAGE).joinpath("data", name).read_text(encoding="utf-8")


def data_digest() -> str:
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


# re's IGNORECASE also pairs these with ASCII letters; casefold() alone would not.
_FOLD_FIXES = str.maketrans({"ı": "i", "ſ": "s", "\u212a": "k", "\u212b": "å"})


@lru_cache(maxsize=8192)
def _alternation(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(patterns))


class TermMatcher:
    """An ordered alternation of term patterns, matched like re.compile("|".join(patterns)) but fast.

    Python's re tries every alternative at every position, and a lookbehind on each Latin term stops
    it from skipping ahead: a thousand names cost ~10 ms per article. A term whose literal core is
    not in the text can never match, so the alternation is compiled (and cached) from only the terms
    whose core occurs, in the original order: same matches, same precedence, a fraction of the time.
    Which cores occur is found in one pass over the text (an Aho-Corasick automaton per case mode),
    not one substring search per term."""

    def __init__(self, terms: list[tuple[str, str, bool]]):
        # (pattern, literal core, case-folded)
        self.patterns = [pattern for pattern, _, _ in terms]
        self.always = {i for i, (_, core, _) in enumerate(terms) if not core}
        self.automata: list[tuple[bool, ahocorasick.Automaton]] = []
        for folded in (False, True):
            needles: dict[str, list[int]] = defaultdict(list)
            for i, (_, core, term_folded) in enumerate(terms):
                if core and term_folded == folded:
                    needles[_fold(core) if folded else core].append(i)
            if needles:
                automaton = ahocorasick.Automaton()
                for needle, indexes in needles.items():
                    automaton.add_word(needle, tuple(indexes))
                automaton.make_automaton()
                self.automata.append((folded, automaton))

    def finditer(self, text: str):
        if not text:
            return iter(())
        found = set(self.always)
        for folded, automaton in self.automata:
            for _, indexes in automaton.iter(_fold(text) if folded else text):
                found.update(indexes)
        present = tuple(self.patterns[i] for i in sorted(found))
        return _alternation(present).finditer(text) if present else iter(())


@lru_cache(maxsize=64)  # the same text is matched against every lexicon group in turn
def _fold(text: str) -> str:
    return text.casefold().translate(_FOLD_FIXES)


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
        self._re = TermMatcher([(_term_pattern(a, fold_case=False), a, False) for a in aliases])

    def find(self, text: str) -> list[Mention]:
        return [
            Mention(self.by_alias[m.group(0)], m.group(0), m.start(), m.end()) for m in self._re.finditer(text or "")
        ]

    def names(self, text: str) -> dict[str, list[str]]:
        """Entities named in text, by kind, in order of first mention (the record's `entities`)."""
        out: dict[str, list[str]] = {"organizations": [], "people": [], "places": []}
        key = {"org": "organizations", "person": "people", "place": "places"}
        for mention in self.find(text):
            bucket = out[key[mention.entity.kind]]
            if mention.entity.name not in bucket:
                bucket.append(mention.entity.name)
        return out


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(read_data(GAZETTEER_FILE))


# --- lexicon -------------------------------------------------------------------------------------
class Lexicon:
    def __init__(self, text: str):
        # group -> [(weight, compiled alternation)]
        self.groups: dict[str, list[tuple[float, TermMatcher]]] = defaultdict(list)
        self.terms: dict[str, list[str]] = defaultdict(list)
        for cols in _rows(text):
            group, weight, terms = cols
            parts = [t.strip() for t in terms.split("|") if t.strip()]
            self.terms[group].extend(parts)
            patterns = []
            for term in sorted(parts, key=len, reverse=True):
                core = term.rstrip("*")
                # All-capital Latin terms (AI, LLM, GPU) are case-sensitive: "ai" inside a word is not AI.
                fold = not (core.isupper() and _is_latin(core))
                patterns.append(
                    (_term_pattern(term, fold_case=fold, after_hyphen=False), core, fold and _is_latin(core))
                )
            self.groups[group].append((float(weight), TermMatcher(patterns)))

    def categories(self) -> list[str]:
        return [g.split(":", 1)[1] for g in self.groups if g.startswith("cat:")]

    def hits(self, group: str, text: str) -> list[str]:
        return [m.group(0) for _, rx in self.groups.get(group, ()) for m in rx.finditer(text or "")]

    def score(self, group: str, text: str, *, cap: int = 3) -> float:
        """Weighted count of the group's terms in text; each distinct term counts at most `cap` times."""
        total = 0.0
        for weight, rx in self.groups.get(group, ()):
            counts: dict[str, int] = defaultdict(int)
            for m in rx.finditer(text or ""):
                counts[m.group(0).lower()] += 1
            total += weight * sum(min(c, cap) for c in counts.values())
        return total


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(read_data(LEXICON_FILE))
