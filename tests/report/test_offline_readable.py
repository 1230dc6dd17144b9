"""A report a Chinese reader can read when the analysis is offline: the heuristic analyzer's own records
stored with the articles, then the real selection and overview. An event told in Chinese and in
English shows the Chinese report; an English-only entry carries a Chinese label; 今日总结 quotes no
English headline. With the LLM (every summary Chinese) the best-ranked report is shown as before."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.heuristic import HeuristicAnalyzer
from newsbot.report.daily import publish_report
from newsbot.text.dates import date_prefix
from newsbot.text.lang import CJK_RE
from newsbot.text.window import report_window
from tests.report.conftest import day_settings
from tests.report.factory import article

BBG = "https://www.bloomberg.com/news/articles/2026-02-03/"
KR = "https://36kr.com/p/"

MOONSHOT_EN = (
    "Moonshot AI's Kimi K3 Tops Global Usage Chart for AI Agents",
    "Moonshot AI's Kimi K3 model has become the most-used model on the OpenRouter agent platform, "
    "overtaking Gemini 3 Flash, according to OpenRouter data. The Beijing-based start-up released K3 last week.",
)
MOONSHOT_ZH = (
    "月之暗面Kimi K3登顶OpenRouter智能体模型调用量榜首",
    "OpenRouter数据显示，月之暗面Kimi K3大模型在智能体平台的模型调用量中登上榜首，超过Gemini 3 Flash。"
    "月之暗面上周发布了K3模型。",
)
NVIDIA_EN = (
    "Nvidia Nears Deal to Invest $20 Billion in OpenAI",
    "Nvidia Corp. is nearing a deal to invest $20 billion in OpenAI's latest funding round, according to people "
    "familiar with the matter. It would be the chipmaker's largest single investment in the ChatGPT maker.",
)
INTEL_EN = (
    "Intel CEO Lip-Bu Tan says the company will make GPUs for AI data centers",
    "Tan said Intel has hired a chief architect to lead the GPU effort. The chips are aimed at AI data centers.",
)


def offline_doc(url: str, source: str, title_text: tuple[str, str], region: str) -> dict:
    """A stored article with the analysis the offline analyzer writes for it."""
    title, text = title_text
    doc = article(url, title, source, None, body=text, region=region)
    result = HeuristicAnalyzer().analyze(ArticleInput.from_doc(doc))
    doc["analysis"] = {
        "ai_relevant": result.ai_relevant,
        "region": result.region,
        "category": result.category,
        "importance": result.importance,
        "score": result.score,
        "summary_zh": date_prefix(doc["published_at"], ZoneInfo("Asia/Shanghai")) + result.summary,
        "reason_zh": result.reason,
        "tags": result.tags,
        "entities": result.entities,
        "analyzer": "heuristic",
        "model": "heuristic",
        "prompt_version": HeuristicAnalyzer().version,
        "usage": {"prompt_tokens": 0, "completion_tokens": 0},
        "analyzed_at": doc["fetched_at"],
    }
    return doc


def report_of(db, tmp_path) -> dict:
    settings = day_settings()
    publish_report(settings, db, report_window(settings), tmp_path, runs={})
    return json.loads((tmp_path / "2026-02-04.json").read_text(encoding="utf-8"))


def offline_day() -> list[dict]:
    return [
        offline_doc(BBG + "moonshot-kimi-k3", "bloomberg", MOONSHOT_EN, "domestic"),
        offline_doc(KR + "kimi-k3?f=rss", "36kr", MOONSHOT_ZH, "domestic"),
        offline_doc(BBG + "nvidia-openai", "bloomberg", NVIDIA_EN, "international"),
        offline_doc("https://www.cnbc.com/2026/02/03/intel-gpu.html", "cnbc", INTEL_EN, "international"),
    ]


def test_offline_an_event_in_both_languages_shows_the_chinese_report(mongo_db, tmp_path):
    docs = offline_day()
    bloomberg, kr = docs[0]["analysis"], docs[1]["analysis"]
    assert bloomberg["score"] >= kr["score"]  # ranking alone would show Bloomberg's English lead
    mongo_db.articles.insert_many(docs)
    payload = report_of(mongo_db, tmp_path)
    (kimi,) = [e for e in payload["domestic"] if "K3" in e["title"]]
    assert kimi["source"] == "36kr" and kimi["summary"] == kr["summary_zh"]
    assert [o["url"] for o in kimi["also_reported_by"]] == [BBG + "moonshot-kimi-k3"]


def test_offline_english_only_entries_carry_a_chinese_label_and_name_their_subject(mongo_db, tmp_path):
    mongo_db.articles.insert_many(offline_day())
    payload = report_of(mongo_db, tmp_path)
    entries = {e["url"]: e for e in payload["international"]}
    nvidia = entries[BBG + "nvidia-openai"]["summary"]
    assert nvidia.startswith("2月4日消息，【融资｜英伟达、OpenAI】Nvidia Corp. is nearing a deal")
    intel = entries["https://www.cnbc.com/2026/02/03/intel-gpu.html"]["summary"]
    # "Tan said…" names no one the reader knows: the headline, which does, comes first.
    assert "】Intel CEO Lip-Bu Tan says the company will make GPUs for AI data centers: Tan said" in intel
    assert "英特尔" in intel.split("】")[0]


def test_offline_overview_is_chinese_and_quotes_no_english_headline(mongo_db, tmp_path):
    mongo_db.articles.insert_many(offline_day())
    payload = report_of(mongo_db, tmp_path)
    overview = payload["overview"]
    highlights = overview.split("重点关注：", 1)[1]
    english_titles = [t for t, _ in (MOONSHOT_EN, NVIDIA_EN, INTEL_EN)]
    assert not any(t in overview for t in english_titles)
    # Named in Chinese: the Chinese headline of the Kimi event and the entities of the English-only ones.
    assert MOONSHOT_ZH[0] in highlights and "英伟达与OpenAI的融资动态" in highlights
    latin_words = sum(len(w) for w in highlights.split() if w.isascii())
    assert len(CJK_RE.findall(highlights)) > latin_words


def test_with_the_llm_every_lead_is_chinese_and_the_best_ranked_report_is_shown(mongo_db, tmp_path):
    docs = offline_day()[:2]
    docs[0]["analysis"] |= {"analyzer": "llm", "score": 90, "summary_zh": "2月3日消息，月之暗面Kimi K3登顶调用量榜首。"}
    docs[1]["analysis"] |= {"analyzer": "llm", "score": 80}
    mongo_db.articles.insert_many(docs)
    payload = report_of(mongo_db, tmp_path)
    (kimi,) = payload["domestic"]
    assert kimi["source"] == "bloomberg" and [o["source"] for o in kimi["also_reported_by"]] == ["36kr"]
