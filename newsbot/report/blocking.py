"""Blocking keys: which articles are worth comparing at all.

* MinHash LSH: a one-permutation MinHash of MINHASH_BINS bins (densified) over the wording bigrams,
  cut into bands of BAND_ROWS; two texts sharing a band are near duplicates worth checking;
* subject keys, subject+amount keys and unknown-name keys, each naming one party or fact: every way
  `same_event` can say yes without near-identical text includes a shared subject.
"""

from __future__ import annotations

import zlib
from collections.abc import Container, Iterable
from itertools import combinations

from newsbot.report.keys import EventKeys

MINHASH_BINS = 60
BAND_ROWS = 3
_MASK64 = (1 << 64) - 1


def _shingle_hash(shingle: str) -> tuple[int, int]:
    """(bin, value) of a shingle. crc32 is stable across processes (unlike hash()) and fast; the
    multiply spreads its bits."""
    h = (zlib.crc32(shingle.encode("utf-8")) * 0x9E3779B97F4A7C15) & _MASK64
    return h % MINHASH_BINS, h // MINHASH_BINS


def minhash(items: Iterable[str], skip: Container[str] = frozenset()) -> tuple[int, ...] | None:
    """One-permutation MinHash: one hash per shingle, the minimum kept per bin; an empty bin borrows
    from the next filled one (with a per-distance offset) so every bin stays comparable.
    Shingles in `skip` (the day's boilerplate) are left out."""
    pairs = [_shingle_hash(i) for i in items if i not in skip]
    if not pairs:
        return None
    # Sorted descending, the last pair written for a bin is its minimum.
    first = dict(sorted(pairs, reverse=True))
    if len(first) == MINHASH_BINS:
        return tuple(first[b] for b in range(MINHASH_BINS))
    # One pass from the last bin down: `following` is the next filled bin, past the end for the bins
    # after the last filled one (they wrap around to the first).
    out = [0] * MINHASH_BINS
    following = min(first) + MINHASH_BINS
    for b in range(MINHASH_BINS - 1, -1, -1):
        if b in first:
            out[b] = first[b]
            following = b
        else:
            out[b] = first[following % MINHASH_BINS] ^ ((following - b) * 0x5BD1E995)
    return tuple(out)


def band_keys(signature: tuple[int, ...] | None) -> list[tuple]:
    if signature is None:
        return []
    return [
        ("b", band, *signature[band * BAND_ROWS : (band + 1) * BAND_ROWS]) for band in range(MINHASH_BINS // BAND_ROWS)
    ]


MAX_KEYED = 8
MAX_PAIRED = 4


def fact_keys(keys: EventKeys) -> list[tuple]:
    """Blocking keys for every way `same_event` can say yes without near-identical text: a shared
    subject (central entity or Latin name) is always part of it. Besides one subject ("s"), a subject
    with an amount ("ns") and two subjects together ("ss"): a popular company's bucket grows with the
    day, the bucket of that company together with a second party or a figure does not."""
    subjects = sorted(keys.central)[:MAX_KEYED] + sorted("~" + n for n in keys.names)[:MAX_KEYED]
    out: list[tuple] = [("s", s) for s in subjects]
    amounts = sorted(k for k in keys.numbers | keys.body_numbers if k.startswith("n:"))[:MAX_KEYED]
    out.extend(("ns", n, s) for n in amounts for s in subjects)
    out.extend(("ss", a, b) for a, b in combinations(subjects[:MAX_PAIRED], 2))
    return out
