"""End to end, as an operator runs it: `scrapy crawl` over a snapshot with the analysis pipeline,
offline first, then against the local OpenAI-compatible server; and `scrapy evalprompts`."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from email.utils import format_datetime
from importlib import resources

import pytest

from newsbot.analysis.analyzer_support import AnalysisConfig
from newsbot.analysis.article import ArticleInput
from newsbot.analysis.factory import make_analyzer
from newsbot.analysis.schema import AnalysisRecord
from tests.analysis.conftest import ARTICLES, GOLDEN, PUBLISHED, settings, write_snapshot

# Real `scrapy crawl` / `scrapy evalprompts` processes.
pytestmark = pytest.mark.slow


def stats_of(proc) -> dict:
    """The numeric newsbot/ stats from Scrapy's end-of-crawl stats dump."""
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {k: float(v) for k, v in re.findall(r"'(newsbot/[\w/-]+)': ([\d.]+)", proc.stderr)}


def test_crawl_analyses_offline_then_with_the_llm_then_for_free(scrapy_runner, mongo_db, fake, tmp_path):
    snapshot = write_snapshot(tmp_path / "snap", ARTICLES)
    common = {
        "NEWSBOT_SNAPSHOT": str(snapshot),
        "NEWSBOT_REPORT_ENABLED": "False",
        # The day the articles were published: the LLM is asked only about articles a report can still show.
        "NEWSBOT_DATE": "2026-02-04",
        "NEWSBOT_LLM_BACKOFF": "0.01",
    }

    # No key: the offline analyzer (the default of the README's main command).
    offline = stats_of(scrapy_runner("crawl", "leiphone", **common))
    assert offline["newsbot/analysis/heuristic"] == len(ARTICLES)
    docs = list(mongo_db.articles.find())
    assert len(docs) == len(ARTICLES)
    assert {d["analysis"]["analyzer"] for d in docs} == {"heuristic"}

    # With the endpoint configured, the same articles are upgraded to LLM analyses, concurrently.
    env = {"OPENAI_API_KEY": "sk-test-not-a-secret", "OPENAI_BASE_URL": fake.base_url}
    fake.latency = 0.2
    online = stats_of(scrapy_runner("crawl", "leiphone", env_extra=env, NEWSBOT_LLM_CONCURRENCY="3", **common))
    assert online["newsbot/llm/calls"] == fake.requests == len(ARTICLES)
    assert 1 < fake.max_in_flight <= 3
    assert online["newsbot/llm/prompt_tokens"] > 0 and online["newsbot/llm/cost_usd"] > 0
    for doc in mongo_db.articles.find():
        record = AnalysisRecord.model_validate(doc["analysis"])
        assert record.analyzer == "llm"
        assert record.summary_zh.startswith("2月4日消息，")

    # A re-run of the same day costs nothing.
    fake.reset()
    again = stats_of(scrapy_runner("crawl", "leiphone", env_extra=env, **common))
    assert fake.requests == 0
    assert again["newsbot/llm/calls"] == 0
    assert again["newsbot/llm/cache_hits"] == len(ARTICLES)


def test_evalprompts_heuristic_quality_on_the_golden_set(scrapy_runner):
    proc = scrapy_runner("evalprompts", "--analyzer", "heuristic", "--dataset", str(GOLDEN), "--by-day")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert result["rows"] >= 400
    # --by-day: every metric per report day, the days adding up to the pooled set.
    days = result["by_day"]
    assert len(days) >= 3
    assert sum(d["rows"] for d in days.values()) == result["rows"]
    assert all({"ai_relevant", "region", "importance", "category", "summary"} <= set(d) for d in days.values())
    assert set(result["headline"]) == {"pooled", *days}
    assert result["headline"]["pooled"]["importance_accuracy"] == result["importance"]["accuracy"]
    print("\n" + "\n".join(f"{day}: {figures}" for day, figures in result["headline"].items()))
    print(
        f"\nheuristic on golden: region accuracy {result['region']['accuracy']}, "
        f"ai_relevant F1 {result['ai_relevant']['f1']}, importance accuracy {result['importance']['accuracy']}"
    )
    # The offline analyzer's targets hold on the pooled set and on every day separately (tuned on the
    # pooled set only): a threshold met by one lucky day and missed on another is not met.
    for day, figures in result["headline"].items():
        assert figures["importance_accuracy"] >= 0.75, (day, figures)
        assert figures["high_precision"] >= 0.6, (day, figures)
        assert figures["category_accuracy"] >= 0.8, (day, figures)
        assert figures["region_accuracy"] >= 0.95, (day, figures)
        assert figures["ai_relevant_accuracy"] >= 0.95, (day, figures)
    assert result["summary"]["date_prefix"] == 1.0 and result["summary"]["no_url"] == 1.0
    assert set(result["region"]["per_class"]) == {"domestic", "international"}
    assert set(result["importance"]["per_class"]) == {"high", "medium", "low"}


def test_evalprompts_compares_prompt_folders_and_caches_replies(scrapy_runner, fake, tmp_path):
    bundled = resources.files("newsbot").joinpath("prompts")
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(str(bundled), a)
    shutil.copytree(str(bundled), b)
    system = b / "analyze.system.md"
    # The local server, like a real model, follows its rules: this one rates conservatively.
    system.write_text(system.read_text(encoding="utf-8") + "\n请以保守标准评估重要性。\n", encoding="utf-8")
    env = {"OPENAI_API_KEY": "sk-test-not-a-secret", "OPENAI_BASE_URL": fake.base_url}
    args = (
        "evalprompts",
        "--dataset",
        str(GOLDEN),
        "--limit",
        "12",
        "--prompts",
        str(a),
        "--against",
        str(b),
        "--json",
    )
    settings = {"NEWSBOT_EVAL_CACHE_DIR": str(tmp_path / "cache")}

    first = scrapy_runner(*args, env_extra=env, **settings)
    assert first.returncode == 0, first.stderr[-3000:]
    result = json.loads(first.stdout)
    assert result["rows"] == 12
    assert result["a"]["run"]["prompt_version"] != result["b"]["run"]["prompt_version"]
    assert result["a"]["run"]["llm"]["calls"] == 12 and result["b"]["run"]["llm"]["calls"] == 12
    assert {"accuracy", "per_class"} <= set(result["a"]["importance"]) and "summary" in result["b"]
    changed = {row["id"]: row["changes"] for row in result["changed"]}
    assert changed and all(c["importance"]["b"] == "low" for c in changed.values())
    assert fake.requests == 24

    # Unchanged prompts: every reply comes from the disk cache.
    second = scrapy_runner(*args, env_extra=env, **settings)
    assert second.returncode == 0, second.stderr[-3000:]
    again = json.loads(second.stdout)
    assert fake.requests == 24
    assert again["a"]["run"]["llm"]["calls"] == 0 and again["a"]["run"]["llm"]["reply_cache_hits"] == 12
    assert again["changed"] == result["changed"]


def write_page_snapshot(folder, pages: dict[int, str], dated: bool = True):
    """A full-text source's snapshot: a feed of three entries (the third undated) and the article
    pages named in `pages`; an entry without its page gets a 404, so its item keeps the feed text."""
    folder.mkdir(parents=True)
    entries, manifest = [], []
    for i in range(3):
        link = f"https://news.pages.example/a/{i}"
        when = f"<pubDate>{format_datetime(PUBLISHED)}</pubDate>" if i < 2 else ""
        dek = ["英伟达发布新一代推理芯片。", "OpenAI推出新的编程智能体。", "百度开源文心大模型。"][i]
        entries.append(
            f"<item><title>{dek[:-1]}</title><link>{link}</link>{when}<description>{dek}</description></item>"
        )
        if i in pages:
            (folder / f"{i}.html").write_text(
                f"<html><body><nav>首页</nav><article><h1>{dek}</h1><p>{pages[i]}</p></article></body></html>",
                encoding="utf-8",
            )
            manifest.append({"url": link, "status": 200, "headers": {"Content-Type": "text/html"}, "body": f"{i}.html"})
    feed = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>P</title>{"".join(entries)}</channel></rss>'
    (folder / "feed.xml").write_text(feed, encoding="utf-8")
    manifest.append({"url": "https://news.pages.example/feed.xml", "status": 200,
                     "headers": {"Content-Type": "application/rss+xml"}, "body": "feed.xml"})  # fmt: skip
    (folder / "manifest.jsonl").write_text("".join(json.dumps(m) + "\n" for m in manifest), encoding="utf-8")
    return folder


def test_every_article_is_stored_with_the_analysis_of_its_stored_text(scrapy_runner, mongo_db, tmp_path):
    """However the analysis is written (with the article, or after it from a read-back), the stored
    record is the current one for the stored text: a page that fails on a re-crawl leaves the better
    text and its analysis in place, and nothing current is recomputed."""
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "pagesite"\ndisplay_name = "Pages"\nfeeds = ["https://news.pages.example/feed.xml"]\n'
        'lang = "zh"\nfull_text = true\n',
        encoding="utf-8",
    )
    body = "这款芯片面向数据中心的大模型推理，性能较上一代提升三倍，将于下季度向云厂商供货。" * 3
    full = write_page_snapshot(tmp_path / "full", {0: body, 1: body.replace("芯片", "智能体"), 2: body})
    partial = write_page_snapshot(tmp_path / "partial", {1: body.replace("芯片", "智能体")})
    common = {"NEWSBOT_SOURCES_FILE": str(sources), "NEWSBOT_SOURCES": "", "NEWSBOT_ANALYZER": "heuristic"}
    common["NEWSBOT_REPORT_ENABLED"] = "False"

    def stored():
        return {d["url"]: d for d in mongo_db.articles.find()}

    def assert_current(docs):
        service = make_analyzer(AnalysisConfig.from_settings(settings(NEWSBOT_ANALYZER="heuristic")))
        for doc in docs.values():
            outcome = asyncio.run(service.analyze_article(ArticleInput.from_doc(doc), existing=doc["analysis"]))
            assert outcome.status == "cached", doc["url"]

    first = stats_of(scrapy_runner("crawl", "pagesite", NEWSBOT_SNAPSHOT=str(full), **common))
    assert first["newsbot/analysis/heuristic"] == 3
    before = stored()
    assert {d["content_source"] for d in before.values()} == {"article"}
    assert before["https://news.pages.example/a/2"]["date_missing"] is True
    assert_current(before)

    again = stats_of(scrapy_runner("crawl", "pagesite", NEWSBOT_SNAPSHOT=str(partial), **common))
    assert again["newsbot/analysis/skipped"] == 3 and "newsbot/analysis/heuristic" not in again
    after = stored()
    for url, doc in after.items():
        # The failed pages' items carried only the feed text: the stored article text and its analysis stay.
        assert doc["content"] == before[url]["content"] and doc["content_source"] == "article"
        assert doc["analysis"] == before[url]["analysis"] and doc["first_seen"] == before[url]["first_seen"]
        assert doc["last_seen"] > before[url]["last_seen"]
    assert_current(after)
