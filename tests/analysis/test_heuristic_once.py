"""The offline heuristic judges each article once in an LLM crawl: the judge stage's judgement, stored with
the article, is what the LLM follow-up checks the model against and falls back to, not a second run of it.

The bundled day through a real `scrapy digest` in LLM mode against the local fake OpenAI server, with a test
extension (tests/analysis/heuristic_spy.py) noting every article the heuristic judged.
"""

from __future__ import annotations

import asyncio
import collections
import json

import pytest

from newsbot.analysis.analyzer_support import AnalysisConfig
from newsbot.analysis.article import ArticleInput
from newsbot.analysis.factory import make_analyzer
from newsbot.settings import EXTENSIONS
from tests.analysis.conftest import settings
from tests.conftest import SNAPSHOT_DAY

pytestmark = pytest.mark.slow

DAY = "2026-02-04"
# What a fallback record says of itself rather than of the article.
ABOUT_THE_RECORD = {"analyzer", "model", "prompt_version", "error", "analyzed_at"}


def llm_digest(scrapy_runner, fake, tmp_path) -> collections.Counter:
    """The LLM digest of the bundled day; how many times the heuristic judged each article."""
    log = tmp_path / "heuristic.json"
    proc = scrapy_runner(
        "digest", "--snapshot", str(SNAPSHOT_DAY), "--date", DAY,
        env_extra={"OPENAI_API_KEY": "sk-test-not-a-secret", "OPENAI_BASE_URL": fake.base_url},
        NEWSBOT_ANALYZER="llm",
        NEWSBOT_LLM_BACKOFF="0.01",
        NEWSBOT_LLM_FALLBACK_OK="True",
        # The heuristic in this process, where the spy sees it.
        NEWSBOT_WORKER_PROCESSES="0",
        EXTENSIONS=json.dumps({**EXTENSIONS, "tests.analysis.heuristic_spy.HeuristicSpy": 950}),
        TESTS_HEURISTIC_LOG=str(log),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return collections.Counter(json.loads(log.read_text(encoding="utf-8")))


def judged_articles(mongo_db) -> dict[str, dict]:
    return {d["url"]: d for d in mongo_db.articles.find({"skip_reason": {"$in": ["", None]}})}


def test_an_llm_crawl_runs_the_heuristic_once_per_article(scrapy_runner, mongo_db, fake, tmp_path):
    judged = llm_digest(scrapy_runner, fake, tmp_path)
    articles = judged_articles(mongo_db)
    assert articles and set(judged) == set(articles)
    assert {url: n for url, n in judged.items() if n > 1} == {}
    # ... and the model was asked about every one of them, with the heuristic's judgement at hand.
    assert {d["analysis"]["analyzer"] for d in articles.values()} == {"llm"}
    assert fake.requests > len(articles)  # and the overview's


def test_a_failed_call_falls_back_to_the_same_offline_judgement(scrapy_runner, mongo_db, fake, tmp_path):
    fake.mode = "500"  # every call fails: a few retried, then the breaker sends the rest offline
    judged = llm_digest(scrapy_runner, fake, tmp_path)
    articles = judged_articles(mongo_db)
    assert articles and set(judged) == set(articles)
    assert {url: n for url, n in judged.items() if n > 1} == {}
    assert {d["analysis"]["analyzer"] for d in articles.values()} == {"heuristic-fallback"}

    offline = make_analyzer(AnalysisConfig.from_settings(settings(NEWSBOT_ANALYZER="heuristic")))

    async def judge_offline() -> dict[str, dict]:
        return {url: (await offline.analyze_article(ArticleInput.from_doc(d))).record for url, d in articles.items()}

    expected = asyncio.run(judge_offline())
    for url, doc in articles.items():
        fallback = doc["analysis"]
        assert fallback["error"] and fallback["model"] != "heuristic", url
        about_the_article = {k: v for k, v in fallback.items() if k not in ABOUT_THE_RECORD}
        assert about_the_article == {k: v for k, v in expected[url].items() if k not in ABOUT_THE_RECORD}, url
