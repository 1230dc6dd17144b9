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


# A language tag as a sources file writes it: a language of 2-3 letters, then an optional script,
# region and variants ("zh", "en-GB", "zh-Hant-TW", "pt-BR", "de-1996"). BCP 47 without extensions
# or private use, which no feed needs.
LANG_TAG_RE = re.compile(
    r"^(?P<lang>[A-Za-z]{2,3})(?:-(?P<script>[A-Za-z]{4}))?(?:-(?P<region>[A-Za-z]{2}|\d{3}))?"
    r"(?P<variants>(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*)$"
)
# The languages the analyzer reads natively; any other is read as well as names, amounts and its own
# headline allow (docs: "Add your own sources").
DETECTED_LANGS = ("zh", "en")
# Kana and Hangul: text of these is not Chinese, whatever share of Han characters it has.
KANA_HANGUL_RE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af]")


def canonical_tag(tag: str) -> str | None:
    """The tag in its usual case ("zh-hant-tw" -> "zh-Hant-TW"), or None when it is no language tag."""
    match = LANG_TAG_RE.match(str(tag or "").strip())
    if not match:
        return None
    parts = [match["lang"].lower()]
    if match["script"]:
        parts.append(match["script"].title())
    if match["region"]:
        parts.append(match["region"].upper())
    parts += [v.lower() for v in match["variants"].split("-") if v]
    return "-".join(parts)


def primary_lang(tag: str) -> str:
    """The language subtag: "zh-Hant-TW" -> "zh"."""
    return str(tag or "").split("-", 1)[0].lower()


# What a Chinese prompt calls an article's language; another language is named by its code.
LANGUAGE_NAMES_ZH = {
    "zh": "中文", "en": "英文", "ja": "日文", "ko": "韩文", "fr": "法文", "de": "德文",
    "es": "西班牙文", "pt": "葡萄牙文", "ru": "俄文", "it": "意大利文", "ar": "阿拉伯文",
}  # fmt: skip


def language_name_zh(tag: str) -> str:
    """ "zh-Hant" -> "中文", "ja" -> "日文", "sw" -> "外文（sw）"."""
    primary = primary_lang(tag)
    return LANGUAGE_NAMES_ZH.get(primary) or f"外文（{primary or '未知'}）"


def article_lang(text: str, declared: str) -> str:
    """An article's language from its headline and opening, with the source's tag as the default.
    Chinese and English are told apart from the text (feeds mislabel them). Another declared language
    stays, unless the text is plainly Chinese prose (a mislabelled feed): no detector here tells
    German from English."""
    base = primary_lang(declared) or "en"
    if base in DETECTED_LANGS:
        return detect_lang(text, base)
    if base not in ("ja", "ko") and not KANA_HANGUL_RE.search(text or "") and is_chinese(text):
        return "zh"
    return base


def detect_lang(text: str, default: str) -> str:
    """ "zh" or "en" for a title and the start of its text; `default` when it has no letters at all."""
    if not CJK_RE.search(text or "") and not LATIN_WORD_RE.search(text or ""):
        return default
    # Which language, not whether it is prose: no minimum count of characters.
    return "zh" if is_chinese(text, min_cjk=1) else "en"
