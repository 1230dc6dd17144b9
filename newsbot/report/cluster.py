"""Same-event clustering in near-linear time: no all-pairs comparison.

Candidate pairs come only from shared blocking keys (newsbot.report.blocking). A bucket of at most
MAX_BUCKET articles is compared pairwise; a larger one in publication order, each member with its
next NEIGHBOURS (sorted neighbourhood), and a bucket of one subject alone with its next
SUBJECT_NEIGHBOURS: a popular company's bucket grows with the day, while what tells its events apart
has narrower keys of its own (the company with a second party or an amount, near-identical wording),
so the broadest bucket only needs to catch reports close in time. MAX_BUCKET = 2 x NEIGHBOURS + 1:
a member of any bucket costs at most about NEIGHBOURS comparisons, so the work per article stays
flat as the day grows. MinHash signatures leave out bigrams found in more than STOP_SHINGLE_DF
articles (an absolute count: how many chance collisions a bigram causes depends on how many
articles carry it, not on their share), so boilerplate ("人工", "公司") makes no giant bucket.
Each candidate pair is checked once with `same_event` and merged with union-find; the entry of a
cluster is its best-ranked article. bench/cluster.py measures 2,000 against 20,000 articles.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, combinations

from newsbot.report.blocking import band_keys, fact_keys, minhash
from newsbot.report.candidate import Candidate
from newsbot.report.match import Corpus, same_event

NEIGHBOURS = 5
MAX_BUCKET = 2 * NEIGHBOURS + 1
SUBJECT_NEIGHBOURS = 2
STOP_SHINGLE_DF = 50


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


def bucket_pairs(members: list[int], neighbours: int = NEIGHBOURS) -> Iterable[tuple[int, int]]:
    """Every pair of a small bucket; in a larger one, each member with its next `neighbours`."""
    if len(members) <= MAX_BUCKET:
        return combinations(members, 2)
    # Sorted neighbourhood: members are in publication order, so reports of one event sit close.
    last = len(members)
    return ((members[i], members[j]) for i in range(last) for j in range(i + 1, min(last, i + 1 + neighbours)))


def cluster(cands: Sequence[Candidate]) -> tuple[list[list[int]], ClusterStats]:
    """Partition candidates into events; each cluster lists indices, best-ranked first."""
    n = len(cands)
    stats = ClusterStats(articles=n)
    order = sorted(range(n), key=lambda i: (cands[i].published_at, cands[i].url))
    df = Counter(chain.from_iterable(c.keys.shingles for c in cands))
    # Boilerplate shingles are left out of the signatures (not of the verification).
    boilerplate = {s for s, count in df.items() if count > STOP_SHINGLE_DF}
    corpus = Corpus.of(c.keys for c in cands)

    # Members join in publication order, so a bucket is sorted by time. Most keys belong to one
    # article only: those keep an int, not a list (a list per key is most of the garbage collector's
    # work on a large day).
    first: dict[tuple, int] = {}
    buckets: dict[tuple, list[int]] = {}
    for i in order:
        keys = cands[i].keys
        for key in band_keys(minhash(keys.shingles, boilerplate)) + fact_keys(keys):
            owner = first.setdefault(key, i)
            if owner != i:
                buckets.setdefault(key, [owner]).append(i)

    uf = UnionFind(n)
    seen: set[int] = set()
    for key, members in buckets.items():
        stats.buckets += 1
        stats.largest_bucket = max(stats.largest_bucket, len(members))
        stats.oversized_buckets += len(members) > MAX_BUCKET
        for a, b in bucket_pairs(members, SUBJECT_NEIGHBOURS if key[0] == "s" else NEIGHBOURS):
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
