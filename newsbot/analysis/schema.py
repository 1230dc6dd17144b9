"""The analysis record: what the model must return, and what is stored on each article.

Stored as `analysis` on the article document in MongoDB:
    ai_relevant, region, category, importance, score, summary_zh, reason_zh, tags,
    entities, analyzer, model, prompt_version, usage {prompt_tokens, completion_tokens}, analyzed_at
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Region(StrEnum):
    domestic = "domestic"
    international = "international"


class Importance(StrEnum):
    """The levels, most important first: the member order is the order of the report."""

    high = "high"
    medium = "medium"
    low = "low"

    @classmethod
    def order(cls, level: str | None) -> int:
        """A sort key, most important first: 0 for high, 1 medium, 2 low, 3 for anything else."""
        try:
            return list(cls).index(cls(level))
        except ValueError:
            return len(cls)

    @classmethod
    def outranks(cls, level: str, other: str) -> bool:
        """Whether `level` is more important than `other`."""
        return cls.order(level) < cls.order(other)


class Category(StrEnum):
    policy = "政策法规"
    funding = "融资"
    product = "产品发布"
    research = "学术突破"
    business = "商业动态"
    partnership = "战略合作"
    people = "人物动态"
    safety = "安全伦理"
    infrastructure = "基础设施"
    other = "其他"


class AnalyzerKind(StrEnum):
    llm = "llm"
    heuristic = "heuristic"
    fallback = "heuristic-fallback"


IMPORTANCE_MARK = {"high": "🔥", "medium": "📌", "low": "📄"}
# The one name of an entry's other reports, in every format and message, so readers learn one word.
ALSO_LABEL = "同时报道"
# A summary is one sentence in the seed's style; the longest seed summary is ~110 characters.
SUMMARY_MAX_CHARS = 160
REASON_MAX_CHARS = 160


class ModelJudgement(BaseModel):
    """What the model returns. No URL, source or title: those are built in code from the article."""

    ai_relevant: bool
    region: Region
    category: Category
    importance: Importance
    score: int = Field(ge=0, le=100)
    summary: str = Field(description="one Chinese sentence, no date prefix")
    reason: str = Field(description="入选理由, one Chinese sentence")
    tags: list[str] = Field(min_length=3, max_length=6)


class Entities(BaseModel):
    """Names found by the gazetteer (canonical forms), used by the report to cluster same-event stories."""

    organizations: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class AnalysisRecord(BaseModel):
    """The `analysis` subdocument stored on each article."""

    ai_relevant: bool
    region: Region
    category: Category
    importance: Importance
    score: int = Field(ge=0, le=100)
    summary_zh: str = Field(min_length=1)
    reason_zh: str = Field(min_length=1, max_length=REASON_MAX_CHARS)
    tags: list[str] = Field(min_length=3, max_length=6)
    entities: Entities
    analyzer: AnalyzerKind
    model: str
    prompt_version: str
    usage: Usage
    analyzed_at: datetime
    # What was analysed (title, text, date): a changed article is analysed again.
    input_hash: str = ""
    # The article carried instructions aimed at the model; its level was capped by the evidence.
    injection_suspected: bool = False
    # Why the LLM path failed, for heuristic-fallback records.
    error: str | None = None


# Score bands of the levels, so a stored score never contradicts its level when sorting.
SCORE_BANDS = {"high": (70, 100), "medium": (40, 69), "low": (0, 39)}
