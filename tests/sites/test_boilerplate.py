"""Site boilerplate never reaches the stored text: one saved page or feed per pattern, through the
site's real parser or the spider's real feed callback (the Fundus-style fixtures in _boilerplate/)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from scrapy.http import Request, XmlResponse

from newsbot.items import NewsItem
from newsbot.parsers.registry import extract_article
from newsbot.sources.catalog import SOURCES
from newsbot.text import html_to_text
from newsbot.text.boilerplate import _INLINE_RE, _may_hold_inline_boilerplate, strip_boilerplate
from tests.sites.test_sites import outputs, spider_for

HERE = Path(__file__).parent / "_boilerplate"

PAGES = [
    pytest.param(
        "qbitai",
        "qbitai_byline.html",
        ["DeepSeek V4终于发布了", "采用MIT协议"],
        ["发自", "凹非寺", "公众号", "QbitAI", "图片来源", "点击关注", "版权所有"],
        id="qbitai-byline-credit-follow-footer",
    ),
    pytest.param(
        "36kr",
        "kr36_credits.html",
        ["36氪获悉，灵巧手研发商「灵心巧手」", "出货量已超过1万只，客户覆盖"],
        ["文｜", "编辑｜", "林晴晴", "袁斯来", "图片来源", "图源", "点击关注"],
        id="36kr-writer-editor-credits-follow",
    ),
    pytest.param(
        "cnbc",
        "cnbc_photo_credit.html",
        ["in parts of Hong Kong, the company said on Tuesday.", "without a safety driver on board."],
        ["Photo", "Getty Images"],
        id="cnbc-photo-credit",
    ),
]

FEEDS = [
    pytest.param(
        "qbitai",
        "qbitai_feed.xml",
        ["DeepSeek V4终于发布了"],
        ["发自", "凹非寺", "公众号", "QbitAI"],
        id="qbitai-description-byline",
    ),
    pytest.param(
        "36kr",
        "kr36_newsflash_feed.xml",
        ["36氪获悉，AIGC营销公司", "服务商家超过8000家"],
        ["文｜", "编辑｜", "黄楠", "图源", "点击关注"],
        id="36kr-newsflash-credits",
    ),
]


@pytest.mark.parametrize(("site", "fixture", "keeps", "drops"), PAGES)
def test_article_page_text_has_no_boilerplate(site, fixture, keeps, drops):
    html = (HERE / fixture).read_text(encoding="utf-8")
    page = extract_article(spider_for(site).source.parser, html, f"https://example.invalid/{fixture}")
    for fragment in keeps:
        assert fragment in page.text
    for fragment in drops:
        assert fragment not in page.text, fragment


def _feed_items(site: str, fixture: str) -> list[NewsItem]:
    spider = spider_for(site)
    url = SOURCES[site].feeds[-1]
    response = XmlResponse(
        url=url,
        body=(HERE / fixture).read_bytes(),
        headers={"Content-Type": "application/xml; charset=utf-8"},
        request=Request(url, meta={"feed_url": url}),
    )
    # A followed article carries the feed's item in cb_kwargs: its summary is the feed text.
    return [out.cb_kwargs["item"] if isinstance(out, Request) else out for out in outputs(spider.parse_feed(response))]


@pytest.mark.parametrize(("site", "fixture", "keeps", "drops"), FEEDS)
def test_feed_description_has_no_boilerplate(site, fixture, keeps, drops):
    items = _feed_items(site, fixture)
    assert len(items) == 1
    text = items[0].summary + "\n" + items[0].content
    for fragment in keeps:
        assert fragment in text
    for fragment in drops:
        assert fragment not in text, fragment


@pytest.mark.parametrize(
    "story",
    [
        "数据来源：IDC，2025年四季度国内AI服务器出货量同比增长62%。",
        "他说，未经授权的转载很常见，公司已起诉三家网站。",
        "文心一言：百度发布新版本。",
        "The company said the image was taken by a drone (a first for the agency).",
        "编辑部认为，这一政策将推动行业整合。",
    ],
)
def test_story_sentences_that_look_like_boilerplate_survive(story):
    assert strip_boilerplate(story) == story


def _fixture_lines() -> list[str]:
    """Every text line of the saved pages and feeds (the sites' real wording)."""
    lines = []
    for path in [*HERE.iterdir(), *HERE.parent.glob("*/article.html"), *HERE.parent.glob("*/feed.xml")]:
        raw = path.read_text(encoding="utf-8")
        lines += html_to_text(html.unescape(raw) if path.suffix == ".xml" else raw).split("\n")
    return lines


ADVERSARIAL_LINES = [
    "Waymo said the robotaxi (Photo by Anna Moneymaker/Getty Images) will launch in Austin.",
    "The chip (PHOTO: REUTERS) ships in May (ref 12).",
    "A launch event (Pictures by AP) and a demo (Image credit: Nvidia).",
    "Rivals (images: company handout) responded.",
    "（图片来源：视觉中国）英伟达发布新芯片。",
    "公司表示（题图来源：受访者供图），将继续扩产。",
    "（公众号：量子位）大模型又有新进展。",
    "梦晨 发自 凹非寺 量子位 | 公众号 QbitAI DeepSeek V4终于发布了。",
    "量子位｜公众号QbitAI 智能体成为新热点。",
    "Revenue rose 12% (in dollar terms) to $3 billion (up from $2.7 billion).",
    "（记者 张三）百度（09888.HK）今日发布文心大模型5.0。",
    "数据来源（内部统计）显示，用户数增长三成。",
    "Photo finish: the image of a picture-perfect quarter (analysts said).",
]


def test_the_inline_pass_is_skipped_only_where_it_could_change_nothing():
    """strip_boilerplate runs the inline patterns (a scan from every position) only on lines that hold
    公众号 or a bracket with a credit word: on every other line they must find nothing."""
    lines = _fixture_lines() + ADVERSARIAL_LINES
    assert len(lines) > 200
    skipped = [line for line in lines if not _may_hold_inline_boilerplate(line)]
    assert any("(" in line or "（" in line for line in skipped)  # the gate does skip bracketed lines
    for line in skipped:
        assert _INLINE_RE.sub("", line) == line, line
    # And the inline patterns do fire on the credit lines above.
    assert sum(_INLINE_RE.sub("", line) != line for line in ADVERSARIAL_LINES) >= 8
