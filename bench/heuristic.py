"""Benchmark: the offline heuristic analyzer's CPU time per article, against another revision in the same run.

    python bench/heuristic.py [--baseline main] [--rounds 3] [--generated 600] [--no-day]

Article sets (day and golden in two: /en and /zh, whose tags also cost a jieba keyword extraction):
  day        the bundled day's stored articles (snapshots/2026-02-04 through the real `scrapy digest`,
             into an embedded database in a temporary folder; --no-day skips it)
  golden     the labelled set, tests/data/golden.jsonl (short)
  generated  English stories as bench/crawl.py writes them (its synthetic feeds' article text)

The baseline revision is exported with `git archive` into a temporary folder. Each side analyses
the same articles in its own process, each article once as a digest does (after the analyzer's
warm-up and one article that loads the sources registry), the sets one after the other; the
processes alternate, --rounds of each, and the best round counts (CPU time: the machine may be
shared). Prints ms/article per set for both, the speed-up, and whether both produced the same
analyses (a speed-up must not change any result). Exits 1 if they differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAY = "2026-02-04"
FIELDS = ("url", "title", "text", "lang", "source", "source_name", "published_at")


# --- the measuring side: runs with PYTHONPATH set to the revision under test ----------------------
def measure(articles_file: Path) -> dict:
    from newsbot.analysis.article import ArticleInput
    from newsbot.analysis.heuristic import HeuristicAnalyzer

    sets = json.loads(articles_file.read_text(encoding="utf-8"))
    analyzer = HeuristicAnalyzer()
    analyzer.warm_up()
    # The sources registry loads on first use: a run's start-up, not analysis.
    analyzer.analyze(ArticleInput("", "warm-up", "", "en", "", "", None))
    out = {}
    for name, rows in sets.items():
        arts = [
            ArticleInput(**{**row, "published_at": datetime.fromisoformat(row["published_at"])})
            if row["published_at"]
            else ArticleInput(**row)
            for row in rows
        ]
        # Once each, as a digest analyses them: a second pass would find every regex compiled and cached.
        started = time.process_time()
        results = [analyzer.analyze(a) for a in arts]
        elapsed = time.process_time() - started
        digest = hashlib.sha256("\n".join(repr(asdict(r)) for r in results).encode()).hexdigest()
        out[name] = {"articles": len(arts), "ms_per_article": 1000 * elapsed / max(1, len(arts)), "digest": digest}
    return out


# --- the article sets ------------------------------------------------------------------------------
def golden_articles() -> list[dict]:
    from newsbot.analysis.article import ArticleInput

    lines = (ROOT / "tests" / "data" / "golden.jsonl").read_text(encoding="utf-8").splitlines()
    return [_row(ArticleInput.from_row(json.loads(line))) for line in lines if line.strip()]


def generated_articles(n: int) -> list[dict]:
    sys.path.insert(0, str(ROOT / "bench"))
    from crawl import story

    from newsbot.text.html import html_to_text

    rng = random.Random(20260204)
    rows = []
    for k in range(n):
        i, j = divmod(k, 30)
        title, dek, body = story(rng, i, j)
        # As stored: the page's article (a third of the sources) or the feed's description, three paragraphs.
        text = html_to_text(body * 3) if i % 3 else f"{dek}\n{html_to_text(body * 4)}"
        source = f"bench-{i:03d}"
        rows.append({"url": f"https://news{i:03d}.bench.example/{j}", "title": title, "text": text, "lang": "en",
                     "source": source, "source_name": source, "published_at": f"{DAY}T06:00:00+00:00"})  # fmt: skip
    return rows


def day_articles() -> list[dict]:
    """The bundled day as `scrapy digest` stores it, read back from a throwaway embedded database."""
    from pymongo import MongoClient

    from newsbot.analysis.article import ArticleInput
    from newsbot.storage.embedded import ensure_embedded_server, stop_embedded_server
    from tests.conftest import BUNDLED_SOURCES

    data = Path(tempfile.mkdtemp(prefix="newsbot-bench-heuristic-"))
    uri = ensure_embedded_server(data / "db")
    try:
        cmd = [sys.executable, "-m", "scrapy", "digest", "--snapshot", str(ROOT / "snapshots" / DAY), "--date", DAY,
               "--output-dir", str(data / "reports"), "-s", f"NEWSBOT_SOURCES={','.join(BUNDLED_SOURCES)}",
               "-s", "NEWSBOT_ANALYZER=heuristic", "-s", "LOG_LEVEL=WARNING", "-s", "MONGO_DATABASE=benchday",
               "-s", "TELNETCONSOLE_ENABLED=False"]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SCRAPY_"))}
        env.update(MONGO_URI=uri, PYTHONPATH=str(ROOT))
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
        client = MongoClient(uri, tz_aware=True)
        docs = list(client.benchday.articles.find({}, {"_id": 0, "analysis": 0}).sort("url", 1))
        client.close()
    finally:
        stop_embedded_server(data / "db")
    return [_row(ArticleInput.from_doc(doc)) for doc in docs]


def _row(art) -> dict:
    row = {f: getattr(art, f) for f in FIELDS}
    row["published_at"] = art.published_at.isoformat() if art.published_at else None
    return row


# --- the comparing side ----------------------------------------------------------------------------
def export(rev: str, into: Path) -> None:
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    into.mkdir(parents=True)
    archive_file = into.with_suffix(".tar")
    archive_file.write_bytes(archive)
    with tarfile.open(archive_file) as tar:
        tar.extractall(into, filter="data")


def run_side(tree: Path, articles_file: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SCRAPY_"))}
    env["PYTHONPATH"] = str(tree)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", str(articles_file)]
    proc = subprocess.run(cmd, cwd=tree, env=env, check=True, capture_output=True, text=True)
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="main", help="git revision to compare with (default: main)")
    parser.add_argument("--rounds", type=int, default=3, help="processes per side, alternately; the best counts")
    parser.add_argument("--generated", type=int, default=600)
    parser.add_argument("--no-day", action="store_true", help="skip the bundled day (saves a digest run)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return

    sys.path.insert(0, str(ROOT))
    sets = {}
    for name, rows in ([] if args.no_day else [("day", day_articles())]) + [("golden", golden_articles())]:
        # Chinese articles also pay for jieba's keywords, English ones do not: apart, each figure means one thing.
        sets.update({f"{name}/{lang}": [r for r in rows if r["lang"] == lang] for lang in ("en", "zh")})
    sets["generated"] = generated_articles(args.generated)
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-heuristic-") as tmp:
        articles_file = Path(tmp) / "articles.json"
        articles_file.write_text(json.dumps(sets, ensure_ascii=False), encoding="utf-8")
        baseline = Path(tmp) / "baseline"
        export(args.baseline, baseline)
        sides: dict[str, list[dict]] = {"baseline": [], "checkout": []}
        for _ in range(args.rounds):
            sides["baseline"].append(run_side(baseline, articles_file))
            sides["checkout"].append(run_side(ROOT, articles_file))
    report, same = {"baseline": args.baseline}, True
    for name in sets:
        base = min(run[name]["ms_per_article"] for run in sides["baseline"])
        new = min(run[name]["ms_per_article"] for run in sides["checkout"])
        equal = sides["baseline"][0][name]["digest"] == sides["checkout"][0][name]["digest"]
        same = same and equal
        report[name] = {"articles": len(sets[name]), "baseline_ms": round(base, 3), "checkout_ms": round(new, 3),
                        "speedup": round(base / new, 2), "same_output": equal}  # fmt: skip
        print(f"{name:>10}: {len(sets[name]):4d} articles, {base:.3f} -> {new:.3f} ms/article "
              f"(x{base / new:.2f} faster), same output: {'yes' if equal else 'NO'}", flush=True)  # fmt: skip
    print(json.dumps(report))
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
