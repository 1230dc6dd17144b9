"""What the offline analyzer writes: an extractive summary from the article's opening sentences, and
the 入选理由 from the evidence that decided the level.

An English lead (offline, the summary of an English article stays English) is made to stand alone and
to say in Chinese what it is about:

  * a lead that starts with a pronoun ("He said…"), a bare surname ("Tan said…"), an anaphoric noun
    ("The executive, who…") or that never names the headline's subject (an FT standfirst: "German
    group's round … values it at €20bn") is put after the headline: "Helsing raises €1.2bn …: German
    group's round …" (one sentence, so the subject is the headline's);
  * it is tagged with its Chinese category and the Chinese names of its main entities:
    "【融资｜英伟达、OpenAI】Nvidia Corp. is close to …" (`lead_tag`; 其他 reads 行业动态).
"""

from __future__ import annotations

import re

from newsbot.analysis.judgements import OPENING_SENTENCES, ImportanceJudgement
from newsbot.analysis.lexicon import Lexicon
from newsbot.analysis.schema import REASON_MAX_CHARS, SUMMARY_MAX_CHARS, Category
from newsbot.text.amounts import find_money
from newsbot.text.dates import strip_date_prefix
from newsbot.text.lang import is_chinese

_BRACKET_HEAD_RE = re.compile(r"^\s*[【\[][^】\]]{1,20}[】\]]\s*")
_WIRE_HEAD_RE = re.compile(r"^[^，。,]{0,16}?(?:\d{1,2}月\d{1,2}日)?(?:电|讯|消息)\s*[，,]")


def _clean_opening(sentence: str, lex: Lexicon) -> str:
    """The sentence without what a wire or site puts first. Heads come stacked ("36氪获悉，2月3日，…"),
    so they are taken off until none is left: a date under a credit would follow our own date prefix."""
    s = sentence.strip()
    while True:
        before = s
        s = _BRACKET_HEAD_RE.sub("", s)
        s = strip_date_prefix(s)
        s = _WIRE_HEAD_RE.sub("", s, count=1) if len(s) > 30 else s
        for phrase in sorted(lex.terms.get("boilerplate", []), key=len, reverse=True):
            if s.startswith(phrase):
                s = s[len(phrase) :].lstrip("，,：:｜| ")
                break
        s = s.strip()
        if s == before:
            return s


_WORD_CHARS_RE = re.compile(r"[\w\-.]", re.UNICODE)


def _bigrams(text: str) -> set[str]:
    chars = "".join(_WORD_CHARS_RE.findall(text.lower()))
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def repeats(part: str, lead: str, share: float = 0.6) -> bool:
    """Whether `part` (a headline, a next sentence) says again what `lead` says: most of its character
    pairs are in it ("智谱发布GLM-5" beside "智谱今日发布GLM-5，…")."""
    pairs = _bigrams(part)
    return bool(pairs) and len(pairs & _bigrams(lead)) >= share * len(pairs)


def _is_boilerplate(sentence: str, lex: Lexicon) -> bool:
    head = sentence.strip()[:12]
    return any(
        head.startswith(p) for p in ("图片来源", "文｜", "编辑｜", "作者｜", "来源：", "题图", "封面来源", "责编")
    )


SHORT_ZH_LEAD = 30


def opening_summary(sentences: list[str], title: str, lang: str, lex: Lexicon) -> str:
    """The opening sentence, cleaned of wire-service openings, within the summary length cap.
    A short Chinese opening sentence is joined with the next one, as the seed's one-sentence summaries do."""
    limit = SUMMARY_MAX_CHARS - 8 if lang == "zh" else 320
    picked: list[str] = []
    for raw in sentences[:OPENING_SENTENCES]:
        if _is_boilerplate(raw, lex):
            continue
        s = _clean_opening(raw, lex)
        min_len = 12 if lang == "zh" else 40
        if len(s) < min_len and not picked:
            continue
        if not picked or lang == "zh" and len(picked[0]) < 50 and len(picked[0]) + len(s) < limit:
            if picked and (repeats(s, picked[0]) or repeats(picked[0], s)):
                continue
            picked.append(s)
        if lang != "zh" or len("".join(picked)) >= 50:
            break
    if not picked:
        picked = [title]
    if lang == "zh":
        # A feed's one-line dek ("首款芯片已获多家手机和PC厂商定点。") says too little alone: the headline leads.
        lead = "".join(picked)
        if len(lead) < SHORT_ZH_LEAD and picked[0] != title and title.strip() and not repeats(title, lead):
            picked = [title.strip(), *picked]
        text = "，".join(p.rstrip("。！？!?；;，,") for p in picked)
        text = _cap(text, limit, "，、；").rstrip("，,、；;：:") + "。"
    else:
        text = _cap(self_contained_lead(" ".join(picked), title), limit, " ")
    return text


# --- English leads --------------------------------------------------------------------------------
_PRONOUN_START_RE = re.compile(r"^(?:He|She|It|They|We|I|His|Her|Its|Their|This|That|These|Those)\b")
# "The executive, who led…", "The company said…": a reference back to a subject the lead never names.
_ANAPHORA_START_RE = re.compile(r"^(?:The|This|That|These|Those|Such)\s+[a-z]")
# "Tan said…", "Nadella told…": a surname the reader has not been introduced to.
_BARE_SURNAME_RE = re.compile(
    r"^[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+(?:said|says|told|added|noted|wrote|argued|warned|explained|stated)\b"
)
_NAME_RE = re.compile(r"\b[A-Z][A-Za-z0-9&.\-]*[A-Za-z0-9]|\b[A-Z]\b")
# Capitalised words that name nothing: articles, prepositions and the verbs of title-case headlines.
_NOT_NAMES = frozenset(
    {"A", "An", "The", "And", "Or", "But", "Of", "In", "On", "At", "To", "For", "From", "With", "By", "As"}
    | {"After", "Before", "Over", "Into", "Its", "It", "Is", "Are", "Was", "Be", "New", "Says", "Said", "Plans"}
    | {"Set", "Sets", "Will", "Could", "May", "Why", "How", "What"}
)
LEAD_SUBJECT_WORDS = 12


def _names(text: str) -> set[str]:
    return {n.removesuffix("'s").removesuffix("’s") for n in _NAME_RE.findall(text)} - _NOT_NAMES


def lacks_subject(lead: str, title: str) -> bool:
    """The lead does not say who: it starts with a pronoun, an anaphoric noun or a bare surname, or its
    opening words share no name with the headline."""
    if _PRONOUN_START_RE.match(lead) or _ANAPHORA_START_RE.match(lead):
        return True
    speaker = _BARE_SURNAME_RE.match(lead)
    # "Tan said…" under "Intel CEO Lip-Bu Tan says…": the headline gives the surname a first name or an
    # employer ("Microsoft's Nadella"); "Nintendo said…" under "Nintendo Switch 2 sales…" is a name.
    if speaker and re.search(rf"[A-Z][\w'’.-]*\s+{re.escape(lead.split()[0])}\b", title):
        return True
    opening = " ".join(lead.split()[:LEAD_SUBJECT_WORDS])
    title_names = _names(title)
    return bool(title_names) and not (title_names & _names(opening))


def self_contained_lead(lead: str, title: str) -> str:
    """An English lead that names its subject: as it is, or after the headline that does."""
    title = title.strip().rstrip(".;:")
    if not title or not lead or is_chinese(lead) or not lacks_subject(lead, title):
        return lead
    return f"{title}: {lead}"


def lead_tag(category: str, names: list[str]) -> str:
    """The Chinese label an offline English lead starts with: 【融资｜英伟达、OpenAI】."""
    label = category if category != Category.other.value else "行业动态"
    return f"【{label}｜{'、'.join(names)}】" if names else f"【{label}】"


LEAD_TAG_RE = re.compile(r"^【[^】]{1,60}】")


def lead_text(summary: str) -> str:
    """A stored summary's own words: without the date prefix or the Chinese label of an English lead."""
    return LEAD_TAG_RE.sub("", strip_date_prefix(summary), count=1).strip()


def _cap(text: str, limit: int, breaks: str) -> str:
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind(ch) for ch in breaks)
    return head[:cut] if cut > limit * 0.5 else head


_REGION_WORD = {"domestic": "中国", "international": "海外"}
_KIND_WORD = {"org": "机构", "person": "人物"}


def states_amount(summary: str, amount: str, usd: float) -> bool:
    """Whether the summary states the amount: as written, or as another writing of the same sum
    ("$5 billion" and "$5bn")."""
    if not amount or not summary:
        return False
    if amount in summary:
        return True
    return any(abs(m.usd - usd) <= 0.005 * usd for m in find_money(summary, approximate=True))


def compose_reason(category: str, region: str, ai_relevant: bool, importance: ImportanceJudgement, summary: str) -> str:
    """入选理由 from the evidence that decided the level, in the seed's "属于…，主体是…" pattern. It
    cites an amount only when the summary beside it states that amount: one found deeper in the
    article would be a figure the reader cannot place."""
    parts = [f"属于{category}" if category != Category.other.value else "属于行业动态"]
    subject, money = importance.subject, importance.money
    if subject.name and subject.kind in _KIND_WORD:
        parts.append(f"主体是{_REGION_WORD[region]}{_KIND_WORD[subject.kind]}{subject.name}")
    elif subject.name:
        parts.append(f"主体是{subject.name}")
    else:
        parts.append(f"主体为{_REGION_WORD[region]}企业或机构")
    if states_amount(summary, money.text, money.usd):
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
