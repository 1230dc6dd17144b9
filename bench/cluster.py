"""Benchmark: same-event clustering of a small and a ten times larger synthetic day, in one run.

    python bench/cluster.py [--small 2000] [--large 20000] [--repeat 5]

The day comes from tests/report/synthetic.py (the 20k clustering test's generator: 1-3 reports per
event, Zipf-popular companies). Keys are made before timing; the time is `cluster()` alone, the best
of --repeat runs, in CPU seconds (the machine may be shared). Prints one JSON object: per size the
time, comparisons (same_event calls), the largest blocking bucket and how many buckets were too big
to compare pairwise, recall and impurity, then the large/small ratios. Near-linear work means time
and comparisons grow about as much as the articles.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsbot.report.cluster import cluster  # noqa: E402
from tests.report.synthetic import cluster_quality, synthetic_day  # noqa: E402


def measure(n: int, repeat: int) -> dict:
    cands, truth = synthetic_day(n)
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        clusters, stats = cluster(cands)
        best = min(best, time.process_time() - started)
    recall, impurity = cluster_quality(clusters, truth)
    return {
        "articles": len(cands),
        "seconds": round(best, 3),
        "comparisons": stats.comparisons,
        "comparisons_per_article": round(stats.comparisons / len(cands), 2),
        "largest_bucket": stats.largest_bucket,
        "oversized_buckets": stats.oversized_buckets,
        "recall": round(recall, 4),
        "impurity": round(impurity, 5),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    small, large = measure(args.small, args.repeat), measure(args.large, args.repeat)
    print(
        json.dumps(
            {
                "small": small,
                "large": large,
                "articles_ratio": round(large["articles"] / small["articles"], 2),
                "time_ratio": round(large["seconds"] / small["seconds"], 2),
                "comparisons_ratio": round(large["comparisons"] / small["comparisons"], 2),
                "target_time_ratio": 12,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
