"""A feed's declared language is a default: the headline and the start of the text decide (synthetic text)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsbot.items import NewsItem
from newsbot.pipelines.normalize import NormalizePipeline
from tests.sites.test_sites import spider_for


@pytest.fixture(scope="module")
def pipeline():
    return NormalizePipeline(spider_for("36kr").crawler)


def item(title, summary="", content="", lang="en"):
    return NewsItem(
        url="https://example.org/a",
        original_url="https://example.org/a",
        title=title,
        summary=summary,
        content=content,
        lang=lang,
        source="36kr",
        source_name="36氪",
        published_at=datetime(2026, 2, 4, 8, tzinfo=UTC),
        fetched_at=datetime(2026, 2, 4, 9, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("title", "summary", "content", "lang"),
    [
        # A feed declaring `en` over Chinese text, the text in the summary or only in the content.
        ("Qwen-Next：编程能力全面提升", "今天我们正式发布新一代模型，编程和办公能力全面提升。", "", "zh"),
        ("GLM-X", "", "今天我们正式开源新一代模型，支持更长的上下文和更多工具。", "zh"),
        ("Acme ships a new model for coders", "Acme said on Tuesday the model is available.", "", "en"),
    ],
)
def test_the_text_decides_the_language(pipeline, title, summary, content, lang):
    out = pipeline.process_item(item(title, summary, content, lang="en"))
    assert out.lang == lang


@pytest.mark.parametrize(
    ("declared", "title", "summary", "lang"),
    [
        # Another language keeps its source's code: no detector here tells German from English.
        (
            "de",
            "Aleph Alpha stellt neues KI-Modell vor",
            "Das Heidelberger Unternehmen stellte ein Sprachmodell vor.",
            "de",
        ),
        ("ja", "ソフトバンク、新しいAIモデルを発表", "ソフトバンクは火曜日、新しい大規模言語モデルを発表した。", "ja"),
        (
            "pt-BR",
            "Nubank lança assistente de IA",
            "O banco digital anunciou um assistente com inteligência artificial.",
            "pt",
        ),
        # ...unless the text is plainly Chinese (a mislabelled feed).
        ("de", "智谱发布新一代模型", "智谱今日宣布开源新一代大模型，支持更长的上下文。", "zh"),
        # zh-* and en-* are zh and en, decided by the text as ever.
        ("zh-Hant-TW", "台積電擴大人工智慧晶片產能", "台積電今日宣布擴大先進封裝產能，以滿足人工智慧需求。", "zh"),
        ("en-GB", "DeepMind opens a new lab", "DeepMind said on Monday it will open a lab in London.", "en"),
    ],
)
def test_a_declared_language_other_than_zh_and_en_is_kept(pipeline, declared, title, summary, lang):
    assert pipeline.process_item(item(title, summary, lang=declared)).lang == lang


def test_an_article_of_another_language_is_analysed_offline():
    from newsbot.analysis.article import ArticleInput
    from newsbot.analysis.heuristic import HeuristicAnalyzer

    art = ArticleInput(
        url="https://example.de/a",
        title="Nvidia investiert 2 Milliarden Dollar in deutsches KI-Startup",
        text="Nvidia investiert 2 Milliarden Dollar in das Heidelberger KI-Unternehmen Aleph Alpha. "
        "Das Geld soll in Rechenzentren fließen.",
        lang="de",
        source="example",
        source_name="Example DE",
        published_at=datetime(2026, 2, 4, 8, tzinfo=UTC),
    )
    result = HeuristicAnalyzer().analyze(art)
    # The article's own opening behind the Chinese label of its category and names.
    assert result.summary.startswith("【") and "英伟达" in result.summary.split("】")[0]
    assert "Nvidia investiert 2 Milliarden Dollar" in result.summary
    assert result.region == "international" and "英伟达" in result.tags
