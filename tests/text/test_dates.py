"""The date prefix we write, and the one a model or a wire writes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from newsbot.text.dates import date_prefix, strip_date_prefix


@pytest.mark.parametrize(
    ("when", "prefix"),
    [
        (datetime(2026, 2, 3, 15, 59, tzinfo=UTC), "2月3日消息，"),  # 23:59 in Shanghai
        (datetime(2026, 2, 3, 16, 0, tzinfo=UTC), "2月4日消息，"),  # midnight in Shanghai: the next day
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), "1月1日消息，"),
        (datetime(2026, 2, 3, 16, 0), "2月4日消息，"),  # naive means UTC
    ],
)
def test_date_prefix_is_the_day_in_the_time_zone_given(when, prefix):
    assert date_prefix(when, ZoneInfo("Asia/Shanghai")) == prefix


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("2月5日消息，英伟达发布新芯片。", "英伟达发布新芯片。"),
        ("2026年2月5日，英伟达发布新芯片。", "英伟达发布新芯片。"),
        ("2月5日讯 英伟达发布新芯片。", "英伟达发布新芯片。"),
        (" 2月5日: Nvidia unveils a chip ", "Nvidia unveils a chip"),
        ("英伟达2月5日发布新芯片。", "英伟达2月5日发布新芯片。"),  # a date inside the sentence is content
        ("", ""),
        (None, ""),
    ],
)
def test_a_leading_date_is_removed_and_nothing_else(text, stripped):
    assert strip_date_prefix(text) == stripped


def test_the_prefix_we_write_is_the_prefix_we_strip():
    prefix = date_prefix(datetime(2026, 2, 4, 3, 0, tzinfo=UTC), ZoneInfo("UTC"))
    assert strip_date_prefix(prefix + "阿里巴巴开源新模型。") == "阿里巴巴开源新模型。"
