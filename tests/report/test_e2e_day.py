"""The bundled day end to end: snapshot -> `scrapy digest` (offline analyzer) -> the four files, then
`scrapy report` re-rendering it and `scrapy crawl` rendering on close. The digest runs once per module."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from pymongo import MongoClient

from newsbot.text.urls import canonical_url
from newsbot.text.window import report_window
from tests.conftest import BUNDLED_SOURCES, SNAPSHOT_DAY, run_scrapy, scrapy_env
from tests.report.conftest import day_settings
from tests.report.seedparse import read_seed
from tests.report.test_html_browser import ARTIFACTS, CHROMIUM, check_in_browser

# The bundled day through real `scrapy digest` / `report` / `crawl` processes.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SNAPSHOT_DAY / "manifest.jsonl").exists(), reason="bundled day missing"),
]

DAY = "2026-02-04"
ENTRY_KEYS = [
    "rank", "title", "summary", "url", "source", "source_name", "region", "importance", "score",
    "category", "reason", "tags", "published_at", "also_reported_by", "previously",
]  # fmt: skip


@dataclass
class Digest:
    proc: object
    out: Path
    db: object
    db_name: str
    mongo_uri: str

    @property
    def payload(self) -> dict:
        return json.loads((self.out / f"{DAY}.json").read_text(encoding="utf-8"))

    def entries(self) -> list[dict]:
        return self.payload["domestic"] + self.payload["international"]


def scrapy_in(db_name: str, mongo_uri: str, *args: str, **settings) -> object:
    flags = [x for k, v in {"MONGO_DATABASE": db_name, "TELNETCONSOLE_ENABLED": "False", **settings}.items()
             for x in ("-s", f"{k}={v}")]  # fmt: skip
    return run_scrapy(*args, *flags, env=scrapy_env(MONGO_URI=mongo_uri))


@pytest.fixture(scope="module")
def digest(mongo_uri, tmp_path_factory):
    db_name = f"t_{uuid.uuid4().hex[:12]}"
    out = tmp_path_factory.mktemp("day") / "reports"
    proc = scrapy_in(
        db_name, mongo_uri, "digest", "--snapshot", str(SNAPSHOT_DAY), "--date", DAY, "--output-dir", str(out),
        NEWSBOT_ANALYZER="heuristic", NEWSBOT_WORKER_PROCESSES="1",
    )  # fmt: skip
    client = MongoClient(mongo_uri, tz_aware=True)
    yield Digest(proc, out, client[db_name], db_name, mongo_uri)
    client.drop_database(db_name)
    client.close()


@pytest.fixture(scope="module")
def expected():
    return json.loads((SNAPSHOT_DAY / "expected.json").read_text(encoding="utf-8"))


def test_digest_renders_the_day_and_prints_the_paths(digest):
    assert digest.proc.returncode == 0, digest.proc.stderr[-3000:]
    printed = [line for line in digest.proc.stdout.splitlines() if line.startswith(str(digest.out))]
    assert printed == [str(digest.out / f"{DAY}.{ext}") for ext in ("txt", "md", "html", "json")]
    assert sorted(p.name for p in digest.out.iterdir()) == [f"{DAY}.{ext}" for ext in ("html", "json", "md", "txt")]


def test_a_digest_without_an_operator_contact_warns_once(digest):
    """Its User-Agent names no one to contact; one warning per run, not one per source."""
    assert digest.proc.stderr.count("NEWSBOT_CONTACT is not set") == 1


def test_counts(digest, expected):
    payload = digest.payload
    window = report_window(day_settings())
    stored = digest.db.articles.count_documents({"published_at": {"$gte": window.start, "$lt": window.cutoff}})
    # Every recorded item in the window, arXiv replacements included: they are stored, flagged, never selected.
    assert payload["raw_count"] == stored == expected["in_window"]
    skipped = digest.db.articles.count_documents({"skip_reason": "arxiv_replacement"})
    assert skipped == len(expected["arxiv_replacements"])
    assert (len(payload["domestic"]), len(payload["international"])) == (15, 13)
    assert payload["stats"]["missing_sources"] == []
    assert all(s["status"] == "ok" for s in payload["stats"]["sources"].values())
    assert payload["stats"]["sources"]["36kr"]["fetched"] == 60
    assert payload["stats"]["duplicates_merged"] >= 10
    assert payload["overview"].startswith(f"今日从{stored}条原始信息中精选出15条国内动态和13条国际动态")


def test_text_report_counts_raw_items_as_the_seed_does(digest, expected):
    """数据来源 counts every feed item published in the window, skipped ones included, as the seed does."""
    seed_line = next(line for line in read_seed().splitlines() if line.startswith("数据来源"))
    text = (digest.out / f"{DAY}.txt").read_text(encoding="utf-8")
    assert f"数据来源: 从 {expected['in_window']} 条原始信息中精选" in text.splitlines()
    assert seed_line in text.splitlines()


def test_no_event_is_reported_twice(digest, expected):
    entries = digest.entries()
    urls = [e["url"] for e in entries] + [o["url"] for e in entries for o in e["also_reported_by"]]
    assert len(urls) == len(set(urls))
    entry_of = {u: i for i, e in enumerate(entries) for u in [e["url"], *(o["url"] for o in e["also_reported_by"])]}
    for name, group in zip(expected["multi_source_event_names"], expected["multi_source_events"], strict=True):
        shown = {entry_of[canonical_url(u)] for u in group if canonical_url(u) in entry_of}
        assert len(shown) <= 1, f"{name} appears as {len(shown)} entries"


def _shown(digest) -> set[str]:
    entries = digest.entries()
    return {e["url"] for e in entries} | {o["url"] for e in entries for o in e["also_reported_by"]}


def test_stale_and_unjudged_articles_are_absent(digest, expected):
    shown = _shown(digest)
    assert not shown & {canonical_url(u) for u in expected["stale_urls"] + expected["arxiv_replacements"]}
    # Only what the analyzer judged AI-relevant is ever shown.
    for url in shown:
        assert digest.db.articles.find_one({"url": url})["analysis"]["ai_relevant"] is True


def test_non_ai_articles_are_absent(digest, expected):
    leaked = _shown(digest) & {canonical_url(u) for u in expected["non_ai_urls"]}
    titles = [digest.db.articles.find_one({"url": u})["title"] for u in sorted(leaked)]
    assert not leaked, f"judged AI-relevant by the analyzer: {titles}"


def _bigrams(text: str) -> set[str]:
    chars = re.sub(r"\W", "", text.lower())
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def test_every_link_title_and_summary_belong_to_one_article(digest):
    for entry in digest.entries():
        assert list(entry) == ENTRY_KEYS
        doc = digest.db.articles.find_one({"url": entry["url"]})
        assert doc is not None, entry["url"]
        assert (doc["title"], doc["source"], doc["source_name"]) == (
            entry["title"],
            entry["source"],
            entry["source_name"],
        )
        assert doc["analysis"]["summary_zh"] == entry["summary"]
        # The summary is about this article: most of its wording is found in the article itself.
        summary = re.sub(r"^\d{1,2}月\d{1,2}日消息，", "", entry["summary"])
        article = f"{doc['title']} {doc.get('summary', '')} {doc.get('content', '')}"
        shared = _bigrams(summary) & _bigrams(article)
        assert len(shared) >= 0.5 * len(_bigrams(summary)), (entry["url"], entry["summary"])
        for other in entry["also_reported_by"]:
            assert digest.db.articles.find_one({"url": other["url"]})["source"] == other["source"]


def _shape(line: str) -> str:
    """A line's role in the layout, so two reports with different stories can be compared."""
    for prefix, role in (
        ("   📋 入选理由: ", "reason"),
        ("   📰 来源: ", "source"),
        ("   🏷️ 标签: ", "tags"),
        ("📊 今日总结: ", "overview"),
        ("AI每日动态 - ", "title"),
        ("生成时间: ", "generated"),
        ("数据来源: 从 ", "raw"),
    ):
        if line.startswith(prefix):
            return role
    if re.match(r"^\d+、(🔥|📌|📄) ", line):
        return "full-entry"
    if re.match(r"^\d+、", line):
        return "short-entry"
    return line  # rules, boxes, headings and blank lines must match exactly


def test_text_layout_matches_the_seed_line_for_line(digest):
    text = (digest.out / f"{DAY}.txt").read_text(encoding="utf-8")
    seed = read_seed()
    # The seed has no line for an entry's other reports; ours is the one line it adds (issue 20).
    ours = [x for x in text.rstrip("\n").split("\n") if not x.startswith("   🔁 同时报道: ")]
    assert [_shape(x) for x in ours] == [_shape(x) for x in seed.split("\n")]
    assert re.search(r"^数据来源: 从 \d+ 条原始信息中精选$", text, re.M)
    for entry in digest.entries():
        assert f"   📰 来源: {entry['source_name']} | 🔗 {entry['url']}\n" in text
        if entry["also_reported_by"]:
            also = "；".join(f"{o['source_name']} {o['url']}" for o in entry["also_reported_by"])
            assert f"   🔁 同时报道: {also}\n" in text


def test_json_shape(digest, expected):
    payload = digest.payload
    assert list(payload) == ["date", "generated_at", "raw_count", "domestic", "international", "overview", "stats"]
    assert payload["date"] == DAY and datetime.fromisoformat(payload["generated_at"]).tzinfo is not None
    for region in ("domestic", "international"):
        for rank, entry in enumerate(payload[region], 1):
            assert entry["rank"] == rank and entry["region"] == region
            assert entry["importance"] in ("high", "medium", "low") and isinstance(entry["score"], int)
            assert isinstance(entry["tags"], list) and entry["tags"]
            assert all(list(o) == ["source", "source_name", "url"] for o in entry["also_reported_by"])
    stats = payload["stats"]
    for key in ("sources", "missing_sources", "llm", "fallbacks", "duplicates_merged"):
        assert key in stats
    assert set(stats["sources"]["bloomberg"]) >= {"fetched", "stored", "failed_pages", "errors", "blocked"}
    # Every article is judged except the arXiv replacements, stored for the raw count only.
    judged = payload["raw_count"] - len(expected["arxiv_replacements"])
    assert stats["llm"]["cost_usd"] == 0 and stats["llm"]["by_analyzer"] == {"heuristic": judged}


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_html_in_chromium(digest):
    seen = check_in_browser(digest.out / f"{DAY}.html", ARTIFACTS / "report-2026-02-04.png")
    assert len(seen["all"]) == 28
    assert seen["domestic"] == [f"domestic:{e['importance']}" for e in digest.payload["domestic"]]
    assert len(seen["also"]) == sum(len(e["also_reported_by"]) for e in digest.entries())


def test_report_command_rerenders_the_stored_day(digest, tmp_path):
    proc = scrapy_in(digest.db_name, digest.mongo_uri, "report", "--date", DAY, "--output-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert str(tmp_path / f"{DAY}.txt") in proc.stdout
    again = json.loads((tmp_path / f"{DAY}.json").read_text(encoding="utf-8"))
    first = digest.payload
    for key in ("raw_count", "domestic", "international", "overview"):
        assert again[key] == first[key], key
    # The day's source runs were recorded with the report: a re-render still knows them.
    assert again["stats"]["sources"] == first["stats"]["sources"]


def test_report_command_fails_cleanly(digest, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    proc = scrapy_in(digest.db_name, digest.mongo_uri, "report", "--date", DAY, "--output-dir", str(blocker))
    assert proc.returncode == 1
    assert "report not rendered" in proc.stderr
    assert blocker.read_text() == "a file where the output folder should be"
    assert scrapy_in(digest.db_name, digest.mongo_uri, "report", "--date", "04/02/2026").returncode == 2


def test_a_crawl_renders_on_close_unless_told_not_to(mongo_uri, tmp_path):
    db_name = f"t_{uuid.uuid4().hex[:12]}"
    common = {"NEWSBOT_SNAPSHOT": str(SNAPSHOT_DAY), "NEWSBOT_DATE": DAY, "NEWSBOT_ANALYZER": "heuristic"}
    try:
        quiet = scrapy_in(db_name, mongo_uri, "crawl", "leiphone", NEWSBOT_OUTPUT_DIR=str(tmp_path / "off"),
                          NEWSBOT_REPORT_ON_CLOSE="False", **common)  # fmt: skip
        assert quiet.returncode == 0 and not (tmp_path / "off").exists()
        proc = scrapy_in(db_name, mongo_uri, "crawl", "leiphone", NEWSBOT_OUTPUT_DIR=str(tmp_path / "on"), **common)
        assert proc.returncode == 0, proc.stderr[-3000:]
        payload = json.loads((tmp_path / "on" / f"{DAY}.json").read_text(encoding="utf-8"))
        entries = payload["domestic"] + payload["international"]
        assert entries and {e["source"] for e in entries} == {"leiphone"}
        assert payload["stats"]["sources"]["leiphone"]["status"] == "ok"
        # Only leiphone has run: every other source is named as missing, in the text too.
        assert len(payload["stats"]["missing_sources"]) == len(BUNDLED_SOURCES) - 1
        assert "⚠️ 本期缺失来源: 36氪（未抓取）" in (tmp_path / "on" / f"{DAY}.txt").read_text(encoding="utf-8")
    finally:
        client = MongoClient(mongo_uri)
        client.drop_database(db_name)
        client.close()


EXPECTED_REPORT = Path(__file__).parent / "fixtures" / f"expected_{DAY}.json"


def comparable(payload: dict) -> dict:
    """The JSON report without what changes from run to run: when it was generated, when each crawl ended."""
    out = json.loads(json.dumps(payload))
    out.pop("generated_at", None)
    for source in out["stats"]["sources"].values():
        source.pop("finished_at", None)
    return out


def test_json_report_is_unchanged(digest):
    """Guards behaviour across refactors. A commit that changes the report on purpose regenerates the
    fixture (python -m tests.report.regen_expected) and says why in its message."""
    expected = json.loads(EXPECTED_REPORT.read_text(encoding="utf-8"))
    assert comparable(digest.payload) == expected


def test_the_report_is_the_same_without_worker_processes(digest, mongo_uri, tmp_path):
    """The digest above parses, extracts and analyses in a worker process; this one does it all on the
    reactor's thread (NEWSBOT_WORKER_PROCESSES=0). Same report, same stored articles and analyses."""
    db_name = f"t_{uuid.uuid4().hex[:12]}"
    proc = scrapy_in(
        db_name, mongo_uri, "digest", "--snapshot", str(SNAPSHOT_DAY), "--date", DAY, "--output-dir", str(tmp_path),
        NEWSBOT_ANALYZER="heuristic", NEWSBOT_WORKER_PROCESSES="0",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    payload = json.loads((tmp_path / f"{DAY}.json").read_text(encoding="utf-8"))
    assert comparable(payload) == comparable(digest.payload)

    def stored(db) -> dict:
        timeless = {"_id": 0, "first_seen": 0, "last_seen": 0, "fetched_at": 0, "analysis.analyzed_at": 0}
        return {doc["url"]: doc for doc in db.articles.find({}, timeless)}

    client = MongoClient(mongo_uri, tz_aware=True)
    try:
        here = stored(client[db_name])
        assert here and here == stored(digest.db)
    finally:
        client.drop_database(db_name)
        client.close()
