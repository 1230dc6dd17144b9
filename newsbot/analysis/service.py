"""The analysis stage: one validated record per article, stored on the article.

AnalysisService decides, for each article, whether its stored analysis is still current (same
input, same prompt version, same model: then nothing is sent), runs the LLM or the heuristic
analyzer, defends against instructions planted in the text, falls back to the heuristic when the
LLM fails, and writes the record. With NEWSBOT_LLM_BATCH=k an article's first question travels with
k-1 others (newsbot.analysis.batch); everything after that stays per article. The Scrapy pipeline,
`scrapy evalprompts` and the benchmark all go through it, so what is measured is what runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.batch import BatchAsker, BatchJob
from newsbot.analysis.heuristic import HeuristicAnalyzer, HeuristicResult, analyze_in_worker
from newsbot.analysis.llm import (
    MODEL_SUMMARY_MAX,
    ChatClient,
    LLMCallError,
    LLMConfig,
    Reply,
    analysis_messages,
    judgement_schema,
    reask_message,
    validate_judgement,
)
from newsbot.analysis.prompts import PromptPair, load_prompts, make_fence
from newsbot.analysis.schema import (
    REASON_MAX_CHARS,
    SCORE_BANDS,
    AnalysisRecord,
    AnalyzerKind,
    Category,
    Importance,
    ModelJudgement,
)
from newsbot.analysis.tags import jieba_warm
from newsbot.config import config_for
from newsbot.config.values import ANALYZERS
from newsbot.runs import stat_keys as keys
from newsbot.runtime.workers import Offload
from newsbot.storage.articles import find_article, store_analysis
from newsbot.storage.errors import StoreError
from newsbot.text.dates import date_prefix
from newsbot.text.sentences import cut_to_budget

logger = logging.getLogger(__name__)

STORE_ATTEMPTS = 3  # a dropped connection or a paused pool is retried; a lost analysis costs a re-run
INJECTION_NOTE = "文中含有诱导评级的文字，等级按客观证据确定"


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
    def from_settings(cls, settings, *, analyzer: str | None = None, prompts_dir: str | None = None) -> AnalysisConfig:
        llm = LLMConfig.from_settings(settings)
        a = config_for(settings).analysis
        choice = (analyzer or a.analyzer).lower()
        if choice not in ANALYZERS:
            raise ValueError(f"the analyzer must be one of {', '.join(ANALYZERS)}, not {choice!r}")
        if choice == "auto":
            mode = "llm" if llm.api_key else "heuristic"
        elif choice == "llm" and not (llm.api_key or llm.base_url):
            logger.error("NEWSBOT_ANALYZER=llm but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set; using heuristics")
            mode = "heuristic"
        else:
            mode = choice
        return cls(
            mode=mode,
            llm=llm,
            prompts_dir=prompts_dir or a.prompts_dir,
            max_input_tokens=a.max_input_tokens,
            batch_size=a.llm_batch,
            batch_wait=a.llm_batch_wait,
            price_prompt_per_1k=a.price_prompt_per_1k,
            price_completion_per_1k=a.price_completion_per_1k,
            timezone=config_for(settings).report.timezone,
        )


class Counters:
    """Run figures, under newsbot.runs.stat_keys keys (LLM_CALLS, LLM_CACHE_HITS, ...); the analyse pipeline
    mirrors them into the crawl's Scrapy stats."""

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
    status: str  # cached | llm | heuristic | heuristic-fallback
    errors: list[str] = field(default_factory=list)


class AnalysisService:
    def __init__(
        self,
        config: AnalysisConfig,
        db=None,
        *,
        counters: Counters | None = None,
        reply_cache=None,
        store=None,
        offload: Offload | None = None,
    ):
        self.config = config
        self.db = db
        # A shared Store (newsbot.storage.connection): its articles are read and analyses written in
        # batches with every other analysis of the process, two round trips per batch, not per article.
        self.store = store
        self.counters = counters or Counters()
        self.reply_cache = reply_cache
        self.heuristic = HeuristicAnalyzer()
        # The heuristic in a worker process (a crawl's pipeline); otherwise on this thread.
        self.offload = offload if offload is not None and offload.size > 0 else None
        self.prompts: PromptPair | None = None
        self.client: ChatClient | None = None
        self.batch: BatchAsker | None = None
        if config.mode == "llm":
            self.prompts = load_prompts("analyze", config.prompts_dir)
            self.client = ChatClient(config.llm, stats_hook=self.counters.inc)
            self._system = self.system_prompt(judgement_schema(strict=False))
            if config.batch_size > 1:
                self.batch = BatchAsker(self, config.batch_size, config.batch_wait)

    def system_prompt(self, schema: dict, addendum: str | None = None) -> str:
        """The rules with `schema` filled in, plus an extra part (batch.system) rendered with the same values."""
        values = dict(
            categories="、".join(c.value for c in Category),
            # Compact: the schema is resent with every call, and tokens are the bill.
            schema=json.dumps(schema, ensure_ascii=False, separators=(",", ":")),
            summary_max=MODEL_SUMMARY_MAX,
            reason_max=REASON_MAX_CHARS,
        )
        system = self.prompts.render_system(**values)
        return system + self.prompts.render_extra(addendum, **values) if addendum else system

    @property
    def version(self) -> str:
        return self.prompts.version if self.prompts else self.heuristic.version

    @property
    def model(self) -> str:
        return self.config.llm.model if self.config.mode == "llm" else "heuristic"

    def hurry(self) -> None:
        """The crawl is over: a partial batch goes now, not after NEWSBOT_LLM_BATCH_WAIT."""
        if self.batch is not None:
            self.batch.collector.hurry()

    async def aclose(self) -> None:
        if self.batch is not None:
            await self.batch.collector.aclose()
        if self.client is not None:
            await self.client.aclose()

    # -- entry points ---------------------------------------------------------------------------
    async def analyze_url(self, url: str) -> Outcome | None:
        doc = await (self.store.article_reader.find(url) if self.store else find_article(self.db, url))
        if doc is None:
            logger.warning("Cannot analyse %s: not in the database", url)
            return None
        return await self.analyze_doc(doc)

    async def analyze_doc(self, doc: dict, *, store: bool = True) -> Outcome:
        art = ArticleInput.from_doc(doc)
        outcome = await self.analyze_article(art, existing=doc.get("analysis"))
        if store and outcome.status != "cached":
            await self._store(doc["url"], outcome.record)
        return outcome

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

    async def analyze_article(self, art: ArticleInput, existing: dict | None = None) -> Outcome:
        text = cut_to_budget(art.text, self.config.max_input_tokens)
        input_hash = art.digest(text)
        if self._is_current(existing, input_hash):
            self.counters.inc(keys.LLM_CACHE_HITS if self.config.mode == "llm" else keys.ANALYSIS_SKIPPED)
            return Outcome(existing, "cached")
        heur = await self.heuristic_result(art)
        if self.config.mode == "heuristic":
            record = self._heuristic_record(art, heur, input_hash, AnalyzerKind.heuristic)
            self.counters.inc(keys.under(keys.ANALYSIS_BY, AnalyzerKind.heuristic.value))
            return Outcome(record, "heuristic")
        try:
            record = await self._llm_record(art, heur, text, input_hash)
        except (LLMCallError, InvalidOutput) as exc:
            self.counters.inc(keys.LLM_FALLBACKS)
            self.counters.inc(keys.under(keys.ANALYSIS_BY, AnalyzerKind.fallback.value))
            logger.warning("LLM analysis failed for %s (%s); stored a heuristic fallback", art.url or art.title, exc)
            record = self._heuristic_record(art, heur, input_hash, AnalyzerKind.fallback, error=str(exc)[:300])
            return Outcome(record, "heuristic-fallback", [str(exc)])
        self.counters.inc(keys.under(keys.ANALYSIS_BY, AnalyzerKind.llm.value))
        return Outcome(record, "llm")

    async def heuristic_result(self, art: ArticleInput) -> HeuristicResult:
        if self.offload is not None:
            # Here, a Chinese article would first load jieba (2 s) on the reactor's thread as well.
            return await self.offload(analyze_in_worker, art, here_if_busy=art.lang != "zh" or jieba_warm())
        await self.heuristic.tokenizer_ready(art)
        return self.heuristic.analyze(art)

    def _is_current(self, existing: dict | None, input_hash: str) -> bool:
        if not existing:
            return False
        if self.config.mode == "llm":
            # A fallback is never current: the next run gives the LLM another go.
            return (
                existing.get("analyzer") == AnalyzerKind.llm
                and existing.get("model") == self.config.llm.model
                and existing.get("prompt_version") == self.version
                and existing.get("input_hash") == input_hash
            )
        if existing.get("analyzer") == AnalyzerKind.llm:
            # Offline runs never overwrite a model's analysis with a weaker one.
            return True
        return (
            existing.get("analyzer") == AnalyzerKind.heuristic
            and existing.get("prompt_version") == self.version
            and existing.get("input_hash") == input_hash
        )

    # -- LLM ------------------------------------------------------------------------------------
    def messages_for(self, art: ArticleInput) -> list:
        """The exact system and user messages the model gets for one article (`evalprompts --dry-run`)."""
        text = cut_to_budget(art.text, self.config.max_input_tokens)
        fence = make_fence(art.title, text)
        user = self.prompts.render_user(
            fence_open=fence.open, fence_close=fence.close, **self.article_values(art, text)
        )
        return analysis_messages(self._system, user)

    def article_values(self, art: ArticleInput, text: str) -> dict:
        """What a user prompt (single, or one block of a batch) says about an article, besides its fence."""
        published = (
            art.published_at.astimezone(self.config.timezone).strftime("%Y-%m-%d %H:%M") if art.published_at else "未知"
        )
        return dict(
            source_name=art.source_name or art.source,
            lang_name="中文" if art.lang == "zh" else "英文",
            published=published,
            title=art.title,
            article=text,
        )

    def reply_key(self, input_hash: str) -> str:
        cfg = self.config.llm
        key_parts = (cfg.base_url or "", cfg.model, cfg.method, self.version, input_hash)
        return hashlib.sha256("\0".join(key_parts).encode()).hexdigest()

    async def has_cached_reply(self, key: str) -> bool:
        return self.reply_cache is not None and await self.reply_cache.get(f"{key}-0") is not None

    async def _llm_record(self, art: ArticleInput, heur: HeuristicResult, text: str, input_hash: str) -> dict:
        fence = make_fence(art.title, text)
        values = self.article_values(art, text)
        user = self.prompts.render_user(fence_open=fence.open, fence_close=fence.close, **values)
        messages = analysis_messages(self._system, user)
        key = self.reply_key(input_hash)
        # In batch mode the first reply is this article's element of a batch reply (None: ask alone).
        first = await self.batch.first_reply(BatchJob(art, text, key)) if self.batch is not None else None
        if first is not None and self.reply_cache is not None:
            await self.reply_cache.put(f"{key}-0", first)
        usage = [0, 0]
        errors: list[str] = []
        for attempt in (0, 1):
            reply = first if attempt == 0 and first is not None else await self._ask(messages, f"{key}-{attempt}")
            usage[0] += reply.prompt_tokens
            usage[1] += reply.completion_tokens
            judgement, errors = validate_judgement(reply.text, fill_tags=heur.tags)
            if judgement is not None:
                return self._llm_to_record(art, heur, judgement, input_hash, usage)
            if attempt == 0:
                self.counters.inc(keys.LLM_REASKS)
                logger.info("Invalid LLM output for %s (%s); asking again", art.url or art.title, "; ".join(errors))
                messages = [*messages, reask_message(errors, reply.text)]
        raise InvalidOutput("invalid output twice: " + "; ".join(errors))

    async def _ask(self, messages, key: str) -> Reply:
        if self.reply_cache is not None:
            cached = await self.reply_cache.get(key)
            if cached is not None:
                self.counters.inc(keys.LLM_REPLY_CACHE_HITS)
                return cached
        reply = await self.client.complete(
            messages, "news_judgement", judgement_schema(strict=False), judgement_schema(strict=True)
        )
        if self.reply_cache is not None:
            await self.reply_cache.put(key, reply)
        return reply

    def _llm_to_record(self, art, heur: HeuristicResult, j: ModelJudgement, input_hash: str, usage) -> dict:
        ai_relevant, region, category = j.ai_relevant, j.region.value, j.category.value
        importance, score = j.importance.value, j.score
        reason = j.reason
        injected = bool(heur.evidence.injection)
        if injected:
            # The article tried to instruct the model, so the model's verdicts may be the article's
            # wish. Verdicts then come from the evidence: classification from the heuristic, and the
            # level can only go down (min of both). The model's validated wording is kept.
            ai_relevant = ai_relevant and heur.ai_relevant
            region, category = heur.region, heur.category
            if Importance.outranks(importance, heur.importance):
                importance = heur.importance
            score = min(score, heur.score)
            reason = _append_note(reason, INJECTION_NOTE)
            self.counters.inc(keys.LLM_INJECTION_SUSPECTED)
        lo, hi = SCORE_BANDS[importance]
        return self._finish(
            art,
            dict(
                ai_relevant=ai_relevant,
                region=region,
                category=category,
                importance=importance,
                score=max(lo, min(hi, score)),
                summary_zh=date_prefix(art.published_at, self.config.timezone) + j.summary,
                reason_zh=reason,
                tags=j.tags,
                entities=heur.entities,
                analyzer=AnalyzerKind.llm.value,
                model=self.config.llm.model,
                prompt_version=self.version,
                usage={"prompt_tokens": usage[0], "completion_tokens": usage[1]},
                input_hash=input_hash,
                injection_suspected=injected,
            ),
        )

    # -- heuristic ------------------------------------------------------------------------------
    def _heuristic_record(self, art, heur: HeuristicResult, input_hash: str, kind: AnalyzerKind, error=None) -> dict:
        reason = _append_note(heur.reason, INJECTION_NOTE) if heur.evidence.injection else heur.reason
        fallback = kind == AnalyzerKind.fallback
        return self._finish(
            art,
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
                analyzer=kind.value,
                # A fallback records what it stood in for, so the report can tell and the next run retries.
                model=self.config.llm.model if fallback else "heuristic",
                prompt_version=self.version if fallback else self.heuristic.version,
                usage={"prompt_tokens": 0, "completion_tokens": 0},
                input_hash=input_hash,
                injection_suspected=bool(heur.evidence.injection),
                error=error,
            ),
        )

    def _finish(self, art: ArticleInput, record: dict) -> dict:
        record["analyzed_at"] = datetime.now(UTC)
        record.setdefault("error", None)
        # The contract check: a record that does not fit the schema is a bug, never stored.
        AnalysisRecord.model_validate(record)
        return record


def _append_note(reason: str, note: str) -> str:
    text = reason.rstrip("。")
    room = REASON_MAX_CHARS - len(note) - 2
    return f"{text[:room]}；{note}。"
