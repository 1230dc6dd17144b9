"""Benchmark: 200 articles through the analysis stage against the local OpenAI-compatible server
with a fixed 300 ms latency per call: sequentially (concurrency 1) and at the default concurrency,
then at that concurrency with k = 5 and 10 articles per call (NEWSBOT_LLM_BATCH), side by side:
wall time, calls, and prompt and completion tokens per article (the fake server counts a token per
three characters). Then a second pass over each k's articles, with another k, must make zero calls.

    python bench/analysis.py [--articles 200] [--latency 0.3] [--concurrency 8] [--batches 1,5,10]
                             [--per-article-latency 0]

The fake server's latency is per call, whatever the call carries; a real model writes a batch's
judgements one after the other. --per-article-latency adds that much per article in a request, to
see what batching gains when generation time dominates.

Prints one JSON object. Uses a real database: the embedded server in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pymongo import AsyncMongoClient, MongoClient  # noqa: E402
from scrapy.settings import Settings  # noqa: E402

from newsbot.analysis.analyzer_support import AnalysisConfig, Counters  # noqa: E402
from newsbot.analysis.factory import make_analyzer  # noqa: E402
from newsbot.config import config_for  # noqa: E402
from newsbot.runs import stat_keys as keys  # noqa: E402
from newsbot.storage.embedded import ensure_embedded_server, stop_embedded_server  # noqa: E402
from tests.analysis.fake_openai import FakeOpenAI  # noqa: E402

SUBJECTS = ["阿里巴巴", "腾讯", "百度", "字节跳动", "月之暗面", "商汤科技", "英伟达", "OpenAI", "微软", "谷歌"]
ACTIONS = ["发布新一代大模型", "完成新一轮融资", "开源智能体框架", "推出AI芯片", "宣布战略合作"]


def make_articles(n: int) -> list[dict]:
    base = datetime(2026, 2, 3, 22, 0, tzinfo=UTC)
    docs = []
    for i in range(n):
        who, what = SUBJECTS[i % len(SUBJECTS)], ACTIONS[i % len(ACTIONS)]
        docs.append(
            {
                "url": f"https://bench.example/{i}",
                "source": "36kr",
                "source_name": "36氪",
                "title": f"{who}{what}（第{i}号）",
                "published_at": base + timedelta(minutes=i),
                "lang": "zh",
                "summary": "",
                "content": f"{who}今日{what}，这是基准测试的第{i}篇文章。该消息与人工智能产业相关。",
            }
        )
    return docs


def settings(concurrency: int, batch: int = 1) -> Settings:
    s = Settings()
    s.setmodule("newsbot.settings", priority="project")
    s.set("NEWSBOT_LLM_CONCURRENCY", concurrency, priority="cmdline")
    s.set("NEWSBOT_LLM_BATCH", batch, priority="cmdline")
    return s


async def one_pass(uri: str, dbname: str, concurrency: int, batch: int) -> tuple[float, Counters]:
    client = AsyncMongoClient(uri, tz_aware=True)
    counters = Counters()
    config = AnalysisConfig.from_settings(settings(concurrency, batch))
    analyzer = make_analyzer(config, client[dbname], counters=counters)
    urls = [d["url"] async for d in client[dbname].articles.find({}, {"url": 1})]
    analyzer.heuristic.warm_up()  # jieba's one-off load is not part of what is measured
    start = time.perf_counter()
    await asyncio.gather(*(analyzer.analyze_url(u) for u in urls))
    elapsed = time.perf_counter() - start
    await analyzer.aclose()
    await client.close()
    return elapsed, counters


def figures(elapsed: float, counters: Counters, articles: int, server: FakeOpenAI) -> dict:
    prompt, completion = counters.get(keys.LLM_PROMPT_TOKENS), counters.get(keys.LLM_COMPLETION_TOKENS)
    return {
        "wall_s": round(elapsed, 2),
        "calls": int(counters.get(keys.LLM_CALLS)),
        "prompt_tokens_per_article": round(prompt / articles, 1),
        "completion_tokens_per_article": round(completion / articles, 1),
        "tokens_per_article": round((prompt + completion) / articles, 1),
        "max_in_flight": server.max_in_flight,
        "reasks": int(counters.get(keys.LLM_REASKS)),
        "fallbacks": int(counters.get(keys.LLM_FALLBACKS)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--per-article-latency", type=float, default=0.0)
    parser.add_argument("--concurrency", type=int, default=config_for(settings(8)).analysis.llm_concurrency)
    parser.add_argument("--batches", default="1,5,10", help="articles per call to compare; the first is the baseline")
    args = parser.parse_args()
    batches = [int(k) for k in args.batches.split(",")]

    data_dir = tempfile.mkdtemp(prefix="newsbot-bench-")
    uri = ensure_embedded_server(data_dir)
    sync = MongoClient(uri, tz_aware=True)
    try:
        with FakeOpenAI(latency=args.latency, latency_per_article=args.per_article_latency) as server:
            os.environ["OPENAI_API_KEY"] = "sk-bench-not-a-secret"
            os.environ["OPENAI_BASE_URL"] = server.base_url
            runs = [("sequential", 1, batches[0])] + [(f"k={k}", args.concurrency, k) for k in batches]
            results = {}
            for label, concurrency, batch in runs:
                dbname = f"bench_{label.replace('=', '')}"
                sync.drop_database(dbname)
                sync[dbname].articles.insert_many(make_articles(args.articles))
                server.reset()
                elapsed, counters = asyncio.run(one_pass(uri, dbname, concurrency, batch))
                results[label] = {"concurrency": concurrency, "batch": batch}
                results[label].update(figures(elapsed, counters, args.articles, server))
            base = results[f"k={batches[0]}"]
            for k in batches:
                row = results[f"k={k}"]
                row["vs_baseline"] = {
                    "calls": round(row["calls"] / base["calls"], 3),
                    "tokens_per_article": round(row["tokens_per_article"] / base["tokens_per_article"], 3),
                    "wall": round(row["wall_s"] / base["wall_s"], 3),
                }
            # Each k's articles analysed again with another k: stored analyses are per article.
            second = {}
            for i, k in enumerate(batches):
                rerun_k = batches[(i + 1) % len(batches)]
                server.reset()
                again_s, again = asyncio.run(one_pass(uri, f"bench_k{k}", args.concurrency, rerun_k))
                second[f"analysed with k={k}, re-run with k={rerun_k}"] = {
                    "wall_s": round(again_s, 2),
                    "calls": int(again.get(keys.LLM_CALLS)),
                    "cache_hits": int(again.get(keys.LLM_CACHE_HITS)),
                    "server_requests": server.requests,
                }
            speedup = results["sequential"]["wall_s"] / base["wall_s"]
            report = {
                "articles": args.articles,
                "latency_s": args.latency,
                "per_article_latency_s": args.per_article_latency,
                **results,
                "speedup": round(speedup, 2),
                "ideal_speedup": args.concurrency,
                "second_pass": second,
            }
    finally:
        sync.close()
        stop_embedded_server(data_dir)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    free = all(r["calls"] == 0 and r["server_requests"] == 0 for r in second.values())
    clean = all(results[f"k={k}"]["fallbacks"] == 0 for k in batches)
    sys.exit(0 if speedup >= 6 and free and clean else 1)


if __name__ == "__main__":
    main()
