"""Reprint notices, column introductions and sign-offs are boilerplate wherever they sit (synthetic text)."""

from __future__ import annotations

from newsbot.text.boilerplate import strip_boilerplate


def test_a_column_introduction_before_the_story_goes():
    text = "某某观察是某媒体旗下编译团队，关注科技、商业等领域，重点介绍国外的新观点。\n某公司今天发布了新模型。"
    assert strip_boilerplate(text) == "某公司今天发布了新模型。"


def test_a_reprint_notice_goes_wherever_it_sits():
    top = "本文来自微信公众号“某某科技”（ID：abc123），作者：张三，授权某站转载。\n某公司发布了新芯片。"
    assert strip_boilerplate(top) == "某公司发布了新芯片。"
    inline = "某公司发布了新芯片。本文来自微信公众号：某某科技，作者：李四。"
    assert strip_boilerplate(inline) == "某公司发布了新芯片。"
    runs_on = (
        "本文来源于公众号“某某说”（ID：xyz），授权某站发布，转载请联系原作者。某某说致力于寻找好项目。今天聊聊芯片。"
    )
    assert strip_boilerplate(runs_on) == "今天聊聊芯片。"


def test_sign_offs_go():
    text = "某公司发布了新模型。\n欢迎关注我们，获取更多资讯\n长按识别二维码，加入读者群"
    assert strip_boilerplate(text) == "某公司发布了新模型。"


def test_a_sentence_that_only_looks_like_a_notice_stays():
    kept = ["某平台是某集团旗下的电商平台，今天发布了新模型。", "某团队是某公司旗下团队，今天开源了代码。"]
    for text in kept:
        assert strip_boilerplate(text) == text
