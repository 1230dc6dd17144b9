"""How newsbot's processes use Python's garbage collector: one policy, in one place.

A crawl allocates millions of short-lived objects (responses, items, BSON documents, parse trees),
nearly all of them freed by reference counting the moment they are done with. The collector's default
thresholds (700, 10, 10) still walk the young objects every 700 allocations and the whole heap every
70,000, and at 6,000 articles that walking was 10-15% of a digest. Long-lived data (the term patterns,
jieba's dictionary) is frozen out of its way once loaded, and a report is built with it paused.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# A young collection every 50,000 allocations, a full one far more rarely: cyclic garbage (a finished
# crawler and its engine, say) is still found, a little later. Measured at N=200 (bench/crawl.py):
# 12-15% less time, 10-20 MB more memory.
THRESHOLDS = (50_000, 20, 100)

_settled: set[str] = set()


def tune_collector() -> None:
    """For a process that crawls, parses or analyses: every newsbot command, and every worker."""
    gc.set_threshold(*THRESHOLDS)


def settle(what: str) -> None:
    """Once per kind of long-lived data: move every object alive now out of the garbage collector's way.

    The term patterns, the gazetteer and jieba's dictionary are hundreds of thousands of objects that
    live as long as the process, and every full collection walked them again: about 15% of a digest of
    6,000 articles. Frozen objects are still freed by reference counting; only a reference cycle among
    them would outlive its use."""
    if what not in _settled:
        _settled.add(what)
        gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection inside: building a report allocates some 10^5 containers that
    live until it ends (articles, their keys, blocking keys) and makes no reference cycles, so the
    collections their allocation triggers free nothing; at 6,000 articles they took ~15% of the
    build. What is freed is freed by reference counting; the collector resumes afterwards (it is
    process-wide: another thread's cyclic garbage waits those seconds too)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
