"""The one place that chooses the analyzer: every caller gets an Analyzer and never asks which."""

from __future__ import annotations

from newsbot.analysis.analyzer import Analyzer, OfflineAnalyzer
from newsbot.analysis.analyzer_support import AnalysisConfig
from newsbot.analysis.llm_analyzer import LLMAnalyzer


def make_analyzer(config: AnalysisConfig, db=None, **kwargs) -> Analyzer:
    """The analyzer `config` names (its mode, resolved from NEWSBOT_ANALYZER and the OpenAI settings);
    kwargs as Analyzer takes them (counters, reply_cache, store, offload)."""
    kind = LLMAnalyzer if config.mode == "llm" else OfflineAnalyzer
    return kind(config, db, **kwargs)
