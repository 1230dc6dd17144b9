"""The offline analyzer: the same record as the LLM's, from a gazetteer, a weighted lexicon, money
amounts, the source's standing and an extractive summary of the article's opening. No model, no network.

Each judgement (newsbot.analysis.judgements) returns its verdict with the evidence that decided it;
the reason (summary.compose_reason) and the tags (tags.choose_tags) are written from those values.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import threading
from dataclasses import dataclass, field

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.judgements import (
    BODY_NAMES_CHARS,
    AiJudgement,
    CategoryJudgement,
    ImportanceJudgement,
    Reading,
    RegionJudgement,
    importance_for,
    judge_ai,
    judge_category,
    judge_importance,
    judge_region,
    to_band,
)
from newsbot.analysis.lexicon import Gazetteer, Lexicon, Mention, data_digest, gazetteer, lexicon
from newsbot.analysis.summary import compose_reason, lead_tag, opening_summary
from newsbot.analysis.tags import choose_tags, jieba_warm, warm_up_jieba
from newsbot.runtime.gc_policy import settle

logger = logging.getLogger(__name__)

__all__ = ["ALGORITHM_VERSION", "Evidence", "HeuristicAnalyzer", "HeuristicResult", "importance_for", "to_band"]

# Bump when the scoring code changes; the data files are hashed in on their own.
ALGORITHM_VERSION = "8"
# How many entities an English lead's Chinese label names.
TAG_ENTITIES = 2


@dataclass(frozen=True)
class Evidence:
    """Every judgement with what decided it, and any instructions found planted in the article."""

    ai: AiJudgement
    region: RegionJudgement
    category: CategoryJudgement
    importance: ImportanceJudgement
    injection: list[str] = field(default_factory=list)


@dataclass
class HeuristicResult:
    ai_relevant: bool
    region: str
    category: str
    importance: str
    score: int
    summary: str  # from the article's opening, without the date prefix; English for an English source
    reason: str
    tags: list[str]
    entities: dict[str, list[str]]
    evidence: Evidence


# event loop -> the process's one jieba load (every crawler of a digest shares it)
_tokenizer_loads: dict[int, asyncio.Future] = {}


def _load_tokenizer(gaz: Gazetteer) -> None:
    warm_up_jieba(gaz)
    settle("jieba")


class HeuristicAnalyzer:
    def __init__(self, gaz: Gazetteer | None = None, lex: Lexicon | None = None):
        self.gaz = gaz or gazetteer()
        self.lex = lex or lexicon()
        digest = hashlib.sha256(f"{ALGORITHM_VERSION}:{data_digest()}".encode()).hexdigest()
        self.version = f"h-{digest[:12]}"

    def warm_up(self) -> None:
        """Everything an article may need, loaded now (benchmarks, tools): the term patterns and jieba."""
        self.compile_terms()
        warm_up_jieba(self.gaz)

    def compile_terms(self) -> None:
        """Compile the term patterns (0.1 s) before the first article needs them."""
        self.gaz.matcher.compile_all()
        self.lex.matcher.compile_all()
        settle("terms")

    def load_tokenizer_for(self, art: ArticleInput) -> None:
        """tokenizer_ready, blocking: for a worker process, which has nothing else to do meanwhile."""
        if art.lang == "zh" and not jieba_warm():
            _load_tokenizer(self.gaz)

    async def tokenizer_ready(self, art: ArticleInput) -> None:
        """Only Chinese articles use jieba (their keyword tags), and loading it costs about 2 s of CPU:
        a run of English feeds never pays, and a run with Chinese ones pays once per process, on a
        worker thread, rather than stalling the reactor thread on its first Chinese article."""
        if art.lang != "zh" or jieba_warm():
            return
        loop = asyncio.get_running_loop()
        load = _tokenizer_loads.get(id(loop))
        if load is None:
            load = _tokenizer_loads[id(loop)] = loop.run_in_executor(None, _load_tokenizer, self.gaz)
        await asyncio.shield(load)

    def analyze(self, art: ArticleInput) -> HeuristicResult:
        r = Reading.of(art, self.gaz)
        ai = judge_ai(r, self.lex)
        region = judge_region(r)
        category = judge_category(r, self.lex)
        importance = judge_importance(r, self.lex, ai.relevant, category.category)
        tags = choose_tags(
            r.title,
            r.body,
            art.lang,
            category.category,
            importance.subject,
            r.title_m,
            # Actors named in the lead, not anywhere in the body: a name in passing is not a tag.
            r.opening_m,
            ai.relevant,
            self.gaz,
            self.lex,
        )
        summary = opening_summary(r.sentences, r.title, art.lang, self.lex)
        if art.lang != "zh":
            # A reader with no English still sees what the story is about and who is in it.
            summary = lead_tag(category.category, main_entities(r, TAG_ENTITIES)) + summary
        return HeuristicResult(
            ai_relevant=ai.relevant,
            region=region.region,
            category=category.category,
            importance=importance.level,
            score=importance.score,
            summary=summary,
            reason=compose_reason(category.category, region.region, ai.relevant, importance, summary),
            tags=tags,
            entities=self.gaz.names_of(r.title_m + self._body_mentions(r)),
            evidence=Evidence(ai, region, category, importance, r.injection),
        )

    def _body_mentions(self, r: Reading) -> list[Mention]:
        """Every name in the body. The names of "title\\nbody" are the title's then the body's (no name
        spans a line break, and a line break is a word edge like the text's start and end)."""
        return r.body_m if len(r.body) <= BODY_NAMES_CHARS else self.gaz.find(r.body)


def main_entities(r: Reading, limit: int) -> list[str]:
    """The organisations and people the headline names (else the lead sentence), by their Chinese names."""
    for mentions in (r.title_m, [m for m in r.opening_m if r.sentences and m.start < len(r.sentences[0])]):
        names = list(dict.fromkeys(m.entity.name for m in mentions if m.entity.kind != "place"))
        if names:
            return names[:limit]
    return []


# --- in a worker process (newsbot.runtime.workers) -----------------------------------------------------------
@functools.cache
def _analyzer_here() -> HeuristicAnalyzer:
    analyzer = HeuristicAnalyzer()
    analyzer.compile_terms()
    return analyzer


def analyze_in_worker(art: ArticleInput) -> HeuristicResult:
    """HeuristicAnalyzer.analyze, for a worker process: the process's own analyzer, built on first use."""
    analyzer = _analyzer_here()
    analyzer.load_tokenizer_for(art)
    return analyzer.analyze(art)


def warm_up_worker(tokenizer: bool = False) -> None:
    """A worker's start: the term patterns and the parsers, before the first article and page need them;
    with `tokenizer` (a Chinese source), jieba too, on a thread of its own: its 2 s must not hold up the
    pages and feeds meanwhile (a Chinese article waits for it, in load_tokenizer_for)."""
    from newsbot.parsers.registry import warm_up_parsers

    analyzer = _analyzer_here()
    warm_up_parsers()
    if tokenizer and not jieba_warm():
        threading.Thread(target=_load_tokenizer, args=(analyzer.gaz,), daemon=True, name="jieba-load").start()
