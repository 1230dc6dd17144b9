"""Feed items that are not stories: roundups, run logs, adverts and navigation links (synthetic text)."""

from __future__ import annotations

import pytest

from newsbot.text.kinds import entry_kind, is_entry


@pytest.mark.parametrize(
    ("title", "text", "kind"),
    [
        ("Tech Daily 2031-02-03 — 14 new", "Today: Acme ships a model; Foo raises money.", "roundup"),
        ("AI早报 | 3月2日", "1. 某公司发布新模型 2. 某公司融资", "roundup"),
        ("本周AI要闻汇总：共12条", "", "roundup"),
        ("Crawl Report 2031-02-03 — 2 new", "Run 01:00 UTC · duration 1m 12s · 9/9 sources OK", "log"),
        ("Nightly", "duration 3m 4s · 12/12 feeds ok. Found New OK Failed", "log"),
        ("大模型实战训练营第3期报名开启", "扫码报名，原价1999元，名额有限", "advert"),
        ("Prompt engineering bootcamp: enroll now", "Tuition is $99 with discount code AI", "advert"),
        ("热点精选某地发布暴雨预警某某网-3小时前", "", "navigation"),
        ("Storm warning issued - Example News - 2 hours ago", "", "navigation"),
        ("张三的个人主页", "", "navigation"),
    ],
)
def test_non_stories(title, text, kind):
    assert entry_kind(title, text) == kind
    assert not is_entry(title, text)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Acme releases Model 5 with a longer context", "Acme said on Tuesday that Model 5 is available."),
        ("某公司完成5亿元B轮融资，加码大模型训练", "某公司今日宣布完成5亿元B轮融资。"),
        ("Daily active users of the assistant doubled", "The company said daily users doubled in March."),
        ("某大学开设人工智能课程，面向全体本科生", "该校今日宣布开设人工智能通识课程。"),
        ("Weekly jobless claims fall as hiring holds up", "Claims fell by 12,000 to 210,000."),
    ],
)
def test_stories(title, text):
    assert is_entry(title, text)
