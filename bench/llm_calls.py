"""Benchmark: how many LLM calls a real day costs, against the articles a report can show.

Runs the realdays digest (../shared/realdays/README.md) of one day in LLM mode, against the tests'
fake OpenAI server (real ChatOpenAI over HTTP), on a fresh embedded database, and counts the
article-judgement requests the server received (the overview's are counted apart). The articles a
report can show are those published in the day's window or in the NEWSBOT_MEMORY_DAYS days before it;
the LLM must be asked no more times than there are of them.

With --baseline DIR (a tree of earlier code: `git archive COMMIT | tar -x -C DIR`), the same day is run
with that code too, and its calls are printed beside: the ratio it had and the ratio now.

    python bench/llm_calls.py [--day 2026-08-04] [--baseline DIR] [--batch 1]

Prints a JSON summary; exits 1 when an article outside the windows was asked about, or more articles
than the windows hold. The requests include re-asks (a reply that failed validation is asked again).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pymongo import MongoClient  # noqa: E402
from scrapy.settings import Settings  # noqa: E402

from newsbot.config import config_for  # noqa: E402
from newsbot.storage.embedded import ensure_embedded_server, stop_embedded_server  # noqa: E402
from newsbot.text.window import report_window  # noqa: E402
from tests.analysis.fake_openai import FakeOpenAI, _is_overview  # noqa: E402

REALDAYS = ROOT.parent / "shared" / "realdays"
NOT_SKIPPED = {"skip_reason": {"$in": ["", None]}}


def source_names(sources_file: Path) -> str:
    return ",".join(re.findall(r'^name\s*=\s*"([^"]+)"', sources_file.read_text(encoding="utf-8"), re.MULTILINE))


def run_digest(tree: Path, day: str, uri: str, dbname: str, out: Path, server: FakeOpenAI, batch: int) -> dict:
    """One digest of the day with the code in `tree`; the requests it made, by kind."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MONGO_URI", "SCRAPY_"))}
    env.update(
        PYTHONPATH=str(tree),
        MONGO_URI=uri,
        OPENAI_API_KEY="sk-bench-not-a-secret",
        OPENAI_BASE_URL=server.base_url,
    )
    settings = {
        "NEWSBOT_SOURCES_FILE": REALDAYS / "sources.toml",
        "NEWSBOT_SOURCES": source_names(REALDAYS / "sources.toml"),
        "MONGO_DATABASE": dbname,
        "NEWSBOT_ANALYZER": "llm",
        "NEWSBOT_LLM_BATCH": batch,
        "TELNETCONSOLE_ENABLED": "False",
        "LOG_LEVEL": "WARNING",
    }
    flags = [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
    args = ["digest", "--snapshot", str(REALDAYS / day), "--date", day, "--output-dir", str(out)]
    server.reset()
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", *args, *flags], cwd=tree, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.exit(f"the digest with {tree} failed:\n{proc.stderr[-3000:]}")
    overview = sum(_is_overview(body) for body in server.bodies)
    return {"judgement_requests": server.requests - overview, "overview_requests": overview}


def article_counts(db, day: str) -> dict:
    settings = Settings()
    settings.setmodule("newsbot.settings", priority="project")
    settings.set("NEWSBOT_DATE", day, priority="cmdline")
    window = report_window(settings)
    since = window.start - timedelta(days=config_for(settings).report.memory_days)

    def published(start, end) -> int:
        return db.articles.count_documents({"published_at": {"$gte": start, "$lt": end}, **NOT_SKIPPED})

    asked = {"analysis.analyzer": {"$in": ["llm", "heuristic-fallback"]}}
    return {
        "stored": db.articles.count_documents({}),
        "asked_articles": db.articles.count_documents(asked),
        "asked_outside_windows": db.articles.count_documents(
            {**asked, "$or": [{"published_at": {"$lt": since}}, {"published_at": {"$gte": window.cutoff}}]}
        ),
        "stored_not_skipped": db.articles.count_documents(NOT_SKIPPED),
        "in_window": published(window.start, window.cutoff),
        "in_window_and_memory": published(since, window.cutoff),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", default="2026-08-04")
    parser.add_argument("--baseline", metavar="DIR", help="a tree of earlier code to run the same day with")
    parser.add_argument("--batch", type=int, default=1, help="NEWSBOT_LLM_BATCH (1: one article per call)")
    args = parser.parse_args()
    if not (REALDAYS / args.day / "manifest.jsonl").is_file():
        sys.exit(f"{REALDAYS / args.day} is missing: the realdays captures live in ../shared next to the repository")

    work = Path(tempfile.mkdtemp(prefix="newsbot-llm-calls-"))
    uri = ensure_embedded_server(work / "data")
    client = MongoClient(uri, tz_aware=True)
    summary: dict = {"day": args.day, "batch": args.batch}
    try:
        with FakeOpenAI() as server:
            trees = {"now": ROOT, **({"baseline": Path(args.baseline).resolve()} if args.baseline else {})}
            for label, tree in trees.items():
                dbname = f"bench_llm_{label}"
                client.drop_database(dbname)
                calls = run_digest(tree, args.day, uri, dbname, work / label, server, args.batch)
                counts = article_counts(client[dbname], args.day)
                calls["calls_per_article_in_windows"] = round(
                    calls["judgement_requests"] / max(1, counts["in_window_and_memory"]), 3
                )
                summary[label] = {**counts, **calls}
                client.drop_database(dbname)
    finally:
        client.close()
        stop_embedded_server(work / "data")
    now = summary["now"]
    if "baseline" in summary:
        summary["calls_now_vs_baseline"] = round(
            now["judgement_requests"] / max(1, summary["baseline"]["judgement_requests"]), 3
        )
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    # Each article in the windows is asked at most once, however many sources list it: the judgement
    # requests may not outnumber those articles (a re-ask of an invalid reply would count as one more).
    ok = now["judgement_requests"] <= now["in_window_and_memory"] and not now["asked_outside_windows"]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
