"""What the offline analyzer writes: an extractive summary from the article's opening sentences, and
the 入选理由 from the evidence that decided the level."""

from __future__ import annotations

import re

from newsbot.analysis.judgements import ImportanceJudgement
from newsbot.analysis.lexicon import Lexicon
from newsbot.analysis.schema import REASON_MAX_CHARS, SUMMARY_MAX_CHARS, Category
from newsbot.text.dates import strip_date_prefix

_BRACKET_HEAD_RE = re.compile(r"^\s*[【\[][^】\]]{1,20}[】\]]\s*")
_WIRE_HEAD_RE = re.compile(r"^[^，。,]{0,16}?(?:\d{1,2}月\d{1,2}日)?(?:电|讯|消息)\s*[，,]")


def _clean_opening(sentence: str, lex: Lexicon) -> str:
    s = _BRACKET_HEAD_RE.sub("", sentence.strip())
    s = strip_date_prefix(s)
    s = _WIRE_HEAD_RE.sub("", s, count=1) if len(s) > 30 else s
    for phrase in sorted(lex.terms.get("boilerplate", []), key=len, reverse=True):
        if s.startswith(phrase):
            s = s[len(phrase) :].lstrip("，,：:｜| ")
            break
    return s.strip()


def _is_boilerplate(sentence: str, lex: Lexicon) -> bool:
    head = sentence.strip()[:12]
    return any(
        head.startswith(p) for p in ("图片来源", "文｜", "编辑｜", "作者｜", "来源：", "题图", "封面来源", "责编")
    )


def opening_summary(sentences: list[str], title: str, lang: str, lex: Lexicon) -> str:
    """The opening sentence, cleaned of wire-service openings, within the summary length cap.
    A short Chinese opening sentence is joined with the next one, as the seed's one-sentence summaries do."""
    limit = SUMMARY_MAX_CHARS - 8 if lang == "zh" else 320
    picked: list[str] = []
    for raw in sentences[:8]:
        if _is_boilerplate(raw, lex):
            continue
        s = _clean_opening(raw, lex)
        min_len = 12 if lang == "zh" else 40
        if len(s) < min_len and not picked:
            continue
        if not picked or lang == "zh" and len(picked[0]) < 50 and len(picked[0]) + len(s) < limit:
            picked.append(s)
        if lang != "zh" or len("".join(picked)) >= 50:
            break
    if not picked:
        picked = [title]
    if lang == "zh":
        text = "，".join(p.rstrip("。！？!?；;，,") for p in picked)
        text = _cap(text, limit, "，、；").rstrip("，,、；;：:") + "。"
    else:
        text = _cap(" ".join(picked), limit, " ")
    return text


def _cap(text: str, limit: int, breaks: str) -> str:
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind(ch) for ch in breaks)
    return head[:cut] if cut > limit * 0.5 else head


_REGION_WORD = {"domestic": "中国", "international": "海外"}
_KIND_WORD = {"org": "机构", "person": "人物"}


def compose_reason(category: str, region: str, ai_relevant: bool, importance: ImportanceJudgement) -> str:
    """入选理由 from the evidence that decided the level, in the seed's "属于…，主体是…" pattern."""
    parts = [f"属于{category}" if category != Category.other.value else "属于行业动态"]
    subject, money = importance.subject, importance.money
    if subject.name and subject.kind in _KIND_WORD:
        parts.append(f"主体是{_REGION_WORD[region]}{_KIND_WORD[subject.kind]}{subject.name}")
    elif subject.name:
        parts.append(f"主体是{subject.name}")
    else:
        parts.append(f"主体为{_REGION_WORD[region]}企业或机构")
    if money.text:
        parts.append(f"涉及{money.text}的资金规模" if money.deal else f"涉及金额{money.text}")
    if importance.policy:
        parts.append("涉及政策或监管动向")
    if importance.firsts:
        parts.append(f"具有“{importance.firsts[0]}”等标志性")
    if importance.low:
        parts.append("内容以活动、观点或评测为主，影响有限")
    if not ai_relevant:
        parts.append("与人工智能关联度较低")
    elif importance.level == "high":
        parts.append("对AI产业格局有较大影响")
    text = "，".join(parts)
    return text[: REASON_MAX_CHARS - 1] + "。"
