"""The offline analyzer's judgements: each a small sum of named pieces of evidence, returned with the
evidence that decided it, so a wrong verdict can be traced to the word or entity that caused it and
fixed in data/*.tsv rather than in code.

    reading = Reading.of(article, gazetteer)
    judge_ai(reading, lexicon)                 # AiJudgement(relevant, score)
    judge_region(reading)                      # RegionJudgement(region, scores)
    judge_category(reading, lexicon)           # CategoryJudgement(category, scores)
    judge_importance(reading, lexicon, ai)     # ImportanceJudgement(points, money, subject, ...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.lexicon import Entity, Gazetteer, Lexicon, Mention
from newsbot.analysis.region import ZH_ORG_RE
from newsbot.analysis.region import RegionJudgement as RegionJudgement
from newsbot.analysis.region import judge_region as judge_region
from newsbot.analysis.schema import SCORE_BANDS, Category
from newsbot.text.amounts import find_money
from newsbot.text.boilerplate import strip_boilerplate
from newsbot.text.injection import find_injection, without_injection
from newsbot.text.sentences import first_sentences

AI_THRESHOLD = 4.0
AI_CONTEXT_CAP = AI_THRESHOLD - 1.0
# The lead (headline aside) that AI relevance is judged on, and the capped share of the body after it.
LEAD_SENTENCES = 3
BODY_AI_SHARE, BODY_AI_CAP = 0.5, 2.0
HIGH_AT, MEDIUM_AT = 60, 42
GOV_TITLE_POLICY = 14

# "广东：", "国家数据局：", "工信部等七部门：": a place or a government body speaking in the headline
# (a company's "小鹏汽车：" or a market wrap's "港股收评：" is not).
_GOV_HEAD_RE = re.compile(r"^([\u4e00-\u9fff]{2,12}?)(省|市|区|县|部|委|局|办|院|署|厅|部门)?[：:]")
# How many of its sentences an article is read by (summary.opening_summary picks from these).
OPENING_SENTENCES = 8
# How much of the body its names are looked for in, for the judgements (the record's entities read it all).
BODY_NAMES_CHARS = 4000


@dataclass(frozen=True)
class Reading:
    """The article as the analyzer reads it: planted instructions removed, names found once."""

    title: str
    opening: str  # the first two sentences
    body: str
    sentences: list[str]  # the first OPENING_SENTENCES: no judgement and no summary reads further
    title_m: list[Mention]
    opening_m: list[Mention]
    body_m: list[Mention]
    article: ArticleInput
    injection: list[str] = field(default_factory=list)
    publisher: Entity | None = None  # the organisation whose own site the article is on

    @classmethod
    def of(cls, art: ArticleInput, gaz: Gazetteer) -> Reading:
        injection = find_injection(f"{art.title}\n{art.text}")
        # Instructions planted in the text are not evidence of anything: drop their sentences first.
        title = without_injection(art.title) if injection else art.title
        # Bylines, reprint notices and sign-offs are no one's subject, and would take the lead's place.
        body = strip_boilerplate(without_injection(art.text) if injection else art.text)
        sentences = first_sentences(body, OPENING_SENTENCES)
        opening = " ".join(sentences[:2])
        return cls(
            title=title,
            opening=opening,
            body=body,
            sentences=sentences,
            title_m=gaz.find(title),
            opening_m=gaz.find(opening),
            body_m=gaz.find(body[:BODY_NAMES_CHARS]),
            article=art,
            injection=injection,
            publisher=gaz.of_host(_host(art.url)),
        )


def _host(url: str) -> str:
    try:
        return urlsplit(url or "").hostname or ""
    except ValueError:  # "http://[::1" and the like: no host to read
        return ""


# --- AI relevance --------------------------------------------------------------------------------
@dataclass(frozen=True)
class AiJudgement:
    """`score` sums the AI wording (title counts double) and the capped context; `context` is the
    context alone: context words ("chip", "数据中心") and the AI companies and models named."""

    relevant: bool
    score: float
    context: float


def judge_ai(r: Reading, lex: Lexicon) -> AiJudgement:
    # What the story is about is in its headline and lead; the rest of the body only corroborates, and
    # its share is capped: a long feature on a theme park or oil prices that mentions AI in passing
    # must not add up to an AI story.
    lead = " ".join(r.sentences[:LEAD_SENTENCES])
    wording = 2 * lex.score("ai", r.title) + lex.score("ai", lead)
    body = BODY_AI_SHARE * lex.score("ai", r.body[len(lead) : 3000]) if len(r.body) > len(lead) else 0.0
    # An AI lab, an AI chip maker or its founder named is AI news by itself ("Kimi K2.5 tops the chart").
    wording += 3.0 * len({m.entity.name for m in r.title_m if m.entity.ai == 2})
    wording += 2.0 * min(2, len({m.entity.name for m in r.opening_m if m.entity.ai == 2}))
    body += 0.5 * min(2, len({m.entity.name for m in r.body_m if m.entity.ai == 2}))
    # Context corroborates but never establishes relevance: a chip-funding or data-centre story, or a
    # big-tech company's food-delivery, phone or antitrust story, is not AI news on context alone.
    context = 2 * lex.score("ai_context", r.title) + lex.score("ai_context", lead)
    context += 0.5 * lex.score("ai_context", r.body[len(lead) : 3000])
    context += 2.0 * len({m.entity.name for m in r.title_m if m.entity.ai == 1})
    context += 1.0 * min(3, len({m.entity.name for m in r.body_m if m.entity.ai == 1}))
    # The body corroborates a headline about AI; under a headline with no AI in it (a restaurant chain's
    # sale, a toolmaker's shares) the headline and lead must make the case on their own.
    titled = lex.score("ai", r.title) > 0 or any(m.entity.ai for m in r.title_m)
    score = wording + (min(body, BODY_AI_CAP) if titled else 0.0) + min(context, AI_CONTEXT_CAP)
    return AiJudgement(relevant=score >= AI_THRESHOLD, score=round(score, 2), context=round(context, 2))


# --- category ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CategoryJudgement:
    category: str
    scores: dict[str, float]


def gov_title(lex: Lexicon, title: str, title_m: list[Mention]) -> bool:
    """A government speaks in the headline: "广东：…", "工信部等七部门：…", "China's cabinet issues…"."""
    if lex.hits("gov", title):
        return True
    head = _GOV_HEAD_RE.match(title)
    if not head:
        return False
    if head.group(2):
        return True
    # A bare name before the colon is a government only when it is a place: "杭州：…", not "小鹏汽车：…".
    return any(m.start == 0 and m.end == head.end(1) and m.entity.kind == "place" for m in title_m)


def judge_category(r: Reading, lex: Lexicon) -> CategoryJudgement:
    scores: dict[str, float] = {}
    for cat in lex.categories():
        group = f"cat:{cat}"
        scores[cat] = (
            2 * lex.score(group, r.title) + lex.score(group, r.opening) + 0.3 * lex.score(group, r.body[:3000])
        )
    if find_money(f"{r.title} {r.opening}") and scores.get(Category.funding.value, 0) > 0:
        scores[Category.funding.value] += 3
    if gov_title(lex, r.title, r.title_m):
        # A government speaking in the headline is policy news whatever it is about (compute, data, funds).
        scores[Category.policy.value] = scores.get(Category.policy.value, 0) + GOV_TITLE_POLICY
    # The source's `category` (sources.toml): its stories lean that way unless the text says otherwise.
    prior = r.article.home_category
    if prior:
        scores[prior] = scores.get(prior, 0) + 3
    shown = {k: round(v, 1) for k, v in scores.items() if v}
    best = max(scores, key=scores.get) if scores else Category.other.value
    if scores.get(best, 0) >= 3:
        return CategoryJudgement(best, shown)
    # No cue at all: a company doing something is business news; anything else is "other".
    if any(m.entity.kind == "org" for m in r.title_m) or ZH_ORG_RE.search(r.title):
        return CategoryJudgement(Category.business.value, shown)
    return CategoryJudgement(Category.other.value, shown)


# --- importance ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Subject:
    """Who the story is about; kind is org, person or place ("" when no one is named)."""

    name: str = ""
    kind: str = ""


def find_subject(r: Reading) -> Subject:
    """A named actor in the headline, else a Chinese company name the gazetteer does not know
    ("「天顿数据」"), else the most prominent actor in the opening."""
    actors = [m for m in r.title_m if m.entity.kind != "place"]
    if actors:
        m = max(actors, key=lambda m: (m.entity.tier, -m.start))
        return Subject(m.entity.name, m.entity.kind)
    unknown = ZH_ORG_RE.search(r.title)
    if unknown:
        return Subject(unknown.group(0).strip("「」"), "org")
    if r.title_m:
        return Subject(r.title_m[0].entity.name, r.title_m[0].entity.kind)
    if r.opening_m:
        m = max(r.opening_m, key=lambda m: (m.entity.kind != "place", m.entity.tier, -m.start))
        return Subject(m.entity.name, m.entity.kind)
    return Subject()


@dataclass(frozen=True)
class ImportanceWeights:
    """The points each piece of importance evidence earns. Tuned on the pooled golden set (every day
    at once, never one day): `scrapy evalprompts --analyzer heuristic --by-day` shows the result."""

    base: float = 30.0
    # (at least US$, points) for an amount in a deal; other amounts (revenue, market value) earn a share.
    money_tiers: tuple[tuple[float, float], ...] = ((1e10, 30), (1e9, 26), (7e7, 22), (1e7, 12), (0, 0))
    non_deal_money: float = 0.5
    body_colour: float = 0.0  # ... and an amount only the body names, in no deal: colour, not the story
    actor_by_tier: tuple[float, float, float] = (2, 12, 18)  # the top actor in the headline, by tier 0/1/2
    giant_in_opening: float = 5
    major_policy: float = 12  # a government speaking in the headline ("广东：…") about policy
    government_headline: float = 12  # ... without policy words
    policy_by_government: float = 12  # policy words in the headline, a government in the opening
    policy_headline: float = 6
    policy_mention: float = 5
    event_by_major: float = 10  # a release, deal or listing by a tier 1-2 actor
    event_by_other: float = 4
    flagship: float = 6  # "flagship", "new generation" or a versioned name in the headline
    flagship_by_ai_leader: float = 0  # ... released by a leading AI company (tier 2, AI by nature or business)
    first: float = 6
    own_launch: float = 8  # a maker's launch post on its own site ("Introducing X", "X 2: …")
    low_format: float = -14
    research: float = -2  # a paper or a lab's new method, unless it claims a first: incremental by default
    share_move_cap: float = 58  # a share-price story is the market's reaction, not the event itself
    non_ai_cap: float = 50
    non_ai_penalty: float = -10
    non_ai_regulated_cap: float = 52  # a regulator acting on a big company's other business stays notable
    source_weight: float = 40  # points per unit of the source's weight above 1.0


WEIGHTS = ImportanceWeights()

# A versioned product name in a headline: "GPT-5.3", "Claude Opus 5", "DeepSeek V4", "Gemini 3.5 Pro",
# "星火X2", "Galaxy S26". Not a year, an amount, a count or a quarter ("Q1", "Top 10", "$4bn", "3倍").
_VERSION_RE = re.compile(
    r"(?<![A-Za-z0-9.$€£¥])(?!(?:Top|Tops|First|Over|Up|Q|H|No|Top|Than|About|Series|Section|Article)[- ]?\d)"
    r"[A-Z][A-Za-z]*(?:[- ]?)\d{1,2}(?:\.\d{1,2})?[a-z]?(?![\d%]|[.,]\d)"
    r"(?!\s*(?:bn|billion|million|m\b|k\b|亿|万|年|月|日|倍|个|家|款|小时|座|台|城|%|percent))"
)


def versioned_names(title: str) -> list[str]:
    return [m.group(0) for m in _VERSION_RE.finditer(title)]


# How a maker headlines a launch on its own site, where it need not name itself or say "releases":
# "Introducing X", "Announcing X", "Meet X" (a name follows: "Meet the team" is no launch) ...
_INTRODUCE_RE = re.compile(r"^\s*(?:Introducing|Announcing|Meet|Say hello to)\s+[\"“‘']?[A-Z0-9]")
# ... or the new thing's versioned name alone before a colon, a dash or "is here" ("X 2: faster, cheaper").
_NAME_HEAD_RE = re.compile(r"^\s*([^:：|｜—–]{2,40}?)\s*(?:[:：|｜—–]|\s+is here\b|来了)")
NAME_HEAD_WORDS = 5


def launch_headline(title: str, lex: Lexicon) -> bool:
    """The headline announces a new product or model the way its maker writes it: "Introducing X",
    a versioned name heading it ("X 2: …"), or a versioned name with a release word."""
    if _INTRODUCE_RE.match(title):
        return True
    if not versioned_names(title):
        return False
    head = _NAME_HEAD_RE.match(title)
    if head and versioned_names(head.group(1)) and len(head.group(1).split()) <= NAME_HEAD_WORDS:
        # "GPT-5.3上手：…", "Claude Opus 5实测：…": a review of the model, not its launch.
        return not lex.hits("low", head.group(1))
    return bool(lex.hits("event", title))


def own_launch(r: Reading, lex: Lexicon, top: Mention | None) -> Entity | None:
    """The maker, when the article is its own launch post: it is on the maker's own site (r.publisher),
    the headline names no other actor above it, and it announces a new product or model. A maker's
    customer stories, partnerships and "now available on …" notes have no launch headline."""
    maker = r.publisher
    if maker is None or (top is not None and top.entity != maker):
        return None
    return maker if launch_headline(r.title, lex) else None


_MARKET_VALUE_RE = re.compile(r"市值|股价|营收|收入|利润|market (?:value|cap)|revenue|sales|profit", re.I)


def _clause_of(text: str, needle: str) -> str:
    at = text.index(needle)
    start = max(text.rfind(stop, 0, at) for stop in "，。；！？,;\n") + 1
    ends = [i for i in (text.find(stop, at + len(needle)) for stop in "，。；！？,;\n") if i >= 0]
    return text[start : min(ends, default=len(text))]


def _body_deal(r: Reading, lex: Lexicon, amount: str) -> bool:
    body = r.body[:3000]
    clause = _clause_of(body, amount) if amount in body else ""
    return bool(lex.hits("dealmoney", clause)) and not _MARKET_VALUE_RE.search(clause)


@dataclass(frozen=True)
class MoneyEvidence:
    """The largest amount named (headline and opening first, else the body) and whether it is a deal."""

    usd: float = 0.0
    text: str = ""
    deal: bool = False
    points: float = 0.0


def money_evidence(r: Reading, lex: Lexicon, w: ImportanceWeights = WEIGHTS) -> MoneyEvidence:
    head_text = f"{r.title}\n{r.opening}"
    money = find_money(head_text, approximate=True) or find_money(r.body[:3000])
    if not money:
        return MoneyEvidence()
    top = max(money, key=lambda m: m.usd)
    # Revenue, prices, market values and forecasts are not the funding or deals the level rules mean:
    # an amount whose own clause names a market value or revenue ("市值一度突破…") is no deal.
    clause = _clause_of(head_text, top.text) if top.text in head_text else ""
    deal = bool(lex.hits("dealmoney", head_text)) and not _MARKET_VALUE_RE.search(clause)
    # A figure the headline and lead leave out, in no deal of its own clause (a revenue line, a market
    # size, a pledge made long ago), is the colour a commentary or a feature is told with, not its news.
    share = w.non_deal_money if deal or top.text in head_text or _body_deal(r, lex, top.text) else w.body_colour
    for threshold, points in w.money_tiers:
        if top.usd >= threshold:
            return MoneyEvidence(top.usd, top.text, deal, points if deal else points * share)
    return MoneyEvidence(top.usd, top.text, deal)


# "first-quarter results", "the first half", "a first round": an ordinal of a period or a turn, no first.
_ORDINAL_RE = re.compile(
    r"[\s-]+(?:quarter|half|day|week|month|year|round|phase|stage|step|look|session|place|edition)s?\b", re.I
)
# "topped analysts' average estimate": a quarter's results beating a forecast, no milestone.
_BEATS_ESTIMATE_RE = re.compile(
    r"\s+(?:the\s+)?(?:wall\s+street['’]s?\s+|analysts?['’]?s?\s+)?(?:average\s+|consensus\s+)?"
    r"(?:estimates?|expectations?|forecasts?|projections?)\b",
    re.I,
)
_BEATS = ("tops", "topped", "beats", "surpass")
# "不超过40亿元", "未突破": a negated superlative is a ceiling, no first.
_ZH_NEGATION = "不未没无"
# The rest of a hyphenated English word: a reason quotes "first-ever", never a piece of a word.
_WORD_TAIL_RE = re.compile(r"[A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")


def first_words(lex: Lexicon, text: str) -> list[str]:
    """The superlatives and firsts a text claims, each as the whole word it stands in."""
    words = []
    for m in lex.matches("first", text):
        word = m.group(0)
        if word.isascii():
            lower = word.lower()
            if lower == "first" and _ORDINAL_RE.match(text, m.end()):
                continue
            if lower.startswith(_BEATS) and _BEATS_ESTIMATE_RE.match(text, m.end()):
                continue
            word += _WORD_TAIL_RE.match(text, m.end()).group(0)
        elif m.start() > 0 and text[m.start() - 1] in _ZH_NEGATION:
            continue
        words.append(word)
    return words


@dataclass(frozen=True)
class ImportanceJudgement:
    """Raw points (0-100) and what earned them; `level` and `score` place them on the shared bands."""

    points: int
    money: MoneyEvidence
    subject: Subject
    policy: list[str]
    firsts: list[str]
    low: list[str]
    flagship: list[str] = field(default_factory=list)
    own_launch: str = ""  # the maker whose own launch post this is

    @property
    def level(self) -> str:
        return importance_for(self.points)

    @property
    def score(self) -> int:
        return to_band(self.points)


def _top_actor(r: Reading) -> Mention | None:
    actors = [m for m in r.title_m if m.entity.kind != "place"]
    return max(actors, key=lambda m: (m.entity.tier, m.entity.ai), default=None)


def _actor_points(r: Reading, top: Mention | None, w: ImportanceWeights) -> float:
    """Points for the most important actor in the headline (a giant most)."""
    if top is not None:
        return w.actor_by_tier[top.entity.tier]
    if any(m.entity.tier == 2 and m.entity.kind != "place" for m in r.opening_m):
        return w.giant_in_opening
    return 0


def _policy_points(r: Reading, lex: Lexicon, policy: list[str], w: ImportanceWeights) -> float:
    # "广东：…" or "工信部等七部门：…": a government speaking in the headline sets policy, whatever its words.
    if gov_title(lex, r.title, r.title_m):
        return w.major_policy if policy else w.government_headline
    if lex.hits("policy", r.title):
        return w.policy_by_government if lex.hits("gov", r.opening) else w.policy_headline
    return w.policy_mention if policy else 0


def _event_points(r: Reading, lex: Lexicon, top: Mention | None, w: ImportanceWeights) -> float:
    if not lex.hits("event", r.title):
        return 0
    # A release or deal by a giant or leading lab is the "move by a giant" of the rules.
    return w.event_by_major if top is not None and top.entity.tier >= 1 else w.event_by_other


def _flagship_points(top: Mention | None, flagship: list[str], w: ImportanceWeights) -> float:
    """A new generation or a versioned model in the headline ("GPT-5.3", "Claude Opus 5"); most when it
    is a leading AI company's."""
    if not flagship:
        return 0
    if top is not None and top.entity.tier == 2 and top.entity.ai:
        return w.flagship + w.flagship_by_ai_leader
    return w.flagship


def judge_importance(
    r: Reading, lex: Lexicon, ai_relevant: bool, category: str | None = None, w: ImportanceWeights = WEIGHTS
) -> ImportanceJudgement:
    """Points for what the label rules call important: big money in a deal, a giant acting, a
    government setting policy, a flagship release, a first; minus formats that rarely matter."""
    head_text = f"{r.title}\n{r.opening}"
    money = money_evidence(r, lex, w)
    top = _top_actor(r)
    maker = own_launch(r, lex, top)
    if maker is not None and top is None:
        # "Introducing X" on the maker's own site: the site's owner is the headline's actor unnamed.
        top = Mention(maker, maker.name, -1, -1)
    policy = lex.hits("policy", head_text)
    firsts = first_words(lex, head_text)
    low = lex.hits("low", r.title)
    flagship = lex.hits("flagship", r.title) + versioned_names(r.title)
    score = w.base + money.points + _actor_points(r, top, w) + _policy_points(r, lex, policy, w)
    score += _event_points(r, lex, top, w) + _flagship_points(top, flagship, w)
    score += w.first if firsts else 0
    score += w.own_launch if maker is not None else 0
    score += w.low_format if low else 0
    score += w.research if category == Category.research.value and not firsts else 0
    score += (r.article.source_weight - 1.0) * w.source_weight
    if lex.hits("share_move", r.title):
        score = min(score, w.share_move_cap)
    if not ai_relevant:
        regulated = bool(policy) and bool(lex.hits("gov", head_text) or gov_title(lex, r.title, r.title_m))
        score = min(score, w.non_ai_regulated_cap if regulated else w.non_ai_cap) + w.non_ai_penalty
    subject = find_subject(r)
    if maker is not None and not subject.name:
        subject = Subject(maker.name, maker.kind)
    return ImportanceJudgement(
        points=int(max(0, min(100, round(score)))),
        money=money,
        subject=subject,
        policy=policy,
        firsts=firsts,
        low=low,
        flagship=flagship,
        own_launch=maker.name if maker is not None else "",
    )


def importance_for(points: int) -> str:
    return "high" if points >= HIGH_AT else "medium" if points >= MEDIUM_AT else "low"


def to_band(raw: int) -> int:
    """Map raw points onto the shared score bands (schema.SCORE_BANDS), so heuristic and LLM scores
    rank together and a score never contradicts its level."""
    level = importance_for(raw)
    lo, hi = {"high": (HIGH_AT, 100), "medium": (MEDIUM_AT, HIGH_AT), "low": (0, MEDIUM_AT)}[level]
    band_lo, band_hi = SCORE_BANDS[level]
    span = max(1, hi - lo)
    return int(round(band_lo + (min(raw, hi) - lo) * (band_hi - band_lo) / span))
