"""The offline analyzer: the same record as the LLM's, from a gazetteer, a weighted lexicon, money
amounts, the source's standing and an extractive lead-sentence summary. No model, no network.

Every judgement is a small sum of named pieces of evidence (kept in `Evidence`), so a wrong verdict
can be traced to the word or entity that caused it, and fixed in data/*.tsv rather than in code.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass, field

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.lexicon import Gazetteer, Lexicon, Mention, data_digest, gazetteer, lexicon
from newsbot.analysis.schema import REASON_MAX_CHARS, SCORE_BANDS, SUMMARY_MAX_CHARS, Category
from newsbot.text.amounts import find_money
from newsbot.text.dates import strip_date_prefix
from newsbot.text.injection import find_injection, without_injection
from newsbot.text.sentences import split_sentences

logger = logging.getLogger(__name__)

# Bump when the scoring code changes; the data files are hashed in on their own.
ALGORITHM_VERSION = "3"

# Region evidence weights: where an entity is named matters more than how often.
TITLE_W, LEAD_W, BODY_W = 3.0, 1.5, 0.5
KIND_W = {"org": 1.0, "person": 0.9, "place": 0.6}
TIER_W = {2: 1.2, 1: 1.0, 0: 0.8}
HOME_PRIOR = 0.8

AI_THRESHOLD = 4.0
AI_CONTEXT_CAP = AI_THRESHOLD - 1.0
HIGH_AT, MEDIUM_AT = 60, 42
# Sources whose items are of one kind unless the text says otherwise (arXiv posts papers).
SOURCE_CATEGORY_PRIOR = {"arxiv": Category.research.value}

# A Chinese organisation name the gazetteer does not know: "天顿数据科技有限公司", "「擎波探索」".
_ZH_ORG_RE = re.compile(
    r"[\u4e00-\u9fff]{2,8}(?:科技|集团|股份|控股|资本|半导体|微电子|精工|新能源)(?:有限公司|股份有限公司|公司)?"
    r"|「[^」]{2,12}」"
)
# Names and model ids in English headlines: CamelCase, acronyms, or with digits ("GPT-5", "OpenClaw").
_NAME_RE = re.compile(r"\b(?:[A-Z][a-z]+[A-Z][A-Za-z]*|[A-Z]{2,}[a-z]*|[A-Za-z]+-?\d[\w.-]*)\b")
_GOV_HEAD_RE = re.compile(r"^[\u4e00-\u9fff]{2,10}(?:省|市|区|部|委|局|办|院|部门)?[：:]")
_YUAN_RE = re.compile(r"(?:人民币|\d(?:万|亿)?元|\byuan\b|\bRMB\b)", re.I)
_BRACKET_HEAD_RE = re.compile(r"^\s*[【\[][^】\]]{1,20}[】\]]\s*")
_WIRE_HEAD_RE = re.compile(r"^[^，。,]{0,16}?(?:\d{1,2}月\d{1,2}日)?(?:电|讯|消息)\s*[，,]")
_TAG_STOP = {
    "ai",
    "公司",
    "消息",
    "表示",
    "目前",
    "今年",
    "去年",
    "近日",
    "此次",
    "相关",
    "进行",
    "提供",
    "推动",
    "实现",
    "发展",
    "平台",
    "用户",
    "市场",
    "产品",
    "技术",
    "服务",
    "行业",
    "领域",
    "数据显示",
    "获悉",
    "报道",
    "the",
    "and",
    "said",
    "says",
    "with",
    "that",
    "this",
    "from",
    "will",
    "have",
    "has",
    "its",
    "for",
    "are",
    "was",
    "were",
    "their",
    "they",
    "which",
    "would",
    "could",
    "about",
    "after",
    "more",
    "than",
    "also",
    "into",
    "new",
    "company",
    "companies",
    "people",
    "year",
    "week",
}


@dataclass
class Evidence:
    ai_score: float = 0.0
    region_scores: dict[str, float] = field(default_factory=dict)
    money_usd: float = 0.0
    money_text: str = ""
    money_deal: bool = False
    top_entity: str = ""
    top_kind: str = ""
    policy: list[str] = field(default_factory=list)
    firsts: list[str] = field(default_factory=list)
    low: list[str] = field(default_factory=list)
    injection: list[str] = field(default_factory=list)
    category_scores: dict[str, float] = field(default_factory=dict)


@dataclass
class HeuristicResult:
    ai_relevant: bool
    region: str
    category: str
    importance: str
    score: int
    summary: str  # the lead, without the date prefix; English for an English source
    reason: str
    tags: list[str]
    entities: dict[str, list[str]]
    evidence: Evidence


def importance_for(score: int) -> str:
    return "high" if score >= HIGH_AT else "medium" if score >= MEDIUM_AT else "low"


def to_band(raw: int) -> int:
    """Map raw points onto the shared score bands (schema.SCORE_BANDS), so heuristic and LLM scores
    rank together and a score never contradicts its level."""
    level = importance_for(raw)
    lo, hi = {"high": (HIGH_AT, 100), "medium": (MEDIUM_AT, HIGH_AT), "low": (0, MEDIUM_AT)}[level]
    band_lo, band_hi = SCORE_BANDS[level]
    span = max(1, hi - lo)
    return int(round(band_lo + (min(raw, hi) - lo) * (band_hi - band_lo) / span))


_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba(gaz: Gazetteer):
    """jieba with the gazetteer's names added, so 月之暗面 or 上海人工智能实验室 stay one word."""
    global _jieba_ready
    import jieba
    import jieba.analyse

    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            for alias, entity in gaz.by_alias.items():
                if not alias.isascii() and len(alias) > 1:
                    jieba.add_word(alias, freq=20000, tag="nt" if entity.kind == "org" else "nr")
            _jieba_ready = True
    return jieba.analyse


class HeuristicAnalyzer:
    def __init__(self, gaz: Gazetteer | None = None, lex: Lexicon | None = None):
        self.gaz = gaz or gazetteer()
        self.lex = lex or lexicon()
        digest = hashlib.sha256(f"{ALGORITHM_VERSION}:{data_digest()}".encode()).hexdigest()
        self.version = f"h-{digest[:12]}"

    def warm_up(self) -> None:
        """Load jieba's dictionary (about a second) before the first article needs it."""
        _jieba(self.gaz).extract_tags("人工智能大模型", topK=1)

    # -- public ---------------------------------------------------------------------------------
    def analyze(self, art: ArticleInput) -> HeuristicResult:
        ev = Evidence(injection=find_injection(f"{art.title}\n{art.text}"))
        # Instructions planted in the text are not evidence of anything: drop their sentences first.
        title = without_injection(art.title) if ev.injection else art.title
        body = without_injection(art.text) if ev.injection else art.text
        sentences = split_sentences(body)
        lead = " ".join(sentences[:2])
        title_m, lead_m, body_m = self.gaz.find(title), self.gaz.find(lead), self.gaz.find(body[:4000])

        ai_relevant = self._ai(ev, title, body, title_m, body_m)
        region = self._region(ev, art, title, lead, title_m, lead_m, body_m)
        category = self._category(ev, art, title, lead, body, title_m)
        score = self._score(ev, art, title, lead, body, title_m, lead_m, body_m, ai_relevant, category)
        entities = self.gaz.names(f"{title}\n{body}")
        summary = lead_summary(sentences, title, art.lang, self.lex)
        tags = self._tags(ev, title, body, art.lang, category, title_m, body_m, ai_relevant)
        result = HeuristicResult(
            ai_relevant=ai_relevant,
            region=region,
            category=category,
            importance=importance_for(score),
            score=to_band(score),
            summary=summary,
            reason="",
            tags=tags,
            entities=entities,
            evidence=ev,
        )
        result.reason = compose_reason(result)
        return result

    # -- judgements -----------------------------------------------------------------------------
    def _ai(self, ev: Evidence, title: str, body: str, title_m: list[Mention], body_m: list[Mention]) -> bool:
        score = 2 * self.lex.score("ai", title) + self.lex.score("ai", body[:3000])
        # A chip-funding or data-centre story is not AI news on context words alone.
        context = 2 * self.lex.score("ai_context", title) + self.lex.score("ai_context", body[:3000])
        score += min(context, AI_CONTEXT_CAP)
        # An AI lab or its model named is AI news by itself ("Kimi K2.5 tops the chart").
        score += 3.0 * len({m.entity.name for m in title_m if m.entity.ai})
        score += 1.0 * min(3, len({m.entity.name for m in body_m if m.entity.ai}))
        ev.ai_score = round(score, 2)
        return score >= AI_THRESHOLD

    def _region(self, ev, art, title, lead, title_m, lead_m, body_m) -> str:
        scores = {"domestic": 0.0, "international": 0.0}

        def add(mentions: list[Mention], weight: float, cap: int | None = None) -> None:
            seen: dict[str, int] = {}
            for m in mentions:
                seen[m.entity.name] = seen.get(m.entity.name, 0) + 1
                if cap is not None and seen[m.entity.name] > cap:
                    continue
                scores[m.entity.region] += weight * KIND_W[m.entity.kind] * TIER_W[m.entity.tier]

        add(title_m, TITLE_W)
        add(lead_m, LEAD_W)
        add(body_m, BODY_W, cap=3)
        if art.lang == "zh":
            # Chinese-named organisations the gazetteer does not know are almost always Chinese.
            known = [(m.start, m.end) for m in title_m]
            unknown = [
                m for m in _ZH_ORG_RE.finditer(title) if not any(s < m.end() and m.start() < e for s, e in known)
            ]
            scores["domestic"] += 1.0 * min(2, len(unknown)) + 0.5 * min(2, len(_ZH_ORG_RE.findall(lead)))
        if _YUAN_RE.search(f"{title} {lead}"):
            scores["domestic"] += 0.5
        home = art.home_region
        if home in scores:
            scores[home] += HOME_PRIOR
        ev.region_scores = {k: round(v, 2) for k, v in scores.items()}
        if scores["domestic"] == scores["international"]:
            return home or "international"
        return max(scores, key=scores.get)

    def _category(self, ev: Evidence, art: ArticleInput, title: str, lead: str, body: str, title_m) -> str:
        scores: dict[str, float] = {}
        for cat in self.lex.categories():
            group = f"cat:{cat}"
            scores[cat] = (
                2 * self.lex.score(group, title)
                + self.lex.score(group, lead)
                + 0.3 * self.lex.score(group, body[:3000])
            )
        if find_money(f"{title} {lead}") and scores.get(Category.funding.value, 0) > 0:
            scores[Category.funding.value] += 3
        if self._gov_title(title, title_m):
            scores[Category.policy.value] = scores.get(Category.policy.value, 0) + 6
        prior = SOURCE_CATEGORY_PRIOR.get(art.source)
        if prior:
            scores[prior] = scores.get(prior, 0) + 3
        ev.category_scores = {k: round(v, 1) for k, v in scores.items() if v}
        best = max(scores, key=scores.get) if scores else Category.other.value
        if scores.get(best, 0) >= 3:
            return best
        # No cue at all: a company doing something is business news; anything else is "other".
        if any(m.entity.kind == "org" for m in title_m) or _ZH_ORG_RE.search(title):
            return Category.business.value
        return Category.other.value

    @staticmethod
    def _subject(title: str, title_m: list[Mention], lead_m: list[Mention]) -> tuple[str, str]:
        """Who the story is about: a named actor in the headline, else a Chinese company name the
        gazetteer does not know ("「天顿数据」"), else the most prominent actor in the lead."""
        actors = [m for m in title_m if m.entity.kind != "place"]
        if actors:
            m = max(actors, key=lambda m: (m.entity.tier, -m.start))
            return m.entity.name, m.entity.kind
        unknown = _ZH_ORG_RE.search(title)
        if unknown:
            return unknown.group(0).strip("「」"), "org"
        if title_m:
            return title_m[0].entity.name, title_m[0].entity.kind
        if lead_m:
            m = max(lead_m, key=lambda m: (m.entity.kind != "place", m.entity.tier, -m.start))
            return m.entity.name, m.entity.kind
        return "", ""

    def _gov_title(self, title: str, title_m) -> bool:
        """A government speaks in the headline: "广东：…", "工信部等七部门：…", "China's cabinet issues…"."""
        return bool(self.lex.hits("gov", title)) or bool(_GOV_HEAD_RE.match(title) and title_m)

    def _score(self, ev, art, title, lead, body, title_m, lead_m, body_m, ai_relevant, category) -> int:
        """Points for what the label rules call important: big money in a deal, a giant acting, a
        government setting policy, a flagship release, a first; minus formats that rarely matter."""
        score = 30.0
        head_text = f"{title}\n{lead}"
        money = find_money(head_text) or find_money(body[:3000])
        if money:
            top = max(money, key=lambda m: m.usd)
            ev.money_usd, ev.money_text = top.usd, top.text
            for threshold, points in ((1e10, 30), (1e9, 26), (7e7, 22), (1e7, 12), (1e6, 6), (0, 2)):
                if top.usd >= threshold:
                    # Revenue, prices and forecasts are not the funding or deals the level rules mean.
                    ev.money_deal = bool(self.lex.hits("dealmoney", head_text))
                    score += points if ev.money_deal else points * 0.5
                    break
        ev.top_entity, ev.top_kind = self._subject(title, title_m, lead_m)
        actors = [m.entity.tier for m in title_m if m.entity.kind != "place"]
        top_actor = max(actors, default=-1)
        if top_actor >= 0:
            score += {2: 16, 1: 8, 0: 2}[top_actor]
        elif any(m.entity.tier == 2 and m.entity.kind != "place" for m in lead_m):
            score += 5
        ev.policy = self.lex.hits("policy", head_text)
        # "广东：…" or "工信部等七部门：…": a government speaking in the headline.
        gov_title = self._gov_title(title, title_m)
        if ev.policy and (gov_title or self.lex.hits("policy", title)):
            score += 22 if gov_title or self.lex.hits("gov", lead) else 12
        elif ev.policy:
            score += 5
        if self.lex.hits("event", title):
            # A release or deal by a giant or leading lab is the "move by a giant" of the rules.
            score += 10 if top_actor >= 1 else 4
            if self.lex.hits("flagship", title):
                score += 6
        ev.firsts = self.lex.hits("first", head_text)
        if ev.firsts:
            score += 6
        ev.low = self.lex.hits("low", title)
        if ev.low:
            score -= 14
        if not ai_relevant:
            score = min(score, 50) - 10
        score += (art.source_weight - 1.0) * 40
        return int(max(0, min(100, round(score))))

    # -- tags -----------------------------------------------------------------------------------
    def _tags(self, ev, title, body, lang, category, title_m: list[Mention], body_m: list[Mention], ai_relevant):
        tags: list[str] = []

        def push(tag: str) -> None:
            tag = tag.strip()
            if tag and not any(tag.lower() in t.lower() or t.lower() in tag.lower() for t in tags) and len(tags) < 6:
                tags.append(tag)

        if category != Category.other.value:
            push(category)
        title_names = {m.entity.name for m in title_m}
        actors = {m.entity.name: m for m in title_m + body_m if m.entity.kind != "place"}.values()
        if ev.top_entity and ev.top_kind != "place":
            push(ev.top_entity)
        for m in sorted(actors, key=lambda m: (m.entity.name not in title_names, -m.entity.tier, m.start))[:2]:
            push(m.entity.name)
        # Topic tags from the lexicon work for both languages ("humanoid robot" gives 人形机器人).
        text = f"{title}\n{title}\n{body[:1500]}"
        topics = sorted(
            ((self.lex.score(g, text), g.split(":", 1)[1]) for g in self.lex.groups if g.startswith("tag:")),
            reverse=True,
        )
        for weight, name in topics[:2]:
            if weight >= 2:
                push(name)
        if lang == "zh":
            analyse = _jieba(self.gaz)
            for word in analyse.extract_tags(text, topK=15, allowPOS=("n", "nz", "nt", "nr", "vn", "eng")):
                if len(tags) >= 5:
                    break
                if _good_tag(word):
                    push(word)
        else:
            # English keywords make poor Chinese tags; names and model ids ("OpenClaw", "GPT-5") do not.
            for word in _NAME_RE.findall(title):
                if len(tags) >= 5:
                    break
                if _good_tag(word):
                    push(word)
        if ai_relevant:
            push("人工智能")
        for filler in ("科技", "产业动态", "新闻"):
            if len(tags) >= 3:
                break
            push(filler)
        return tags


def _good_tag(word: str) -> bool:
    w = word.strip()
    if w.lower() in _TAG_STOP or w.isdigit() or len(w) < 2 or len(w) > 16:
        return False
    if re.fullmatch(r"[\d.%年月日]+", w):
        return False
    if w.isascii():
        return len(w) >= 3 and (w.isupper() or bool(_NAME_RE.fullmatch(w)))
    return True


# --- summary and reason --------------------------------------------------------------------------
def _clean_lead(sentence: str, lex: Lexicon) -> str:
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


def lead_summary(sentences: list[str], title: str, lang: str, lex: Lexicon) -> str:
    """The lead sentence, cleaned of wire-service openings, within the summary length cap.
    A short Chinese lead is joined with the next sentence, as the seed's one-sentence summaries do."""
    limit = SUMMARY_MAX_CHARS - 8 if lang == "zh" else 320
    picked: list[str] = []
    for raw in sentences[:8]:
        if _is_boilerplate(raw, lex):
            continue
        s = _clean_lead(raw, lex)
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


def compose_reason(r: HeuristicResult) -> str:
    """入选理由 from the evidence that decided the level, in the seed's "属于…，主体是…" pattern."""
    ev = r.evidence
    parts = [f"属于{r.category}" if r.category != Category.other.value else "属于行业动态"]
    if ev.top_entity and ev.top_kind in _KIND_WORD:
        parts.append(f"主体是{_REGION_WORD[r.region]}{_KIND_WORD[ev.top_kind]}{ev.top_entity}")
    elif ev.top_entity:
        parts.append(f"主体是{ev.top_entity}")
    else:
        parts.append(f"主体为{_REGION_WORD[r.region]}企业或机构")
    if ev.money_text:
        parts.append(f"涉及{ev.money_text}的资金规模" if ev.money_deal else f"涉及金额{ev.money_text}")
    if ev.policy:
        parts.append("涉及政策或监管动向")
    if ev.firsts:
        parts.append(f"具有“{ev.firsts[0]}”等标志性")
    if ev.low:
        parts.append("内容以活动、观点或评测为主，影响有限")
    if not r.ai_relevant:
        parts.append("与人工智能关联度较低")
    elif r.importance == "high":
        parts.append("对AI产业格局有较大影响")
    text = "，".join(parts)
    return text[: REASON_MAX_CHARS - 1] + "。"
