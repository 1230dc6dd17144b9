"""Links are correct by construction: whatever order and concurrency the articles arrive in, every
entry's url, source and title belong to the article its summary came from, and the report is the same."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import MongoClient

from newsbot.report.build import build_report
from newsbot.text.window import report_window
from tests.report.conftest import day_settings
from tests.report.factory import P, article, seed_like_day
from tests.report.test_report_db import NOW


def corpus() -> list[dict]:
    """The seed-like day plus look-alikes: same titles on other URLs, one story in many sources."""
    docs = seed_like_day()
    rng = random.Random(5)
    for i in range(12):
        src = rng.choice(["36kr", "qbitai", "leiphone", "cnbc", "ft", "theverge"])
        docs.append(
            article(f"https://example.org/{src}/{i}", f"Story {i % 4}: OpenAI ships model {i % 4}", src,
                    P + f"OpenAI发布第{i % 4}代模型，本条来自{src}第{i}篇报道，融资{i % 4 + 1}亿美元。",
                    score=rng.randint(20, 90), entities=["OpenAI"], hours_before_cutoff=rng.uniform(0, 23))
        )  # fmt: skip
    return docs


DOCS = corpus()


def insert(db, docs: list[dict], order: list[int], workers: int) -> None:
    batches = [[dict(docs[i]) for i in order[k::workers]] for k in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(lambda b: [db.articles.insert_one(d) for d in b], b) for b in batches]:
            future.result()


def check_links(db, payload: dict) -> None:
    by_url = {d["url"]: d for d in db.articles.find()}
    entries = payload["domestic"] + payload["international"]
    reported = [e["url"] for e in entries] + [o["url"] for e in entries for o in e["also_reported_by"]]
    assert len(reported) == len(set(reported))  # no article in two entries
    for e in entries:
        doc = by_url[e["url"]]
        assert (doc["title"], doc["source"], doc["source_name"]) == (e["title"], e["source"], e["source_name"])
        assert doc["analysis"]["summary_zh"] == e["summary"] and doc["analysis"]["score"] == e["score"]
        for o in e["also_reported_by"]:
            assert (by_url[o["url"]]["source"], by_url[o["url"]]["source_name"]) == (o["source"], o["source_name"])


def baseline(mongo_uri) -> dict:
    client = MongoClient(mongo_uri, tz_aware=True)
    name = f"t_{uuid.uuid4().hex[:12]}"
    try:
        insert(client[name], DOCS, list(range(len(DOCS))), 1)
        return _payload(client[name])
    finally:
        client.drop_database(name)
        client.close()


def _payload(db) -> dict:
    settings_ = day_settings()
    return build_report(settings_, db, report_window(settings_), now=NOW).payload()


_BASELINE: dict = {}


@pytest.mark.slow  # fifteen shuffled report builds against the database
@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(DOCS))), workers=st.integers(min_value=1, max_value=6))
def test_any_arrival_order_gives_the_same_correctly_linked_report(mongo_uri, order, workers):
    if "payload" not in _BASELINE:
        _BASELINE["payload"] = baseline(mongo_uri)
    client = MongoClient(mongo_uri, tz_aware=True)
    name = f"t_{uuid.uuid4().hex[:12]}"
    try:
        db = client[name]
        insert(db, DOCS, list(order), workers)
        payload = _payload(db)
        check_links(db, payload)
        assert payload == _BASELINE["payload"]
    finally:
        client.drop_database(name)
        client.close()
