"""A synthetic day of report candidates at any size, with the true event of each: shared by the
clustering tests (tests/report/test_select.py) and bench/cluster.py."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from newsbot.report.candidate import Candidate
from newsbot.report.keys import make_keys

T0 = datetime(2026, 2, 4, 0, 0, tzinfo=UTC)


def candidate(
    url, summary, entities=(), title="", score=50, region="international", source="bloomberg", minutes=0, opening=""
):
    return Candidate(
        url=url,
        title=title or url,
        source=source,
        source_name=source,
        published_at=T0 + timedelta(minutes=minutes),
        region=region,
        importance="medium",
        score=score,
        category="商业动态",
        summary=summary,
        reason="",
        tags=[],
        analyzer="heuristic",
        weight=1.0,
        keys=make_keys(title, summary, {"organizations": list(entities)}, opening),
    )


def synthetic_day(n_target: int, seed: int = 11):
    """Events with 1-3 reports each: paraphrased Chinese, or an English report sharing only the
    companies and the amount. Popular companies recur across many different events."""
    rng = random.Random(seed)
    vocab = ["".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(2)) for _ in range(6000)]
    en_vocab = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(4, 9))) for _ in range(3000)]
    companies = [f"Corp{i}" for i in range(3000)]
    cum, total = [], 0.0
    for i in range(len(companies)):
        total += 1 / (i + 10)  # Zipf-like: Corp0 is in ~300 events
        cum.append(total)
    cands, truth = [], []
    event = 0
    while len(cands) < n_target:
        a, b = rng.choices(companies, cum_weights=cum, k=2)
        ents = sorted({a, b})
        amount = rng.randint(1, 999) * 10 ** rng.randint(0, 3) if rng.random() < 0.7 else None  # in 亿
        words = rng.sample(vocab, 30)
        reports = 1 if rng.random() < 0.7 else rng.choice((2, 2, 3))
        for r in range(reports):
            if r == 2 and amount is not None:
                text = " ".join(rng.sample(en_vocab, 15))
                summary = f"2月4日消息，{a} and {b} {text} ${amount / 10:g} billion"
            else:
                kept = [w for w in words if rng.random() > 0.15] if r else words
                money = f"{amount}亿美元" if amount is not None else ""
                summary = f"2月4日消息，{a}与{b}{''.join(kept[:15])}{money}{''.join(kept[15:])}。"
            cands.append(
                candidate(f"https://x/{event}/{r}", summary, ents, score=rng.randint(0, 100), minutes=event % 1440)
            )
            truth.append(event)
        event += 1
    return cands, truth


def cluster_quality(clusters: list[list[int]], truth: list[int]) -> tuple[float, float]:
    """(recall, impurity): the share of events reported more than once that ended in one cluster, and
    the share of clusters mixing two events."""
    label = {}
    for k, members in enumerate(clusters):
        for i in members:
            label[i] = k
    by_event: dict[int, set[int]] = {}
    for i, ev in enumerate(truth):
        by_event.setdefault(ev, set()).add(label[i])
    reported_more_than_once = {ev for ev, c in Counter(truth).items() if c > 1}
    recall = sum(len(by_event[ev]) == 1 for ev in reported_more_than_once) / len(reported_more_than_once)
    impure = sum(len({truth[i] for i in members}) > 1 for members in clusters)
    return recall, impure / len(clusters)
