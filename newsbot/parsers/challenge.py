"""Recognising bot-wall / WAF challenge pages served in place of content."""

from __future__ import annotations

import re

from newsbot.text import html_to_text

# Script names of the challenge pages the real sites serve: Aliyun WAF (36kr: acw_sc__v2),
# Cloudflare, PerimeterX/DataDome bot walls (Bloomberg). These never occur in an article.
_STRONG = re.compile(r"acw_sc__v2|_waf_|cf-chl|cf_chl_opt|challenge-platform|px-captcha|captcha-delivery", re.I)
# Interstitial wording: only a challenge when the page has next to no text of its own.
_WEAK = re.compile(
    r"Just a moment|Attention Required|Are you a robot|Please enable (?:JavaScript|cookies)|"
    r"enable JavaScript and cookies|请稍候|安全验证|访问验证|滑动验证|人机验证",
    re.I,
)
_SHORT_PAGE_CHARS = 1500


def looks_like_challenge(html: str) -> bool:
    head = html[:65536]
    if _STRONG.search(head):
        return True
    return bool(_WEAK.search(head)) and len(html_to_text(head)) < _SHORT_PAGE_CHARS
