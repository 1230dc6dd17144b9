"""Story threads (持续关注): what makes a returning event news again, and its links to earlier days.

Cross-day memory drops an event an earlier day already reported unless it brings a new fact. Besides a
new amount or party (the event keys' facts), two developments count, read from the title and summary:

  * a new stage of a deal: talks (洽谈, "nears a deal") < signed (签署, "signs") < approved (获批)
    < closed (完成交割, "completes"); only a stage beyond every earlier one is new, so "signed"
    after "in talks" is news and "in talks" again after "signed" is not;
  * an official confirmation (官宣, 公告, "confirms") of what was reported from sources
    (据知情人士, "people familiar with the matter"); a text citing sources confirms nothing.

An event let through is linked to its earlier appearances: `previously`, oldest first, each
{date (the report day), title, url, published_at (the earlier article's own time)}, carried into every
later day's memory so a thread links back to its start. Its entry carries the tag THREAD_TAG.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime

from newsbot.text.dates import strip_date_prefix

STAGE_PREFIX = "stage:"
OFFICIAL = "official"
# The tag of an entry that continues an earlier day's story (README: "Such a story (持续关注)").
THREAD_TAG = "持续关注"


class Wording:
    """Whether a text says something one of its alternative wordings says: the Chinese ones, then the
    English ones. Searched apart, each group keeps re's fast scan for where a match can start, which
    one alternation mixing both loses (half the time of the report's development keys)."""

    def __init__(self, zh: str, en: str):
        self.patterns = (re.compile(zh), re.compile(en, re.IGNORECASE))

    def search(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self.patterns)


# (level, name, wording), in the order a deal goes. Chinese verbs need an object nearby: "拟" alone
# is also in "模拟", "完成" alone in "完成测试".
_OBJECT = r"[^，。；,;]{0,16}?(?:投资|收购|并购|入股|融资|募资|定增|注资|合作|协议|交易|合并|交割|出资|采购|订单)"
STAGES: tuple[tuple[int, str, Wording], ...] = (
    (
        1,
        "talks",
        Wording(
            r"洽谈|谈判|磋商|商谈|接近达成|(?<![模虚])拟" + _OBJECT + r"|(?:计划|考虑|有意|寻求)" + _OBJECT,
            r"\bin (?:advanced )?(?:talks|discussions|negotiations)\b|\bnears?\b|\bnearing\b|\bnegotiat\w*|"
            r"\b(?:considering|weighing|weighs|exploring|mulls|mulling)\b|"
            r"\bplans? to (?:invest|buy|acquire|raise|merge)\b",
        ),
    ),
    (
        2,
        "signed",
        Wording(
            r"签署|签约|签订|达成(?:协议|交易|合作|一致)|敲定",
            r"\bsign(?:s|ed)?\b|\binks?\b|\binked\b|\bagree(?:s|d)? to\b|\bstrikes? (?:an? )?deal\b|"
            r"\breach(?:es|ed)? (?:an? )?(?:agreement|deal)\b",
        ),
    ),
    (
        3,
        "approved",
        Wording(
            r"获批|获得批准|批准|审核通过|注册生效",
            r"\bapprov(?:es|ed)\b|\bwins? approval\b|\bregulatory approval\b",
        ),
    ),
    (
        4,
        "closed",
        Wording(
            r"(?:正式)?完成" + _OBJECT + r"|交割|资金到账",
            r"\bcomplet(?:es|ed)\b|\bclos(?:es|ed)\b(?! (?:higher|lower|up|down|at|flat))|\bfinali[sz](?:es|ed)\b",
        ),
    ),
)
_CONFIRMED = Wording(
    r"官宣|官方确认|正式宣布|宣布|证实|公告", r"\bconfirm(?:s|ed)\b|\bofficially\b|\bannounc(?:es|ed)\b"
)
_HEARSAY = Wording(
    r"知情人士|消息人士|据悉|传闻|据报道|据传",
    r"\breportedly\b|\bpeople familiar\b|\bsources? (?:said|say|says)\b|"
    r"\baccording to (?:people|sources|a person)\b|\brumou?r",
)


def zh_day(day) -> str:
    """'2026-02-02' (or a local ISO time on that day) -> '2月2日'."""
    if isinstance(day, datetime):
        day = day.date()
    d = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
    return f"{d.month}月{d.day}日"


def link_day(link: dict) -> str:
    """The day a 前情 line shows: when the earlier article was published, which may be the day
    before the report that carried it. Links stored before articles' times were kept show the
    report's day."""
    return zh_day(link.get("published_at") or link.get("date"))


def with_thread_tag(tags: Iterable[str], previously: list) -> list[str]:
    """An entry's tags, THREAD_TAG first when it continues an earlier story."""
    tags = [t for t in tags if t != THREAD_TAG]
    return [THREAD_TAG, *tags] if previously else tags


def stage_key(level: int) -> str:
    return f"{STAGE_PREFIX}{level}"


def development_keys(title: str, summary: str) -> frozenset[str]:
    """The deal stage (its furthest point) and whether it is an official confirmation, as fact keys."""
    text = unicodedata.normalize("NFKC", f"{title or ''}\n{strip_date_prefix(summary)}")
    keys = set()
    levels = [level for level, _, pattern in STAGES if pattern.search(text)]
    if levels:
        keys.add(stage_key(max(levels)))
    if _CONFIRMED.search(text) and not _HEARSAY.search(text):
        keys.add(OFFICIAL)
    return frozenset(keys)


def _stage_level(key: str) -> int:
    return int(key[len(STAGE_PREFIX) :]) if key.startswith(STAGE_PREFIX) else 0


def new_facts(current: Iterable[str], earlier: Iterable[str]) -> frozenset[str]:
    """The facts of `current` that the earlier appearances lack: a new amount, party or name, an
    official confirmation, or a stage beyond every earlier stage."""
    current, earlier = frozenset(current), frozenset(earlier)
    furthest = max((_stage_level(k) for k in earlier), default=0)
    plain = {k for k in current - earlier if not k.startswith(STAGE_PREFIX)}
    advanced = {k for k in current if _stage_level(k) > furthest}
    return frozenset(plain | advanced)


def thread_links(matched: Iterable[dict]) -> list[dict]:
    """`previously` for an event that returns: every earlier appearance it matched, with the threads
    those carried, oldest first, one per (date, url). Each item of `matched` is a memory record with
    its `date` (and maybe its own `previously`)."""
    seen: dict[tuple[str, str], dict] = {}
    for record in matched:
        for link in [*(record.get("previously") or []), record]:
            item = {k: link.get(k, "") for k in ("date", "title", "url")}
            item["published_at"] = link.get("published_at")
            seen.setdefault((item["date"], item["url"]), item)
    return sorted(seen.values(), key=lambda item: (item["date"], item["url"]))
