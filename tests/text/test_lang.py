"""One measure of how Chinese a text is, for validation, language detection and the report's keys."""

from __future__ import annotations

import pytest

from newsbot.text.lang import cjk_ratio, detect_lang, is_chinese


def test_chinese_check_tolerates_names_but_not_english():
    assert is_chinese("月之暗面（Moonshot AI）旗下Kimi K2.5在OpenClaw调用量中登顶，超过Gemini 3 Flash等模型")
    assert not is_chinese("An English summary is not what the briefing needs.")
    assert not is_chinese("报道: OpenAI releases a new model for coding tasks today")


def test_a_few_characters_are_not_prose():
    assert not is_chinese("英伟达")
    assert is_chinese("英伟达", min_cjk=1)
    assert not is_chinese("") and not is_chinese(None)


def test_ratio_weighs_a_latin_word_like_two_characters():
    assert cjk_ratio("英伟达发布Blackwell") == pytest.approx(5 / 7)
    assert cjk_ratio("Nvidia") == 0.0
    assert cjk_ratio("2026 123") == 0.0


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("阿里巴巴开源Qwen3-Coder-Next智能体编程模型", "zh"),
        ("Nvidia nears deal to invest $20 billion in OpenAI", "en"),
        ("China's 月之暗面 tops the OpenRouter usage chart this week", "en"),
        ("英伟达发布新芯片", "zh"),
    ],
)
def test_detect_lang(text, lang):
    assert detect_lang(text, "en") == lang


def test_detect_lang_keeps_the_default_without_letters():
    assert detect_lang("2026 — 100%", "zh") == "zh"
    assert detect_lang("", "en") == "en"
