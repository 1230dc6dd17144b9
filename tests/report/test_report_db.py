"""Selection and rendering against a real database: window, eligibility, one entry per event,
memory across days, caps, stats, links, and files written whole or not at all."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from newsbot.report import daily as daily_mod
from newsbot.report.daily import publish_report
from newsbot.runs.stat_keys import RunSummary
from newsbot.text.window import report_window
from tests.report.conftest import day_settings
from tests.report.factory import CUTOFF, NEVER_REPORTED, P, article, run_doc, seed_like_day

NOW = datetime(2026, 2, 4, 0, 52, 17, tzinfo=UTC)
ENTRY_KEYS = [
    "rank", "title", "summary", "url", "source", "source_name", "region", "importance", "score",
    "category", "reason", "tags", "published_at", "also_reported_by", "previously",
]  # fmt: skip


def render(db, out, runs=None, **overrides):
    settings = day_settings(**overrides)
    return publish_report(settings, db, report_window(settings), out, runs=runs, now=NOW)


@pytest.fixture
def day_db(mongo_db):
    mongo_db.articles.insert_many(seed_like_day())
    mongo_db.runs.insert_many(
        [run_doc(s) for s in ("36kr", "qbitai", "leiphone", "ft", "cnbc", "theverge", "nvidia")]
        + [run_doc("bloomberg", "blocked", blocked=1, items_seen=0, stored=0)]
    )
    return mongo_db


@pytest.fixture
def rendered(day_db, tmp_path):
    result = render(day_db, tmp_path)
    payload = json.loads((tmp_path / "2026-02-04.json").read_text(encoding="utf-8"))
    return day_db, tmp_path, result, payload


def test_counts_window_and_eligibility(rendered):
    _, _, _, payload = rendered
    # 14 stored, minus one published before the start and one at the (exclusive) cutoff.
    assert payload["raw_count"] == 12
    urls = {e["url"] for e in payload["domestic"] + payload["international"]}
    also = {o["url"] for e in payload["domestic"] + payload["international"] for o in e["also_reported_by"]}
    assert not (urls | also) & NEVER_REPORTED
    assert "https://blogs.nvidia.com/blog/huang-3dexperience-2026/" in urls  # published exactly at the start
    assert payload["stats"]["eligible"] == 10
    assert payload["stats"]["duplicates_merged"] == 2


def test_one_entry_per_event_and_separate_events_stay_separate(rendered):
    _, _, _, payload = rendered
    dom, intl = payload["domestic"], payload["international"]
    assert [e["title"][:5] for e in dom] == ["广东：支持", "广东：拓展", "最前线｜「"]
    tiandun = dom[2]
    assert tiandun["source"] == "36kr"  # the better-ranked report leads
    assert tiandun["also_reported_by"] == [
        {"source": "qbitai", "source_name": "量子位", "url": "https://www.qbitai.com/2026/02/1.html"}
    ]
    # Offline, Bloomberg's lead is English: the entry shows 36氪's Chinese report of the same event.
    (nvidia,) = [e for e in intl if "OpenAI" in e["title"]]
    assert nvidia["source"] == "36kr" and nvidia["score"] == 80
    assert [o["url"] for o in nvidia["also_reported_by"]] == [
        "https://www.bloomberg.com/news/articles/2026-02-03/nvidia-openai"
    ]
    titles = [e["title"] for e in intl]
    assert any("Tender Offer" in t for t in titles) and any("Selloff" in t for t in titles)
    assert [e["rank"] for e in intl] == list(range(1, len(intl) + 1))
    assert [e["score"] for e in intl] == sorted((e["score"] for e in intl), reverse=True)


def test_every_entry_is_one_stored_article(rendered):
    db, _, _, payload = rendered
    for entry in payload["domestic"] + payload["international"]:
        assert list(entry) == ENTRY_KEYS
        doc = db.articles.find_one({"url": entry["url"]})
        assert doc["title"] == entry["title"] and doc["source"] == entry["source"]
        assert doc["source_name"] == entry["source_name"]
        assert doc["analysis"]["summary_zh"] == entry["summary"]
        assert doc["analysis"]["reason_zh"] == entry["reason"]
        for other in entry["also_reported_by"]:
            assert db.articles.find_one({"url": other["url"]})["source"] == other["source"]


def test_json_shape_and_stats(rendered):
    _, _, _, payload = rendered
    assert list(payload) == ["date", "generated_at", "raw_count", "domestic", "international", "overview", "stats"]
    assert payload["date"] == "2026-02-04"
    assert payload["generated_at"] == "2026-02-04T08:52:17+08:00"
    stats = payload["stats"]
    assert stats["sources"]["bloomberg"] | {"finished_at": None} == {
        "source_name": "Bloomberg Technology",
        "status": "blocked",
        "fetched": 0,
        "stored": 0,
        "failed_pages": 0,
        "errors": 0,
        "blocked": 1,
        "in_window": 4,
        "finished_at": None,
    }
    assert [m["source"] for m in stats["missing_sources"]] == ["bloomberg", "arxiv"]  # blocked; never ran
    assert stats["llm"]["by_analyzer"] == {"heuristic": 12 - 1}  # every analysed article in the window
    assert stats["fallbacks"] == 0


def test_missing_sources_are_named_in_every_format(rendered):
    _, out, _, _ = rendered
    line = "⚠️ 本期缺失来源: Bloomberg Technology（被拦截）、arXiv AI（未抓取）"
    txt = (out / "2026-02-04.txt").read_text(encoding="utf-8").splitlines()
    assert txt[-3].startswith("📊 今日总结: ") and txt[-2] == line and txt[-1] == "=" * 70
    assert line in (out / "2026-02-04.html").read_text(encoding="utf-8")
    assert "本期缺失来源" in (out / "2026-02-04.md").read_text(encoding="utf-8")


def test_overview_is_composed_from_counts_and_top_titles(rendered):
    _, _, _, payload = rendered
    assert payload["overview"] == (
        "今日从12条原始信息中精选出3条国内动态和5条国际动态，其中7条为高重要性。 重点关注："
        "广东：支持培育垂直领域“人工智能+工业软件”与智能机器人服务商；"
        "广东：拓展无人驾驶公共交通运营区域；"
        "最前线｜「天顿数据」获福田资本8亿元战略投资。"
    )


def test_caps_and_short_version(day_db, tmp_path):
    render(day_db, tmp_path, NEWSBOT_MAX_DOMESTIC=2, NEWSBOT_MAX_INTERNATIONAL=3, NEWSBOT_SHORT_TOP=1)
    payload = json.loads((tmp_path / "2026-02-04.json").read_text(encoding="utf-8"))
    assert (len(payload["domestic"]), len(payload["international"])) == (2, 3)
    txt = (tmp_path / "2026-02-04.txt").read_text(encoding="utf-8")
    short = txt.split("国内动态：\n", 1)[1].split("\n\n\n", 1)[0]
    assert [line[:2] for line in short.splitlines() if line and line[0].isdigit()] == ["1、", "1、"]


def test_runs_given_by_the_caller_win_and_are_remembered(day_db, tmp_path):
    ok = RunSummary(**run_doc("bloomberg") | {"finished_at": datetime.now(UTC)})
    render(day_db, tmp_path, runs={"bloomberg": ok})
    stored = day_db.reports.find_one({"date": "2026-02-04"})
    assert stored["sources"]["bloomberg"]["status"] == "ok"
    # A later re-render (no runs given) of the same day finds them again.
    day_db.runs.delete_many({})
    render(day_db, tmp_path)
    payload = json.loads((tmp_path / "2026-02-04.json").read_text(encoding="utf-8"))
    assert payload["stats"]["sources"]["bloomberg"]["status"] == "ok"
    assert payload["stats"]["sources"]["36kr"]["status"] == "ok"


def test_an_event_reported_yesterday_is_not_repeated_without_new_facts(mongo_db, tmp_path):
    yesterday = CUTOFF - timedelta(days=1)
    tender = P + "Anthropic plans an employee tender offer at a valuation of at least $350 billion."
    mongo_db.articles.insert_one(
        article("https://b/1", "Anthropic Plans Tender at $350 Billion Valuation", "bloomberg", tender,
                published_at=yesterday - timedelta(hours=3), score=90, entities=["Anthropic"])
    )  # fmt: skip
    render(mongo_db, tmp_path, NEWSBOT_DATE="2026-02-03")
    # Same facts, told again in Chinese: a repeat, left out.
    mongo_db.articles.insert_one(
        article("https://36kr.com/p/9", "Anthropic拟以3500亿美元估值进行员工股权出售", "36kr",
                P + "Anthropic正筹划员工股权出售，估值至少3500亿美元。", score=85, entities=["Anthropic"])
    )  # fmt: skip
    render(mongo_db, tmp_path)
    payload = json.loads((tmp_path / "2026-02-04.json").read_text(encoding="utf-8"))
    assert payload["international"] == [] and payload["stats"]["repeats_skipped"] == 1
    # The same story with a new figure: told again, led by the report that carries the new fact.
    mongo_db.articles.insert_one(
        article("https://b/2", "Anthropic Tender at $350 Billion; Round May Top $20 Billion", "bloomberg",
                tender + " It is also raising more than $20 billion.", score=80, entities=["Anthropic"])
    )  # fmt: skip
    render(mongo_db, tmp_path)
    payload = json.loads((tmp_path / "2026-02-04.json").read_text(encoding="utf-8"))
    [entry] = payload["international"]
    assert entry["url"] == "https://b/2"
    assert [o["url"] for o in entry["also_reported_by"]] == ["https://36kr.com/p/9"]
    assert payload["stats"]["repeats_skipped"] == 0
    # Re-rendering yesterday is stable: it never looks at its own or later days.
    render(mongo_db, tmp_path, NEWSBOT_DATE="2026-02-03")
    again = json.loads((tmp_path / "2026-02-03.json").read_text(encoding="utf-8"))
    assert [e["url"] for e in again["international"]] == ["https://b/1"]


def test_a_failed_render_writes_nothing(day_db, tmp_path):
    (tmp_path / "2026-02-04.txt").write_text("yesterday's good report", encoding="utf-8")
    with pytest.raises(ValueError, match="NEWSBOT_REPORT_FORMATS=.* is not valid"):
        render(day_db, tmp_path, NEWSBOT_REPORT_FORMATS=["txt", "pdf"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-02-04.txt"]
    assert (tmp_path / "2026-02-04.txt").read_text(encoding="utf-8") == "yesterday's good report"
    assert day_db.reports.count_documents({}) == 0  # not remembered as reported either


def test_a_failed_write_leaves_no_partial_file(day_db, tmp_path, monkeypatch):
    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(daily_mod.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        render(day_db, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_llm_overview_is_checked_and_cached(day_db, tmp_path, monkeypatch):
    from tests.analysis.fake_openai import FakeOpenAI

    def rendered_payload():
        render(day_db, tmp_path, NEWSBOT_ANALYZER="llm", NEWSBOT_LLM_RETRIES=0)
        return json.loads((tmp_path / "2026-02-04.json").read_text(encoding="utf-8"))

    with FakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        first = rendered_payload()
        assert (first["stats"]["llm"]["overview"], fake.requests) == ("llm", 1)
        assert first["overview"].startswith("今日从12条原始信息中精选出3条国内动态和5条国际动态")
        assert "重点关注：广东：支持培育垂直领域" in first["overview"]
        assert first["stats"]["llm"]["prompt_tokens"] > 0 and first["stats"]["llm"]["cost_usd"] > 0

        # Re-rendering the same entries costs nothing: the checked overview comes from the cache.
        again = rendered_payload()
        assert fake.requests == 1 and again["overview"] == first["overview"]
        assert again["stats"]["llm"]["overview_cached"] is True and again["stats"]["llm"]["prompt_tokens"] == 0

        # A model naming a company and a figure absent from the entries is not believed.
        fake.mode = "hallucinate"
        day_db.articles.insert_one(
            article("https://36kr.com/p/new", "智谱发布GLM-5", "36kr", P + "智谱发布新一代大模型GLM-5。",
                    region="domestic", score=70, entities=["智谱"])
        )  # fmt: skip
        rejected = rendered_payload()
        assert rejected["stats"]["llm"]["overview"] == "heuristic-fallback"
        assert "谷歌" not in rejected["overview"] and "999" not in rejected["overview"]
        assert rejected["overview"].startswith("今日从13条原始信息中精选出4条国内动态")


def test_each_source_shows_its_latest_run_for_the_day(mongo_db, tmp_path):
    """All sources' runs come from one query: each source still gets its own latest run made for the
    day (whenever it finished), or, for a run recorded before runs knew their day, its latest inside
    the window; another day's runs and runs outside the window never count."""
    late = CUTOFF + timedelta(hours=5)
    mongo_db.runs.insert_many(
        [
            # 36kr: the day's later run wins, though it finished after the cutoff.
            run_doc("36kr", "error", report_day="2026-02-04", errors=3),
            run_doc("36kr", report_day="2026-02-04", finished_at=late, stored=7),
            run_doc("36kr", report_day="2026-02-05", finished_at=late + timedelta(hours=1), stored=99),
            # qbitai: runs without a day; the one after the cutoff does not count.
            run_doc("qbitai", "degraded", finished_at=CUTOFF - timedelta(hours=2), stored=4),
            run_doc("qbitai", finished_at=CUTOFF + timedelta(minutes=1), stored=98),
            # ft: only another day's run.
            run_doc("ft", report_day="2026-02-03", stored=97),
            # A source that is not configured.
            run_doc("not-a-source", report_day="2026-02-04", stored=96),
        ]
    )
    render(mongo_db, tmp_path)
    sources = json.loads((tmp_path / "2026-02-04.json").read_text(encoding="utf-8"))["stats"]["sources"]
    assert (sources["36kr"]["status"], sources["36kr"]["stored"]) == ("ok", 7)
    assert (sources["qbitai"]["status"], sources["qbitai"]["stored"]) == ("degraded", 4)
    assert sources["ft"]["status"] == "missing" and "not-a-source" not in sources
