"""Instructions planted in article text for the model or the rater, not for the reader."""

from __future__ import annotations

import re

import ahocorasick_rs

from newsbot.text.fold import fold
from newsbot.text.sentences import split_sentences

# Text inside an article that addresses the model or the rater rather than the reader. Real news
# about prompt injection quotes such phrases too; for them the only effect is that the model's
# importance is capped by the evidence-based (heuristic) level, which is the safe direction.
#
# Each pattern comes with the words it cannot match without: one word of every group must occur in
# the case-folded text (newsbot.text.fold), or the pattern is not run. Most articles hold none of
# them, and seventeen regex scans of a long body cost more than the rest of its analysis. A group
# lists a required alternation of the pattern (a word may be shortened to a part every form has:
# "instruction" for "instructions?", but the shorter, the more often the pattern runs for nothing),
# in lower case for case-insensitive patterns.
_INJECTION_PATTERNS: list[tuple[str, tuple[tuple[str, ...], ...]]] = [
    (
        r"(?i)\b(?:ignore|disregard|forget|override)\b[^.。\n]{0,40}\b(?:instructions?|prompts?|rules|guidelines|directions)\b",
        (("ignore", "disregard", "forget", "override"), ("instruction", "prompt", "rules", "guidelines", "directions")),
    ),
    (
        r"(?i)\b(?:you are|you're|act as)\s+(?:now\s+)?(?:an?\s+)?(?:AI|assistant|language model|LLM|rater|system)\b",
        (("you are", "you're", "act as"),),
    ),
    (r"(?i)\bsystem\s+prompt\b", (("system",), ("prompt",))),
    (r"(?i)\bnew\s+instructions?\s*:", (("instruction",),)),
    (
        r"(?i)\b(?:rate|score|mark|classify|label|rank|flag|treat|consider)\s+(?:this|the)\s+"
        r"(?:article|story|item|news|post|piece|report)\b[^.。\n]{0,40}"
        r"\b(?:high|highest|top|critical|most important|important|100|maximum|max)\b",
        (
            ("rate", "score", "mark", "classify", "label", "rank", "flag", "treat", "consider"),
            ("article", "story", "item", "news", "post", "piece", "report"),
            ("high", "top", "critical", "important", "100", "max"),
        ),
    ),
    (
        r"(?i)\b(?:set|give|assign|make)\b[^.。\n]{0,20}\b(?:importance|score|rating|priority)\b[^.。\n]{0,20}"
        r"\b(?:high|100|top|maximum|max|highest)\b",
        (
            ("set", "give", "assign", "make"),
            ("importance", "score", "rating", "priority"),
            ("high", "100", "top", "max"),
        ),
    ),
    (r"(?i)\"?\b(?:importance|score)\b\"?\s*[:=]\s*\"?(?:high|100)\b", (("importance", "score"), ("high", "100"))),
    (
        r"(?i)\b(?:note|message|instruction|attention)s?\s+(?:to|for)\s+(?:the\s+|any\s+)?"
        r"(?:AI|LLM|model|assistant|language model|summari[sz]er|bot|crawler|analy[sz]er)s?\b",
        (
            ("note", "message", "instruction", "attention"),
            ("ai", "llm", "model", "assistant", "summariser", "summarizer", "bot", "crawler", "analyser", "analyzer"),
        ),
    ),
    (
        r"(?i)\b(?:AI|LLM|language model|assistant)s?\s+(?:reading|processing|summari[sz]ing|analy[sz]ing)\s+this\b",
        (
            ("ai", "llm", "model", "assistant"),
            ("reading", "processing", "summarising", "summarizing", "analysing", "analyzing"),
            ("this",),
        ),
    ),
    (
        r"(?:忽略|无视|忘记|忘掉|不要理会)[^。\n]{0,12}(?:指令|指示|规则|要求|提示|设定)",
        (("忽略", "无视", "忘记", "忘掉", "不要理会"), ("指令", "指示", "规则", "要求", "提示", "设定")),
    ),
    (
        r"(?:把|将|请把|请将)(?:本文|此文|该文|本条|这条|这篇|本篇|这则|本则)[^。\n]{0,10}"
        r"(?:评为|标记为|标为|设为|列为|定为|判定为|判为|打成|视为)",
        (
            ("本文", "此文", "该文", "本条", "这条", "这篇", "本篇", "这则", "本则"),
            ("评为", "标记为", "标为", "设为", "列为", "定为", "判定为", "判为", "打成", "视为"),
        ),
    ),
    (
        r"(?:重要性|重要程度|优先级|评级)[^。\n]{0,6}(?:设为|评为|标为|定为|必须是|应为|为|：|:)\s*[\"“]?(?:高|high|最高|最重要|top)",
        (("重要性", "重要程度", "优先级", "评级"), ("高", "high", "最重要", "top")),
    ),
    (
        r"(?:评分|分数|打分|得分|score)[^。\n]{0,6}(?:设为|给|打|为|：|:)\s*(?:满分|100)",
        (("评分", "分数", "打分", "得分", "score"), ("满分", "100")),
    ),
    (
        r"(?:你|您)(?:现在)?(?:是|扮演|作为)(?:一个)?(?:AI|人工智能|助手|模型|评审|系统)",
        (("你", "您"), ("ai", "人工智能", "助手", "模型", "评审", "系统")),
    ),
    (r"系统提示", (("系统提示",),)),
    (
        r"(?:致|给|告)(?:所有)?(?:AI|人工智能|大模型|模型|助手|机器人|爬虫)的?(?:提示|消息|指令|说明)",
        (("致", "给", "告"), ("ai", "人工智能", "模型", "助手", "机器人", "爬虫"), ("提示", "消息", "指令", "说明")),
    ),
    (
        r"(?:AI|人工智能|大模型|模型|助手)[，,]?\s*(?:请|必须|务必|应当)(?:把|将|给|输出|评)",
        (("ai", "人工智能", "模型", "助手"), ("请", "必须", "务必", "应当")),
    ),
]
INJECTION_RES = [re.compile(pattern) for pattern, _ in _INJECTION_PATTERNS]
_REQUIRED = [tuple(frozenset(group) for group in groups) for _, groups in _INJECTION_PATTERNS]
# Every required word, found in one pass (overlapping: "ai" inside "said" counts, as a substring search would).
_WORDS = ahocorasick_rs.AhoCorasick(sorted({word for groups in _REQUIRED for group in groups for word in group}))


def find_injection(text: str) -> list[str]:
    """Instruction-like phrases addressed to a model or rater, found in untrusted article text."""
    if not text:
        return []
    present = set(_WORDS.find_matches_as_strings(fold(text), overlapping=True))
    hits: list[str] = []
    for rx, required in zip(INJECTION_RES, _REQUIRED, strict=True):
        if all(not present.isdisjoint(group) for group in required):
            hits.extend(m.group(0) for m in rx.finditer(text))
    return hits


def without_injection(text: str) -> str:
    """The text with every sentence that carries an injection removed (for evidence counting)."""
    if not find_injection(text):
        return text
    kept = [s for s in split_sentences(text) if not find_injection(s)]
    return "\n".join(kept)
