"""Site boilerplate that is not part of the story: bylines, image credits, follow-us lines.

Each pattern names a class of line the sites print around every article, never one string:
量子位 opens with "<author> 发自 <place>" and "量子位 | 公众号 QbitAI"; 36氪 with "文｜…", "编辑｜…";
Chinese sites caption images "图片来源：…" / "图源：…"; wire photos carry "(Photo by …/Getty Images)";
WeChat-era pages end with "点击关注…". Reprinted articles carry a reprint notice ("本文来自微信公众号…，
授权…转载", "来源于公众号…，授权…发布，转载请联系原作者") and a column's introduction ("<栏目>是<媒体>旗下编译团队，
关注…") wherever the site put them, at the top, at the bottom or inside a paragraph. A summary built
from the text would otherwise repeat them. Applied by the site parsers to article pages, by the feed
spider to feed descriptions and by the offline analyzer to whatever text it reads.
"""

from __future__ import annotations

import re

# Whole lines. Bounded lengths keep a real sentence that happens to start the same way.
_LINE_PATTERNS = [
    # 量子位 / 机器之心-style dateline byline: "梦晨 发自 凹非寺", "金磊 发自 圣何塞".
    r"[^\s，。！？]{1,16}\s*发自\s*[^\s，。！？]{1,12}",
    # "量子位 | 公众号 QbitAI", "机器之心 | 公众号 almosthuman2014".
    r"[^\s，。]{1,12}\s*[|｜]\s*公众号\s*[\w\-]{1,30}",
    # 36氪 credit block: "文｜林晴晴", "编辑｜袁斯来", "作者：…", "责编 | …", "撰文丨…".
    r"(?:文|作者|撰文|编辑|责编|责任编辑|主编|审核|校对|采访|整理|出品|策划|设计|排版|视觉|运营)\s*[|｜丨:：]\s*.{1,40}",
    # Image credits: "图片来源：视觉中国", "图源：受访者供图", "题图来源 | Unsplash", "封面来源：…".
    r"[（(]?(?:图片|题图|头图|封面|配图)?(?:来源|图源)\s*[|｜丨:：]\s*.{1,40}",
    # "点击关注36氪，获取更多前沿资讯", "点击上方蓝字关注我们".
    r".{0,20}点击(?:上方|下方)?(?:蓝字)?关注.{0,40}",
    # Reprint footers: 量子位 "版权所有，未经授权不得…转载…", 雷峰网 "雷峰网原创文章，未经授权禁止转载。…".
    r"[^。]{0,16}(?:版权所有|原创文章)[，,。]?.{0,20}未经(?:授权|许可).{0,30}转载.{0,30}",
    # WeChat sign-offs: "欢迎关注…", "长按识别二维码…", "扫码关注…", "喜欢就点个赞/在看吧", "转载请联系…".
    r".{0,20}(?:欢迎关注|长按(?:识别)?二维码|扫码关注|扫描二维码|设为星标|点个?(?:赞|在看)|转载请联系|商务合作请联系).{0,60}",
    # An arXiv listing's header line: "arXiv:2601.01234v2 Announce Type: replace-cross".
    r"arXiv:\d{4}\.\d{4,5}(?:v\d+)?\s+Announce Type:\s*[\w-]+",
    # English photo credit lines: "Photo: Jane Doe/Bloomberg", "Photographer: …/Bloomberg", "Image credit: …".
    r"(?:Photo(?:graph(?:er)?)?|Image|Picture)s?(?:\s+credit)?\s*:\s*[^.]{1,80}",
]
_LINE_RE = re.compile(r"^\s*(?:" + "|".join(_LINE_PATTERNS) + r")\s*$", re.I)

# Inside a line: parenthesised photo credits and the 量子位 masthead run into the first paragraph.
_INLINE_RE = re.compile(
    r"[（(]公众号\s*[:：][^()（）]{1,20}[)）]"
    r"|\s*[（(](?:(?:Photo|Image|Picture)s?(?:\s+(?:by|credit)|:)|(?:图片|题图)?(?:来源|图源)\s*[:：])[^()（）]{1,120}[)）]"
    r"|\s*[^\s，。！？]{1,16}\s*发自\s*[^\s，。！？]{1,12}\s*(?=[^\s，。！？]{1,12}\s*[|｜]\s*公众号)"
    r"|[^\s，。]{1,12}\s*[|｜]\s*公众号\s*QbitAI\s*",
    re.I,
)


# Every inline pattern needs 公众号, or a bracket and a credit word. Searching _INLINE_RE costs a scan
# from every position of the line; most lines with a bracket ("(ref 12)", "（记者）") have no credit word.
_CREDIT_WORD_RE = re.compile(r"Photo|Image|Picture|来源|图源", re.I)


def _may_hold_inline_boilerplate(line: str) -> bool:
    return "公众号" in line or (("(" in line or "（" in line) and _CREDIT_WORD_RE.search(line) is not None)


# Sentences anywhere in a line: a reprint notice and what it runs on to ("…转载请联系原作者。<账号>致力于…"),
# and a column's introduction of itself ("<栏目>是<媒体>旗下编译团队，关注…").
_NOTICE_RE = re.compile(
    r"(?:本文|本篇|文章)?(?:来自|来源于|转载自|转自|经授权转载自|原载于)\s*(?:微信)?公众号[^。！？\n]{0,120}[。！？]?"
    r"(?:[^。！？\n]{0,40}(?:授权|转载|发布|原作者|致力于|专注于)[^。！？\n]{0,80}[。！？]?){0,3}"
    r"|[^。！？，\n]{1,16}是[^。！？，\n]{1,16}旗下的?[^。！？，\n]{0,10}(?:团队|栏目|频道|账号)[，,]\s*(?:关注|专注|致力于|聚焦|重点|主要|为你|为您)[^。！？\n]{0,80}[。！？]?"
    r"|[^。！？\n]{0,40}(?:授权|经)[^。！？\n]{0,12}(?:转载|发布)[，,]\s*转载请联系[^。！？\n]{0,20}[。！？]?"
)
_NOTICE_WORDS = ("公众号", "旗下", "转载")


def strip_boilerplate(text: str) -> str:
    """The text without site bylines, image credits, reprint notices and follow-us lines; the story
    itself unchanged."""
    if not text:
        return ""
    lines = []
    for line in text.split("\n"):
        if _LINE_RE.match(line):
            continue
        if any(word in line for word in _NOTICE_WORDS):
            line = _NOTICE_RE.sub("", line).strip()
        line = _INLINE_RE.sub("", line).strip() if _may_hold_inline_boilerplate(line) else line
        if line and not _LINE_RE.match(line):
            lines.append(line)
    return "\n".join(lines)
