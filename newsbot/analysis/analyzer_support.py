"""What the analyzers share: their configuration, their run figures, the LLM reply cache on disk, and
an analysis' outcome. The analyzers themselves are in newsbot.analysis.analyzer (the interface and the
offline one) and newsbot.analysis.llm_analyzer; newsbot.analysis.factory.make_analyzer picks one.
"""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from newsbot.analysis.llm import LLMConfig, Reply
from newsbot.config import config_for
from newsbot.config.values import ANALYZERS
from newsbot.runs import stat_keys as keys

logger = logging.getLogger(__name__)


class AnalyzerUnavailable(ValueError):
    """The analyzer asked for cannot run with these settings; the message is one line."""


@dataclass
class AnalysisConfig:
    mode: str  # llm | heuristic
    llm: LLMConfig
    timezone: ZoneInfo  # NEWSBOT_TIMEZONE: the dates the prompts and the summaries give
    prompts_dir: str | None = None
    max_input_tokens: int = 1500
    batch_size: int = 1
    batch_wait: float = 1.0
    price_prompt_per_1k: float = 0.0
    price_completion_per_1k: float = 0.0

    @classmethod
    def from_settings(
        cls, settings, *, analyzer: str | None = None, prompts_dir: str | None = None, strict: bool = False
    ) -> AnalysisConfig:
        """`analyzer` overrides NEWSBOT_ANALYZER. An LLM asked for but not configured is an error when
        `strict` (AnalyzerUnavailable), otherwise logged, and the offline analyzer stands in."""
        llm = LLMConfig.from_settings(settings)
        a = config_for(settings).analysis
        choice = (analyzer or a.analyzer).lower()
        if choice not in ANALYZERS:
            raise ValueError(f"the analyzer must be one of {', '.join(ANALYZERS)}, not {choice!r}")
        if choice == "auto":
            mode = "llm" if llm.api_key else "heuristic"
        elif choice == "llm" and not (llm.api_key or llm.base_url):
            if strict:
                raise AnalyzerUnavailable("needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)")
            logger.error("NEWSBOT_ANALYZER=llm but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set; using heuristics")
            mode = "heuristic"
        else:
            mode = choice
        return cls(
            mode=mode,
            llm=llm,
            timezone=config_for(settings).report.timezone,
            prompts_dir=prompts_dir or a.prompts_dir,
            max_input_tokens=a.max_input_tokens,
            batch_size=a.llm_batch,
            batch_wait=a.llm_batch_wait,
            price_prompt_per_1k=a.price_prompt_per_1k,
            price_completion_per_1k=a.price_completion_per_1k,
        )


class Counters:
    """Run figures, under newsbot.runs.stat_keys keys (LLM_CALLS, LLM_CACHE_HITS, ...); in a crawl, `sink` mirrors
    them into the crawl's Scrapy stats."""

    def __init__(self, sink=None):
        self.values: dict[str, float] = defaultdict(float)
        self.sink = sink

    def inc(self, key: str, value: float = 1) -> None:
        self.values[key] += value
        if self.sink is not None:
            self.sink(key, value)

    def get(self, key: str) -> float:
        return self.values.get(key, 0)

    def cost(self, cfg: AnalysisConfig) -> float:
        return round(
            self.get(keys.LLM_PROMPT_TOKENS) / 1000 * cfg.price_prompt_per_1k
            + self.get(keys.LLM_COMPLETION_TOKENS) / 1000 * cfg.price_completion_per_1k,
            6,
        )


class InvalidOutput(RuntimeError):
    pass


class DiskReplyCache:
    """LLM replies on disk, keyed by (model, method, prompt version, input, attempt): re-running an
    evaluation of an unchanged prompt costs nothing."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    async def get(self, key: str) -> Reply | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Reply(data["text"], data.get("prompt_tokens", 0), data.get("completion_tokens", 0), cached=True)

    async def put(self, key: str, reply: Reply) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        payload = {
            "text": reply.text,
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
        }
        tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)


@dataclass
class Outcome:
    record: dict
    status: str  # cached | restored | llm | heuristic | heuristic-fallback
    errors: list[str] = field(default_factory=list)
