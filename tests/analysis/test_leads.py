"""A lead says each thing once: no second date after ours, no headline before a lead that repeats it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.heuristic import HeuristicAnalyzer
from newsbot.analysis.lexicon import lexicon
from newsbot.analysis.summary import opening_summary, repeats
from newsbot.text.dates import date_prefix, strip_date_prefix


@pytest.fixture(scope="module")
def analyzer():
    return HeuristicAnalyzer()


def article(title: str, text: str) -> ArticleInput:
    return ArticleInput(
        url="https://36kr.com/newsflashes/1",
        title=title,
        text=text,
        lang="zh",
        source="36kr",
        source_name="36氪",
        published_at=datetime(2026, 2, 3, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "text",
    [
        "36氪获悉，2月3日，智谱宣布开源文档识别模型GLM-OCR，参数量为0.9B，支持复杂版面识别，可在消费级显卡上部署。",
        "【2月3日】2月3日消息，智谱宣布开源文档识别模型GLM-OCR，参数量为0.9B，支持复杂版面识别，可在消费级显卡上部署。",
        "智东西2月3日消息，2月3日，智谱宣布开源文档识别模型GLM-OCR，参数量为0.9B，支持复杂版面识别，可在消费级显卡上部署。",
    ],
)
def test_stacked_heads_leave_no_second_date(analyzer, text):
    summary = analyzer.analyze(article("智谱发布GLM-OCR模型，参数量0.9B", text)).summary
    assert summary.startswith("智谱宣布开源"), summary
    dated = date_prefix(datetime(2026, 2, 3, 1, tzinfo=UTC), ZoneInfo("Asia/Shanghai")) + summary
    assert dated.count("2月3日") == 1


def test_a_repeated_date_prefix_is_one_prefix():
    assert strip_date_prefix("2月3日消息，2月3日，智谱宣布开源") == "智谱宣布开源"
    assert strip_date_prefix("2026年2月3日，2月3日讯 智谱") == "智谱"


def test_a_headline_is_not_put_before_a_lead_that_repeats_it(analyzer):
    summary = analyzer.analyze(article("智谱发布新一代旗舰模型GLM-5", "智谱今日发布新一代旗舰模型GLM-5。")).summary
    assert summary.count("GLM-5") == 1 and summary.count("智谱") == 1, summary
    # A dek that does not repeat its headline still gets it first: alone it says too little.
    dek = analyzer.analyze(
        article("存算一体芯片公司矩芯微完成数亿元B轮融资", "首款芯片已获多家手机和PC厂商定点。")
    ).summary
    assert dek.startswith("存算一体芯片公司矩芯微完成数亿元B轮融资，首款芯片")


def test_a_next_sentence_that_repeats_the_first_is_left_out():
    lead = opening_summary(["智谱今日发布GLM-5大模型。", "智谱发布GLM-5大模型，开放API。"], "GLM-5", "zh", lexicon())
    assert lead.count("GLM-5") == 1, lead
    assert repeats("智谱发布GLM-5", "智谱今日发布新一代旗舰模型GLM-5，开放API")
    assert not repeats("英伟达发布新芯片", "智谱今日发布新一代旗舰模型GLM-5")
