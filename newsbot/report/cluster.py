"""Same-event clustering in near-linear time: no all-pairs comparison.

Candidate pairs come only from shared blocking keys (newsbot.report.blocking); MinHash signatures
leave out bigrams found in more than max(STOP_SHINGLE_MIN_DF, STOP_SHINGLE_FRACTION of the articles),
so boilerplate ("人工", "公司") does not make giant buckets. Each candidate pair is checked once with
`same_event` and merged with union-find. The entry of a cluster is its best-ranked article.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, combinations

from newsbot.report.blocking import _shingle_hash, band_keys, fact_keys, minhash
from newsbot.report.candidate import Candidate
from newsbot.report.match import Corpus, same_event

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
