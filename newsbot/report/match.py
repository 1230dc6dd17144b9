"""Whether two reports describe one event, from their keys alone.

`match_evidence` adds points (shared amount, shared subjects, shared unknown names, shared wording;
across languages, shared rare Latin names) and `same_event` merges at EVIDENCE_NEEDED: one shared
company with unrelated text never reaches it, so different events about one company stay apart.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain

from newsbot.report.keys import EventKeys


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
