"""Money and scaled amounts: one scale table for the analyzer's money and the report's amount keys."""

from __future__ import annotations

import pytest

from newsbot.text.amounts import EN_SCALE, ZH_SCALE, find_amounts, find_money, find_percents


def test_money_amounts_in_both_languages():
    amounts = {m.text: round(m.usd) for m in find_money("获8亿元人民币投资，2500万元A轮，估值1.25万亿美元")}
    assert amounts == {"8亿元人民币": 112_000_000, "2500万元": 3_500_000, "1.25万亿美元": 1_250_000_000_000}
    english = {
        m.text: round(m.usd) for m in find_money("invest $20 billion; raised US$100M and €5bn; 800 million yuan")
    }
    assert english["$20 billion"] == 20_000_000_000
    assert english["US$100M"] == 100_000_000
    assert english["€5bn"] == 5_400_000_000
    assert english["800 million yuan"] == 112_000_000
    assert find_money("销量增长超300%，5A认证") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("200亿美元", 2e10),
        ("$20 billion", 2e10),
        ("20 bn dollars", 2e10),
        ("USD 20bn", 2e10),
        ("RMB 8 billion", 8e9),
        ("15 mln euros", 1.5e7),
        ("10十亿", 1e10),
        ("30十万元", 3e6),
        ("$555,000", 555_000),
        ("HK$3.5k", 3500),
    ],
)
def test_every_spelling_of_an_amount_has_one_value(text, value):
    assert [a.value for a in find_amounts(text)][:1] == [pytest.approx(value)]


def test_a_scaled_count_is_an_amount_but_not_money():
    counts = find_amounts("用户超300万，300 million users")
    assert [(a.value, a.currency) for a in counts] == [(3e6, None), (3e8, None)]
    assert find_money("用户超300万，300 million users") == []


def test_bare_numbers_are_no_amounts():
    assert find_amounts("2月4日消息，Kimi K2.5在11个领域超过Gemini 3，2026年，5m run") == []


def test_currency_words_and_signs_convert_to_dollars():
    by_text = {m.text: m.usd for m in find_money("500 dollars, £2m, ¥100, 1000日元, 5000亿韩元")}
    assert by_text["500 dollars"] == 500
    assert by_text["£2m"] == pytest.approx(2.54e6)
    assert by_text["¥100"] == pytest.approx(14)
    assert by_text["1000日元"] == pytest.approx(6.7)
    assert by_text["5000亿韩元"] == pytest.approx(3.6e8)


def test_one_scale_table_agrees_across_languages():
    assert ZH_SCALE["亿"] * 10 == ZH_SCALE["十亿"] == EN_SCALE["billion"] == EN_SCALE["bn"]
    assert ZH_SCALE["百万"] == EN_SCALE["million"] == EN_SCALE["mln"] == EN_SCALE["m"]
    assert ZH_SCALE["万亿"] == EN_SCALE["trillion"]


def test_percentages():
    assert find_percents("增长超300%，毛利率45.5％，up 12 percent, 3 per cent") == [300, 45.5, 12, 3]
    assert find_percents("300人") == []
