"""The Analyzer interface: one validated analysis record per article, stored on the article.

An Analyzer decides, for each article, whether its stored analysis is still current (same input, same
prompt version, same model: then nothing is done), judges it, and writes the record. Every analyzer
makes the offline judgement (the heuristic: milliseconds, no network); the LLM analyzer
(newsbot.analysis.llm_analyzer) then asks a model about the articles worth a call. Which one runs is
decided once, by newsbot.analysis.factory.make_analyzer: the pipelines, `scrapy evalprompts`, the
report command and the benchmarks all talk to this interface and never ask which analyzer they hold.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from newsbot.analysis.analyzer_support import AnalysisConfig, Counters, Outcome
from newsbot.analysis.article import ArticleInput
from newsbot.analysis.heuristic import HeuristicAnalyzer, HeuristicResult, analyze_in_worker, warm_up_worker
from newsbot.analysis.llm import Gate
from newsbot.analysis.overview_writer import HIGHLIGHT_PREFIX, OverviewResult, heuristic_overview
from newsbot.analysis.schema import REASON_MAX_CHARS, AnalysisRecord, AnalyzerKind
from newsbot.analysis.tags import jieba_warm
from newsbot.runs import stat_keys as keys
from newsbot.runtime.workers import Offload
from newsbot.storage.articles import find_article, store_analysis
from newsbot.storage.errors import StoreError
from newsbot.text.dates import date_prefix
from newsbot.text.sentences import cut_to_budget

logger = logging.getLogger(__name__)

STORE_ATTEMPTS = 3  # a dropped connection or a paused pool is retried; a lost analysis costs a re-run
INJECTION_NOTE = "文中含有诱导评级的文字，等级按客观证据确定"


class Analyzer:
    """What every analyzer does. A subclass says what its best judgement is (`judge`), which stored
    records it keeps (`keeps`), and which it would replace by asking again (`improves`)."""

    # The stats' and the evaluation's name for this analyzer (newsbot/analysis/mode).
    name = "heuristic"

    def __init__(
        self,
        config: AnalysisConfig,
        db=None,
        *,
        counters: Counters | None = None,
        reply_cache=None,
        store=None,
        offload: Offload | None = None,
        gate: Gate | None = None,
    ):
        self.config = config
        # The LLM endpoint's gate, when the crawlers of a process share one (newsbot.runtime.resources).
        self.gate = gate
        self.db = db
        # A shared Store (newsbot.storage.connection): its articles are read and analyses written in
        # batches with every other analysis of the process, two round trips per batch, not per article.
        self.store = store
        self.counters = counters or Counters()
        self.reply_cache = reply_cache
        self.heuristic = HeuristicAnalyzer()
        # The heuristic in a worker process (a crawl's pipeline); otherwise on this thread.
        self.offload = offload if offload is not None and offload.size > 0 else None

    # -- what differs between analyzers ----------------------------------------------------------
    @property
    def version(self) -> str:
        return self.heuristic.version

    @property
    def model(self) -> str:
        return "heuristic"

    def keeps(self, existing: dict | None, input_hash: str) -> bool:
        """Whether a stored record is as good as this analyzer's offline judgement would make it now."""
        if not existing:
            return False
        if existing.get("analyzer") == AnalyzerKind.llm:
            # Offline runs never overwrite a model's analysis with a weaker one.
            return True
        return self._heuristic_current(existing, input_hash)

    def is_current(self, existing: dict | None, input_hash: str) -> bool:
        """Whether a stored record is what this analyzer's best judgement would be now."""
        return self.keeps(existing, input_hash)

    def improves(self, record: dict | None) -> bool:
        """Whether asking this analyzer again could give a better record than `record`, which the
        offline judgement kept or made for the article's current text (None: it made none)."""
        return not record

    def improvable(self) -> dict | None:
        """A query for the stored records this analyzer would improve (None: there are none)."""
        return None

    async def judge(self, art: ArticleInput, offline: dict, text: str, input_hash: str) -> Outcome:
        """The best judgement of an article whose stored record is not current, given its offline
        judgement (a heuristic record of the same text)."""
        return self.offline_outcome(offline)

    def describe(self) -> str:
        return f"the offline heuristic analyzer ({self.version})"

    def run_figures(self) -> dict:
        """What an evaluation reports of the run that made its records."""
        return {"analyzer": self.name, "model": self.model, "prompt_version": self.version}

    async def overview(self, entries: list[dict], raw_count: int, *, db=None, task="overview", counts=None):
        """The report's 今日总结 line (an OverviewResult); `counts` replaces the counts sentence."""
        return OverviewResult(heuristic_overview(entries, raw_count), "heuristic")

    async def overview_highlights(self, entries: list[dict]) -> str:
        """The highlight part of the overview of `entries` (what `evalprompts --task overview` measures)."""
        composed = heuristic_overview(entries, len(entries))
        return composed.split(" ", 1)[1] if HIGHLIGHT_PREFIX in composed else ""

    def overview_run(self) -> dict:
        """What an overview evaluation reports of the run that wrote its highlights."""
        return {"analyzer": self.name, "model": "heuristic", "prompt_version": "composed"}

    def slots(self, size: int) -> int:
        """Analyses in flight per process, given NEWSBOT_ANALYSIS_CONCURRENCY."""
        return size

    def open_stats(self, stats) -> None:
        stats.set_value(keys.ANALYSIS_MODE, self.name)

    def close_stats(self, stats) -> None:
        """Once every analysis of a crawl is done: the figures worth a line."""

    def hurry(self) -> None:
        """No more articles are coming: nothing should wait for company."""

    async def aclose(self) -> None:
        pass

    # -- preparing --------------------------------------------------------------------------------
    async def prepare(self, lang: str = "") -> None:
        """Load what the first analysis would otherwise load mid-crawl."""
        if self.offload is not None:
            self.offload.prepare(warm_up_worker, lang == "zh")
        else:
            # Off the reactor thread; jieba loads when the first Chinese article needs it.
            await asyncio.to_thread(self.heuristic.compile_terms)

    # -- entry points -----------------------------------------------------------------------------
    async def analyze_url(self, url: str, known: dict | None = None) -> Outcome | None:
        doc = await (self.store.article_reader.find(url) if self.store else find_article(self.db, url))
        if doc is None:
            logger.warning("Cannot analyse %s: not in the database", url)
            return None
        return await self.analyze_doc(doc, known=known)

    async def analyze_doc(self, doc: dict, *, store: bool = True, known: dict | None = None) -> Outcome:
        """This analyzer's best judgement of a stored article, written on it unless current. KNOWN is a
        record this process already made for the article: it is written back rather than asked for
        again (another crawler's write of the same URL put its offline judgement over it)."""
        outcome = await self.analyze_article(ArticleInput.from_doc(doc), existing=doc.get("analysis"), known=known)
        if store and outcome.status != "cached":
            await self._store(doc["url"], outcome.record)
        return outcome

    async def analyze_article(
        self, art: ArticleInput, existing: dict | None = None, known: dict | None = None
    ) -> Outcome:
        text = cut_to_budget(art.text, self.config.max_input_tokens)
        input_hash = art.digest(text)
        if self.is_current(existing, input_hash):
            self.counters.inc(self.cached_key())
            return Outcome(existing, "cached")
        if known is not None:
            # Asked once per process: two feeds listing one URL may give it different texts, and the
            # stored one is whichever was written last, so the model is not asked again for the other.
            self.counters.inc(self.cached_key())
            return Outcome(known, "restored")
        return await self.judge(art, await self.offline_record(art, existing, input_hash), text, input_hash)

    async def offline_judgement(self, doc: dict) -> Outcome:
        """The offline judgement of an article (never a call), or its stored record when this analyzer
        keeps that; nothing is written."""
        art = ArticleInput.from_doc(doc)
        existing = doc.get("analysis")
        input_hash = art.digest(cut_to_budget(art.text, self.config.max_input_tokens))
        if self.keeps(existing, input_hash):
            self.counters.inc(self.cached_key() if self.is_current(existing, input_hash) else keys.ANALYSIS_SKIPPED)
            return Outcome(existing, "cached")
        return self.offline_outcome(self.heuristic_record(art, await self.heuristic_result(art), input_hash))

    def cached_key(self) -> str:
        return keys.ANALYSIS_SKIPPED

    async def _store(self, url: str, record: dict) -> None:
        for attempt in range(1, STORE_ATTEMPTS + 1):
            try:
                if self.store:
                    await self.store.analysis_writer.store(url, record)
                else:
                    await store_analysis(self.db, url, record)
                return
            except StoreError as exc:
                if attempt == STORE_ATTEMPTS:
                    self.counters.inc(keys.ANALYSIS_STORE_ERRORS)
                    logger.error("Could not store the analysis of %s: %s", url, str(exc).splitlines()[0])
                    return
                await asyncio.sleep(0.2 * 2**attempt)

    # -- the offline judgement --------------------------------------------------------------------
    async def offline_record(self, art: ArticleInput, existing: dict | None, input_hash: str) -> dict:
        """The heuristic record of the article: the stored one when it is current (the judge stage made
        it for this very text before the write), so the heuristic runs once per article, not once per stage."""
        if existing and self._heuristic_current(existing, input_hash):
            return existing
        return self.heuristic_record(art, await self.heuristic_result(art), input_hash)

    async def heuristic_result(self, art: ArticleInput) -> HeuristicResult:
        if self.offload is not None:
            # Here, a Chinese article would first load jieba (2 s) on the reactor's thread as well.
            return await self.offload(analyze_in_worker, art, here_if_busy=art.lang != "zh" or jieba_warm())
        await self.heuristic.tokenizer_ready(art)
        return self.heuristic.analyze(art)

    def _heuristic_current(self, existing: dict, input_hash: str) -> bool:
        return (
            existing.get("analyzer") == AnalyzerKind.heuristic
            and existing.get("prompt_version") == self.heuristic.version
            and existing.get("input_hash") == input_hash
        )

    def offline_outcome(self, record: dict) -> Outcome:
        self.counters.inc(keys.under(keys.ANALYSIS_BY, AnalyzerKind.heuristic.value))
        return Outcome(record, "heuristic")

    def heuristic_record(self, art, heur: HeuristicResult, input_hash: str) -> dict:
        reason = append_note(heur.reason, INJECTION_NOTE) if heur.evidence.injection else heur.reason
        return finish(
            dict(
                ai_relevant=heur.ai_relevant,
                region=heur.region,
                category=heur.category,
                importance=heur.importance,
                score=heur.score,
                summary_zh=date_prefix(art.published_at, self.config.timezone) + heur.summary,
                reason_zh=reason,
                tags=heur.tags,
                entities=heur.entities,
                analyzer=AnalyzerKind.heuristic.value,
                model="heuristic",
                prompt_version=self.heuristic.version,
                usage={"prompt_tokens": 0, "completion_tokens": 0},
                input_hash=input_hash,
                injection_suspected=bool(heur.evidence.injection),
                error=None,
            )
        )

    def fallback_record(self, offline: dict, error: str) -> dict:
        """The offline judgement standing in for this analyzer's: it records what it stood in for, so
        the report can tell and the next run retries."""
        return finish(
            {
                **offline,
                "analyzer": AnalyzerKind.fallback.value,
                "model": self.model,
                "prompt_version": self.version,
                "error": error,
            }
        )


class OfflineAnalyzer(Analyzer):
    """The heuristic alone: its judgement is final, so nothing is ever asked again."""


def finish(record: dict) -> dict:
    record["analyzed_at"] = datetime.now(UTC)
    record.setdefault("error", None)
    # The contract check: a record that does not fit the schema is a bug, never stored.
    AnalysisRecord.model_validate(record)
    return record


def append_note(reason: str, note: str) -> str:
    text = reason.rstrip("。")
    room = REASON_MAX_CHARS - len(note) - 2
    return f"{text[:room]}；{note}。"
