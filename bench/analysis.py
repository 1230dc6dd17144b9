"""Benchmark: 200 articles through the analysis stage against the local OpenAI-compatible server
with a fixed 300 ms latency per call, sequentially (concurrency 1) and at the default concurrency,
then a second pass over the same articles that must make zero calls.

    python bench/analysis.py [--articles 200] [--latency 0.3] [--concurrency 8]

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

from newsbot import stats as keys  # noqa: E402
from newsbot.analysis.service import AnalysisConfig, AnalysisService, Counters  # noqa: E402
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


def settings(concurrency: int) -> Settings:
    s = Settings()
    s.setmodule("newsbot.settings", priority="project")
    s.set("NEWSBOT_LLM_CONCURRENCY", concurrency, priority="cmdline")
    return s


async def one_pass(uri: str, dbname: str, concurrency: int) -> tuple[float, Counters]:
    client = AsyncMongoClient(uri, tz_aware=True)
    counters = Counters()
    service = AnalysisService(AnalysisConfig.from_settings(settings(concurrency)), client[dbname], counters=counters)
    urls = [d["url"] async for d in client[dbname].articles.find({}, {"url": 1})]
    service.heuristic.warm_up()  # jieba's one-off load is not part of what is measured
    start = time.perf_counter()
    await asyncio.gather(*(service.analyze_url(u) for u in urls))
    elapsed = time.perf_counter() - start
    await service.aclose()
    await client.close()
    return elapsed, counters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--concurrency", type=int, default=settings(8).getint("NEWSBOT_LLM_CONCURRENCY"))
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="newsbot-bench-")
    uri = ensure_embedded_server(data_dir)
    sync = MongoClient(uri, tz_aware=True)
    try:
        with FakeOpenAI(latency=args.latency) as server:
            os.environ["OPENAI_API_KEY"] = "sk-bench-not-a-secret"
            os.environ["OPENAI_BASE_URL"] = server.base_url
            results = {}
            for label, concurrency in (("sequential", 1), ("concurrent", args.concurrency)):
                dbname = f"bench_{label}"
                sync.drop_database(dbname)
                sync[dbname].articles.insert_many(make_articles(args.articles))
                server.reset()
                elapsed, counters = asyncio.run(one_pass(uri, dbname, concurrency))
                results[label] = {
                    "concurrency": concurrency,
                    "wall_s": round(elapsed, 2),
                    "calls": int(counters.get(keys.LLM_CALLS)),
                    "max_in_flight": server.max_in_flight,
                    "fallbacks": int(counters.get(keys.LLM_FALLBACKS)),
                }
            server.reset()
            again_s, again = asyncio.run(one_pass(uri, "bench_concurrent", args.concurrency))
            speedup = results["sequential"]["wall_s"] / results["concurrent"]["wall_s"]
            report = {
                "articles": args.articles,
                "latency_s": args.latency,
                **results,
                "speedup": round(speedup, 2),
                "ideal_speedup": args.concurrency,
                "second_pass": {
                    "wall_s": round(again_s, 2),
                    "calls": int(again.get("llm/calls")),
                    "cache_hits": int(again.get("llm/cache_hits")),
                    "server_requests": server.requests,
                },
            }
    finally:
        sync.close()
        stop_embedded_server(data_dir)
    print(json.dumps(report, indent=2))
    ok = speedup >= 6 and report["second_pass"]["calls"] == 0 and report["second_pass"]["server_requests"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
