"""What kind of feed item a text is: a story, or one of the kinds that feeds carry beside stories and
that are never an entry of the daily, whatever they mention:

- "roundup": a digest of other stories ("AI Daily <date> — 12 new", "AI早报 | 3月2日", "Weekly roundup");
  the stories it lists are reported from their own feeds, so it must not stand in for any of them;
- "log": a crawler's or a build's run report ("Crawl Report <date>", "duration 1m 37s · 17/17 sources OK");
- "advert": a course, camp or event sign-up ("训练营…报名", "限时优惠", "enroll now");
- "navigation": a link of a site's chrome that a scraper took for an item: a list entry carrying its
  site name and a relative time ("…-某某网-4小时前", "... - Site - 3 hours ago"), an author or tag page.

Each rule names a class of text by its form, never one site's title.
"""

from __future__ import annotations

import re

STORY = "story"

_DATE = r"(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}月\d{1,2}日|\d{1,2}/\d{1,2})"
# A count of new or listed items in a headline: "— 6 new", "(25 items)", "共12条", "10则".
_COUNT = r"(?:\d+\s*(?:new|items?|stories|posts|links|updates)\b|共?\d+\s*(?:条|则|篇)(?:资讯|新闻|消息|动态)?)"
_ROUNDUP_WORDS = (
    r"(?:daily|weekly|monthly|digest|roundup|round-up|newsletter|briefing|recap|this week in|top stories"
    r"|日报|周报|月报|早报|晚报|午报|早参|晨报|快讯合集|一周|每日|每周|速递|速览|汇总|合集|精选|盘点)"
)
_ROUNDUP_TITLE_RE = re.compile(
    rf"{_ROUNDUP_WORDS}.{{0,24}}(?:{_DATE}|{_COUNT})|(?:{_DATE}|{_COUNT}).{{0,24}}{_ROUNDUP_WORDS}", re.I
)
_LOG_TITLE_RE = re.compile(
    r"\b(?:crawl|scrape|scraping|fetch|build|sync|run|job|pipeline)\s+(?:report|log|summary|status|results?)\b"
    r"|抓取(?:日志|报告)|爬虫(?:日志|报告)|运行(?:日志|报告)",
    re.I,
)
# A run report's body: durations, source tallies and status columns.
_LOG_BODY_RE = re.compile(
    r"\bduration\s+\d+\s*[mh]?\s*\d*\s*s?\b|\b\d+/\d+\s+(?:sources|feeds|jobs)\s+(?:ok|failed|succeeded)\b"
    r"|\bFound\s+New\s+OK\s+Failed\b|\bstatus\s*:\s*(?:ok|success|failed)\b",
    re.I,
)
_ADVERT_TITLE_RE = re.compile(
    r"训练营|(?:课程|课)\s*(?:报名|招生|上线|开课)|开课|招生|报名(?:开启|通道|中|啦)|限时(?:优惠|特惠|免费|折扣)|"
    r"早鸟(?:价|票)|直播课|公开课|\b(?:enrol+|register|sign up)\s+(?:now|today)\b|\bbootcamp\b|\bmasterclass\b",
    re.I,
)
_ADVERT_BODY_RE = re.compile(r"报名|扫码|学费|原价|优惠价|名额有限|课程|\benrol+|\btuition\b|\bdiscount code\b", re.I)
# "…-某新闻网-4小时前", "… | Site · 3 hours ago": a list item's site name and relative time left in the title.
_NAV_TITLE_RE = re.compile(
    r"[-–—|·]\s*[^\s\-–—|·]{1,16}\s*[-–—|·]\s*(?:\d+\s*(?:分钟|小时|天)前|刚刚|昨天|\d+\s*(?:minutes?|hours?|days?)\s+ago)\s*$"
    r"|(?:\d+\s*(?:分钟|小时|天)前|\d+\s*(?:minutes?|hours?|days?)\s+ago)\s*$"
    r"|(?:的)?(?:个人主页|作者主页|专栏主页|主页)\s*$|(?:^|\s)(?:author|profile|tag|category)\s*(?:page)?\s*[:：]",
    re.I,
)


def entry_kind(title: str, text: str = "") -> str:
    """ "story", or the kind of non-story the item is (one of NOT_ENTRIES)."""
    title = (title or "").strip()
    head = (text or "")[:2000]
    if _LOG_TITLE_RE.search(title) or len(_LOG_BODY_RE.findall(head)) >= 2:
        return "log"
    if _NAV_TITLE_RE.search(title):
        return "navigation"
    if _ROUNDUP_TITLE_RE.search(title):
        return "roundup"
    if _ADVERT_TITLE_RE.search(title) and _ADVERT_BODY_RE.search(f"{title} {head}"):
        return "advert"
    return STORY


def is_entry(title: str, text: str = "") -> bool:
    return entry_kind(title, text) == STORY
