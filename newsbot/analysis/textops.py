"""Pure text functions the analyzers share: date prefix, language checks, sentences, token budget,
money amounts and prompt-injection patterns. No I/O, no model: easy to test one by one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A scheme, a www. host, or a dotted host followed by a path. A bare "Pony.ai" or "JD.com" is a
# company name in a sentence, not a link, so a host alone does not count.
URL_RE = re.compile(r"(?i)(?:https?://|ftp://|www\.)\S+|(?<![a-z0-9.-])[a-z0-9-]+(?:\.[a-z0-9-]+)+/[^\s，。]*")
DATE_PREFIX_RE = re.compile(r"^\s*(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:消息|讯|电)?\s*[，,:：]?\s*")


def date_prefix(published_at: datetime | None, tz: ZoneInfo = SHANGHAI) -> str:
    """The seed's "2月4日消息，", from the article's own publication time in Asia/Shanghai."""
    when = published_at or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    local = when.astimezone(tz)
    return f"{local.month}月{local.day}日消息，"


def strip_date_prefix(text: str) -> str:
    """Drop a date the model (or a lead sentence) put first: the date is always ours to write."""
    return DATE_PREFIX_RE.sub("", text, count=1).strip()


LATIN_WORD_RE = re.compile(r"[A-Za-z]+")


def cjk_ratio(text: str) -> float:
    """CJK characters against Latin words (a Latin word weighs like two characters), so a Chinese
    sentence thick with names (Kimi K2.5, OpenClaw, Gemini 3 Flash) still reads as Chinese."""
    cjk = len(CJK_RE.findall(text))
    latin = 2 * len(LATIN_WORD_RE.findall(text))
    return cjk / (cjk + latin) if cjk + latin else 0.0


def is_chinese(text: str, min_ratio: float = 0.5) -> bool:
    """Chinese prose: at least a few CJK characters, and more Chinese than Latin text."""
    return len(CJK_RE.findall(text)) >= 4 and cjk_ratio(text) >= min_ratio


def has_url(text: str) -> bool:
    return bool(URL_RE.search(text or ""))


# --- sentences -----------------------------------------------------------------------------------
_ZH_END = "。！？!?；"
_ZH_SPLIT_RE = re.compile(r"(?<=[。！？!?；])(?![”’」』）)])|(?<=[。！？!?；][”’」』）)])")
# Abbreviations whose period does not end an English sentence.
_EN_ABBREV = (
    "U.S",
    "U.K",
    "U.N",
    "E.U",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Prof",
    "Inc",
    "Corp",
    "Co",
    "Ltd",
    "Jr",
    "Sr",
    "St",
    "vs",
    "No",
    "e.g",
    "i.e",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Aug",
    "Sept",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_EN_SPLIT_RE = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9\"“(\u4e00-\u9fff])")


def split_sentences(text: str) -> list[str]:
    """Sentences of Chinese or English prose (mixed text is split on both kinds of stop)."""
    out: list[str] = []
    for para in re.split(r"\n+", text or ""):
        para = para.strip()
        if not para:
            continue
        for chunk in _ZH_SPLIT_RE.split(para):
            chunk = chunk.strip()
            if chunk:
                out.extend(_split_english(chunk))
    return out


def _split_english(chunk: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for m in _EN_SPLIT_RE.finditer(chunk):
        head = chunk[start : m.start()].rstrip('"”’)')
        word = head.rsplit(None, 1)[-1] if head.split() else ""
        word = word.rstrip(".!?")
        # "U.S. Army", "Mr. Huang" and single initials ("J. Smith") keep their sentence together.
        if word in _EN_ABBREV or (len(word) == 1 and word.isupper()):
            continue
        pieces.append(chunk[start : m.start()].strip())
        start = m.end()
    pieces.append(chunk[start:].strip())
    return [p for p in pieces if p]


def sentence_count(text: str) -> int:
    return len(split_sentences(text))


def is_one_sentence(text: str) -> bool:
    """One sentence in the seed's sense: no stop before the final one."""
    body = (text or "").strip().rstrip(_ZH_END + ".")
    if any(ch in body for ch in "。！？!?"):
        return False
    return sentence_count(text) <= 1


# --- token budget --------------------------------------------------------------------------------
def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate (tiktoken would download its tables at run time): about one token
    per CJK character and one per four other characters, which errs on the high side for both."""
    cjk = len(CJK_RE.findall(text))
    return cjk + (len(text) - cjk + 3) // 4


def cut_to_budget(text: str, max_tokens: int) -> str:
    """Keep the lead: the first max_tokens worth of text, ended at a sentence stop when one is near."""
    if max_tokens <= 0 or estimate_tokens(text) <= max_tokens:
        return text
    used = 0.0
    cut = len(text)
    for i, ch in enumerate(text):
        used += 1.0 if CJK_RE.match(ch) else 0.25
        if used > max_tokens:
            cut = i
            break
    head = text[:cut]
    stops = [head.rfind(ch) for ch in "。！？.!?\n"]
    last_stop = max(stops)
    if last_stop >= cut * 0.6:
        head = head[: last_stop + 1]
    return head.rstrip() + "…"


# --- money ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Money:
    text: str
    usd: float


_ZH_MULT = {
    "": 1,
    "万": 1e4,
    "十万": 1e5,
    "百万": 1e6,
    "千万": 1e7,
    "亿": 1e8,
    "十亿": 1e9,
    "百亿": 1e10,
    "千亿": 1e11,
    "万亿": 1e12,
}
_ZH_CURRENCY = {
    "美元": 1.0,
    "美金": 1.0,
    "元人民币": 0.14,
    "人民币": 0.14,
    "元": 0.14,
    "欧元": 1.08,
    "英镑": 1.27,
    "日元": 0.0067,
    "港元": 0.128,
    "港币": 0.128,
    "韩元": 0.00072,
}
_ZH_MONEY_RE = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)\s*(万亿|千亿|百亿|十亿|千万|百万|十万|亿|万)?\s*(美元|美金|元人民币|人民币|欧元|英镑|日元|港元|港币|韩元|元)"
)
_EN_MULT = {
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "k": 1e3,
    "thousand": 1e3,
    "": 1,
}
_EN_SYMBOL = {"$": 1.0, "US$": 1.0, "€": 1.08, "£": 1.27, "¥": 0.14, "HK$": 0.128}
_EN_MONEY_RE = re.compile(
    r"(US\$|HK\$|\$|€|£|¥)\s?(\d[\d,]*(?:\.\d+)?)\s*(trillion|billion|million|thousand|tn|bn|mn|[tbmk])?\b", re.I
)
_EN_WORD_MONEY_RE = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)\s*(trillion|billion|million)\s+(dollars|euros|pounds|yuan|renminbi|RMB|yen)", re.I
)
_EN_WORD_CURRENCY = {
    "dollars": 1.0,
    "euros": 1.08,
    "pounds": 1.27,
    "yuan": 0.14,
    "renminbi": 0.14,
    "rmb": 0.14,
    "yen": 0.0067,
}


def _num(value: str) -> float:
    return float(value.replace(",", ""))


def find_money(text: str) -> list[Money]:
    """Money amounts ("8亿元", "2500万元", "1.25万亿美元", "$20 billion", "€5bn") in US dollars."""
    found: list[Money] = []
    for m in _ZH_MONEY_RE.finditer(text):
        found.append(Money(m.group(0), _num(m.group(1)) * _ZH_MULT[m.group(2) or ""] * _ZH_CURRENCY[m.group(3)]))
    for m in _EN_MONEY_RE.finditer(text):
        symbol = m.group(1).upper() if m.group(1).lower().startswith(("us", "hk")) else m.group(1)
        mult = _EN_MULT[(m.group(3) or "").lower()]
        found.append(Money(m.group(0).strip(), _num(m.group(2)) * mult * _EN_SYMBOL[symbol]))
    for m in _EN_WORD_MONEY_RE.finditer(text):
        rate = _EN_WORD_CURRENCY[m.group(3).lower()]
        found.append(Money(m.group(0), _num(m.group(1)) * _EN_MULT[m.group(2).lower()] * rate))
    return found


# --- prompt injection ----------------------------------------------------------------------------
# Text inside an article that addresses the model or the rater rather than the reader. Real news
# about prompt injection quotes such phrases too; for them the only effect is that the model's
# importance is capped by the evidence-based (heuristic) level, which is the safe direction.
_INJECTION_PATTERNS = [
    r"(?i)\b(?:ignore|disregard|forget|override)\b[^.。\n]{0,40}\b(?:instructions?|prompts?|rules|guidelines|directions)\b",
    r"(?i)\b(?:you are|you're|act as)\s+(?:now\s+)?(?:an?\s+)?(?:AI|assistant|language model|LLM|rater|system)\b",
    r"(?i)\bsystem\s+prompt\b",
    r"(?i)\bnew\s+instructions?\s*:",
    r"(?i)\b(?:rate|score|mark|classify|label|rank|flag|treat|consider)\s+(?:this|the)\s+"
    r"(?:article|story|item|news|post|piece|report)\b[^.。\n]{0,40}"
    r"\b(?:high|highest|top|critical|most important|important|100|maximum|max)\b",
    r"(?i)\b(?:set|give|assign|make)\b[^.。\n]{0,20}\b(?:importance|score|rating|priority)\b[^.。\n]{0,20}"
    r"\b(?:high|100|top|maximum|max|highest)\b",
    r"(?i)\"?\b(?:importance|score)\b\"?\s*[:=]\s*\"?(?:high|100)\b",
    r"(?i)\b(?:note|message|instruction|attention)s?\s+(?:to|for)\s+(?:the\s+|any\s+)?"
    r"(?:AI|LLM|model|assistant|language model|summari[sz]er|bot|crawler|analy[sz]er)s?\b",
    r"(?i)\b(?:AI|LLM|language model|assistant)s?\s+(?:reading|processing|summari[sz]ing|analy[sz]ing)\s+this\b",
    r"(?:忽略|无视|忘记|忘掉|不要理会)[^。\n]{0,12}(?:指令|指示|规则|要求|提示|设定)",
    r"(?:把|将|请把|请将)(?:本文|此文|该文|本条|这条|这篇|本篇|这则|本则)[^。\n]{0,10}"
    r"(?:评为|标记为|标为|设为|列为|定为|判定为|判为|打成|视为)",
    r"(?:重要性|重要程度|优先级|评级)[^。\n]{0,6}(?:设为|评为|标为|定为|必须是|应为|为|：|:)\s*[\"“]?(?:高|high|最高|最重要|top)",
    r"(?:评分|分数|打分|得分|score)[^。\n]{0,6}(?:设为|给|打|为|：|:)\s*(?:满分|100)",
    r"(?:你|您)(?:现在)?(?:是|扮演|作为)(?:一个)?(?:AI|人工智能|助手|模型|评审|系统)",
    r"系统提示",
    r"(?:致|给|告)(?:所有)?(?:AI|人工智能|大模型|模型|助手|机器人|爬虫)的?(?:提示|消息|指令|说明)",
    r"(?:AI|人工智能|大模型|模型|助手)[，,]?\s*(?:请|必须|务必|应当)(?:把|将|给|输出|评)",
]
INJECTION_RES = [re.compile(p) for p in _INJECTION_PATTERNS]


def find_injection(text: str) -> list[str]:
    """Instruction-like phrases addressed to a model or rater, found in untrusted article text."""
    hits: list[str] = []
    for rx in INJECTION_RES:
        hits.extend(m.group(0) for m in rx.finditer(text or ""))
    return hits


def without_injection(text: str) -> str:
    """The text with every sentence that carries an injection removed (for evidence counting)."""
    if not find_injection(text):
        return text
    kept = [s for s in split_sentences(text) if not find_injection(s)]
    return "\n".join(kept)
