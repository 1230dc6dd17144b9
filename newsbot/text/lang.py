"""How Chinese a text is: one measure (CJK characters against Latin words) for every caller.

A Latin word weighs like two CJK characters, so a Chinese sentence thick with names ("Kimi K2.5",
"OpenClaw", "Gemini 3 Flash") still reads as Chinese, and an English sentence with one Chinese name
does not.
"""

from __future__ import annotations

import re

# CJK Unified Ideographs, Extension A and the compatibility block.
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD_RE = re.compile(r"[A-Za-z]+")
LATIN_WORD_WEIGHT = 2
CHINESE_RATIO = 0.5
# Fewer CJK characters than this is a name or a label inside other text, not Chinese prose.
MIN_CJK = 4


def cjk_ratio(text: str) -> float:
    """CJK characters / (CJK characters + 2 x Latin words); 0.0 for text with neither."""
    cjk = len(CJK_RE.findall(text or ""))
    latin = LATIN_WORD_WEIGHT * len(LATIN_WORD_RE.findall(text or ""))
    return cjk / (cjk + latin) if cjk + latin else 0.0


def is_chinese(text: str, min_ratio: float = CHINESE_RATIO, min_cjk: int = MIN_CJK) -> bool:
    """Chinese prose: at least `min_cjk` CJK characters, and more Chinese than Latin text."""
    return len(CJK_RE.findall(text or "")) >= min_cjk and cjk_ratio(text) >= min_ratio


def detect_lang(text: str, default: str) -> str:
    """ "zh" or "en" for a title and the start of its text; `default` when it has no letters at all."""
    if not CJK_RE.search(text or "") and not LATIN_WORD_RE.search(text or ""):
        return default
    # Which language, not whether it is prose: no minimum count of characters.
    return "zh" if is_chinese(text, min_cjk=1) else "en"
