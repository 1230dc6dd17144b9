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
