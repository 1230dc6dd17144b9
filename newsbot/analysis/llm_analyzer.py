"""The LLM analyzer: the offline judgement first, then a model's, for the articles worth a call.

A model's reply is validated against the schema, re-asked once when invalid, and replaced by the
offline judgement (a "fallback" record, which the next run retries) when it fails twice or the call
does. Instructions planted in the article cannot raise its verdicts (see _model_record). With
NEWSBOT_LLM_BATCH=k an article's first question travels with k-1 others (newsbot.analysis.llm_batch
groups them; this class asks); everything after that stays per article.
"""

from __future__ import annotations

import hashlib
import json
import logging

from newsbot.analysis.analyzer import INJECTION_NOTE, Analyzer, append_note, finish
from newsbot.analysis.analyzer_support import InvalidOutput, Outcome
from newsbot.analysis.article import ArticleInput
from newsbot.analysis.breaker import breaker_for
from newsbot.analysis.llm import (
    MODEL_SUMMARY_MAX,
    ChatClient,
    LLMCallError,
    Reply,
    analysis_messages,
    batch_schema,
    judgement_schema,
    overview_schema,
    parse_json_object,
    reask_message,
    validate_judgement,
)
from newsbot.analysis.llm_batch import BatchJob, Collector, elements_by_id, shares
from newsbot.analysis.overview_writer import OVERVIEW_MAX_CHARS, llm_overview, overview_messages
from newsbot.analysis.prompts import load_prompts, make_fence, make_fences
from newsbot.analysis.schema import REASON_MAX_CHARS, SCORE_BANDS, AnalyzerKind, Category, Importance, ModelJudgement
from newsbot.runs import stat_keys as keys
from newsbot.text.dates import date_prefix
from newsbot.text.lang import language_name_zh
from newsbot.text.sentences import cut_to_budget

logger = logging.getLogger(__name__)

TOKEN_KEYS = (keys.LLM_PROMPT_TOKENS, keys.LLM_COMPLETION_TOKENS)


class LLMAnalyzer(Analyzer):
    name = "llm"

    def __init__(self, config, db=None, **kwargs):
        super().__init__(config, db, **kwargs)
        self.prompts = load_prompts("analyze", config.prompts_dir)
        self._client: ChatClient | None = None
        self.breaker = breaker_for(config.llm.base_url, config.llm.model)
        self._system = self.system_prompt(judgement_schema(strict=False))
        self.collector: Collector | None = None
        self._overview_prompts = None
        if config.batch_size > 1:
            self.collector = Collector(config.batch_size, config.batch_wait, self._ask_together)
            self._batch_system = self.system_prompt(batch_schema(strict=False), "batch.system")

    @property
    def client(self) -> ChatClient:
        # Made on first use: an analyzer that only judges offline (the judge pipeline's) never opens one.
        if self._client is None:
            self._client = ChatClient(
                self.config.llm, stats_hook=self.counters.inc, gate=self.gate, breaker=self.breaker
            )
        return self._client

    # -- the interface ----------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return self.prompts.version

    @property
    def model(self) -> str:
        return self.config.llm.model

    def is_current(self, existing: dict | None, input_hash: str) -> bool:
        # A fallback is never current: the next run gives the LLM another go.
        return bool(existing) and (
            existing.get("analyzer") == AnalyzerKind.llm
            and existing.get("model") == self.config.llm.model
            and existing.get("prompt_version") == self.version
            and existing.get("input_hash") == input_hash
        )

    def keeps(self, existing: dict | None, input_hash: str) -> bool:
        # A model's record of other text, model or prompts gives way to the offline judgement, which
        # the model improves on when the article can still be reported.
        if not existing:
            return False
        return self.is_current(existing, input_hash) or self._heuristic_current(existing, input_hash)

    def improves(self, record: dict | None) -> bool:
        # Whatever `keeps` let through that is the model's own is current; a fallback was asked this run.
        return not record or record.get("analyzer") == AnalyzerKind.heuristic

    def improvable(self) -> dict | None:
        # A fallback too: the crawl that made it found the endpoint down, and the report of its day (run
        # later, by `scrapy schedule` once its jobs are done) gives the model another go before rendering.
        return {"analysis.analyzer": {"$in": [AnalyzerKind.heuristic.value, AnalyzerKind.fallback.value]}}

    def cached_key(self) -> str:
        return keys.LLM_CACHE_HITS

    def describe(self) -> str:
        cfg = self.config.llm
        return (
            f"{cfg.model} via {self.breaker.endpoint} (method {cfg.method}, prompts {self.version}, "
            f"concurrency {cfg.concurrency}"
            + (f", {cfg.rps:g} req/s" if cfg.rps else "")
            + (f", {self.config.batch_size} articles per call" if self.config.batch_size > 1 else "")
            + ")"
        )

    def run_figures(self) -> dict:
        get = self.counters.get
        llm = {
            "calls": int(get(keys.LLM_CALLS)),
            "reply_cache_hits": int(get(keys.LLM_REPLY_CACHE_HITS)),
            "reasks": int(get(keys.LLM_REASKS)),
            "fallbacks": int(get(keys.LLM_FALLBACKS)),
            "prompt_tokens": int(get(keys.LLM_PROMPT_TOKENS)),
            "completion_tokens": int(get(keys.LLM_COMPLETION_TOKENS)),
            "cost_usd": self.counters.cost(self.config),
        }
        return {**super().run_figures(), "prompts": self.prompts.origin, "llm": llm}

    # -- the overview -----------------------------------------------------------------------------
    async def overview(self, entries: list[dict], raw_count: int, *, db=None, task="overview", counts=None):
        if self.breaker.open:
            self.counters.inc(keys.LLM_FALLBACKS)
            return await super().overview(entries, raw_count, db=db, task=task, counts=counts)
        return await llm_overview(self.config, entries, raw_count, db=db, task=task, counts=counts)

    async def overview_highlights(self, entries: list[dict]) -> str:
        if self._overview_prompts is None:
            self._overview_prompts = load_prompts("overview", self.config.prompts_dir)
        cfg = self.config.llm
        key_text = "\0".join(
            ["overview-eval", cfg.base_url or "", cfg.model, cfg.method, self._overview_prompts.version]
        )
        key_text += "\0" + repr([[e.get(k) for k in sorted(e)] for e in entries])
        key = hashlib.sha256(key_text.encode()).hexdigest()
        reply = await self.reply_cache.get(key) if self.reply_cache else None
        if reply is not None:
            self.counters.inc(keys.LLM_REPLY_CACHE_HITS)
        else:
            schema = overview_schema(strict=False, max_chars=OVERVIEW_MAX_CHARS)
            reply = await self.client.complete(
                overview_messages(self._overview_prompts, entries),
                "overview",
                schema,
                overview_schema(strict=True, max_chars=OVERVIEW_MAX_CHARS),
            )
            if self.reply_cache:
                await self.reply_cache.put(key, reply)
        try:
            return str(parse_json_object(reply.text).get("highlights", "")).strip()
        except ValueError:
            return ""

    def overview_run(self) -> dict:
        if self._overview_prompts is None:
            self._overview_prompts = load_prompts("overview", self.config.prompts_dir)
        llm = {
            "calls": int(self.counters.get(keys.LLM_CALLS)),
            "reply_cache_hits": int(self.counters.get(keys.LLM_REPLY_CACHE_HITS)),
        }
        return {
            "analyzer": self.name,
            "model": self.model,
            "prompt_version": self._overview_prompts.version,
            "llm": llm,
        }

    def slots(self, size: int) -> int:
        # Enough slots to keep every LLM call busy, each with a full batch (NEWSBOT_LLM_BATCH).
        return max(size, self.config.llm.concurrency * self.config.batch_size)

    def open_stats(self, stats) -> None:
        super().open_stats(stats)
        # Present even when zero: "a re-run made no calls" should read as 0, not as missing.
        for key in (keys.LLM_CALLS, keys.LLM_CACHE_HITS, keys.LLM_FALLBACKS, keys.LLM_OFFLINE) + TOKEN_KEYS:
            stats.set_value(key, 0)

    def close_stats(self, stats) -> None:
        cost = self.counters.cost(self.config)
        stats.set_value(keys.LLM_COST_USD, cost)
        if self.breaker.trips:
            stats.set_value(keys.LLM_BREAKER_TRIPPED, 1)
        get = self.counters.get
        logger.info(
            "LLM: %d calls, %d cache hits, %d re-asks, %d fallbacks, %d+%d tokens, about $%.4f",
            *(get(k) for k in (keys.LLM_CALLS, keys.LLM_CACHE_HITS, keys.LLM_REASKS, keys.LLM_FALLBACKS)),
            *(get(k) for k in TOKEN_KEYS),
            cost,
        )

    def hurry(self) -> None:
        if self.collector is not None:
            self.collector.hurry()

    async def aclose(self) -> None:
        if self.collector is not None:
            await self.collector.aclose()
        if self._client is not None:
            await self._client.aclose()

    async def judge(self, art: ArticleInput, offline: dict, text: str, input_hash: str) -> Outcome:
        try:
            if self.breaker.open:
                raise LLMCallError("the LLM breaker is open", "breaker_open")
            record = await self._llm_record(art, offline, text, input_hash)
        except (LLMCallError, InvalidOutput) as exc:
            self.counters.inc(keys.LLM_FALLBACKS)
            self.counters.inc(keys.under(keys.ANALYSIS_BY, AnalyzerKind.fallback.value))
            if getattr(exc, "kind", "") == "breaker_open":
                # The breaker's one ERROR line said it all; each article is only counted.
                self.counters.inc(keys.LLM_OFFLINE)
            else:
                what = art.url or art.title
                logger.warning("LLM analysis failed for %s (%s); stored a heuristic fallback", what, exc)
            record = self.fallback_record(offline, error=str(exc)[:300])
            return Outcome(record, "heuristic-fallback", [str(exc)])
        self.counters.inc(keys.under(keys.ANALYSIS_BY, AnalyzerKind.llm.value))
        return Outcome(record, "llm")

    # -- prompts ----------------------------------------------------------------------------------
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

    def messages_for(self, art: ArticleInput) -> list:
        """The exact system and user messages the model gets for one article (`evalprompts --dry-run`)."""
        return self._messages(art, cut_to_budget(art.text, self.config.max_input_tokens))

    def _messages(self, art: ArticleInput, text: str) -> list:
        fence = make_fence(art.title, text)
        values = self.article_values(art, text)
        return analysis_messages(
            self._system, self.prompts.render_user(fence_open=fence.open, fence_close=fence.close, **values)
        )

    def article_values(self, art: ArticleInput, text: str) -> dict:
        """What a user prompt (single, or one block of a batch) says about an article, besides its fence."""
        published = (
            art.published_at.astimezone(self.config.timezone).strftime("%Y-%m-%d %H:%M") if art.published_at else "未知"
        )
        return dict(
            source_name=art.source_name or art.source,
            lang_name=language_name_zh(art.lang),
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

    # -- asking -----------------------------------------------------------------------------------
    async def _llm_record(self, art: ArticleInput, offline: dict, text: str, input_hash: str) -> dict:
        messages = self._messages(art, text)
        key = self.reply_key(input_hash)
        # In batch mode the first reply is this article's element of a batch reply (None: ask alone).
        first = await self.collector.submit(BatchJob(art, text, key)) if self.collector is not None else None
        if first is not None and self.reply_cache is not None:
            await self.reply_cache.put(f"{key}-0", first)
        usage = [0, 0]
        errors: list[str] = []
        for attempt in (0, 1):
            reply = first if attempt == 0 and first is not None else await self._ask(messages, f"{key}-{attempt}")
            usage[0] += reply.prompt_tokens
            usage[1] += reply.completion_tokens
            judgement, errors = validate_judgement(reply.text, fill_tags=offline["tags"])
            if judgement is not None:
                return self._model_record(art, offline, judgement, input_hash, usage)
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

    async def _ask_together(self, jobs: list[BatchJob]) -> list[Reply | None]:
        """One call for a batch of jobs: each job's first reply (None: ask it alone)."""
        together = [job for job in jobs if not await self.has_cached_reply(job.key)]
        if len(together) < 2:
            return [None] * len(jobs)  # a lone article (or a cached one) goes the single-article way
        fences = make_fences([job.art.title + "\n" + job.text for job in together])
        blocks = [
            self.prompts.render_extra(
                "batch.item",
                number=i,
                item_id=fence.token,
                fence_open=fence.open,
                fence_close=fence.close,
                **self.article_values(job.art, job.text),
            )  # fmt: skip
            for i, (job, fence) in enumerate(zip(together, fences, strict=True), 1)
        ]
        user = self.prompts.render_extra("batch.user", count=len(together), articles="\n\n".join(blocks))
        self.counters.inc(keys.LLM_BATCHES)
        try:
            reply = await self.client.complete(
                analysis_messages(self._batch_system, user),
                "news_judgements",
                batch_schema(strict=False),
                batch_schema(strict=True),
                max_output_tokens=self.config.llm.max_output_tokens * len(together),
            )
        except LLMCallError as exc:
            logger.warning("A batch of %d articles failed (%s); asking each alone", len(together), exc)
            reply = None
        elements = elements_by_id(reply.text, {fence.token for fence in fences}) if reply is not None else {}
        firsts: dict[int, Reply] = {}
        parts = shares(reply, len(together))
        for job, fence, (prompt_tokens, completion_tokens) in zip(together, fences, parts, strict=True):
            if fence.token in elements:
                text = json.dumps(elements[fence.token], ensure_ascii=False)
                firsts[id(job)] = Reply(text, prompt_tokens, completion_tokens)
            else:
                self.counters.inc(keys.LLM_BATCH_UNANSWERED)
        if len(firsts) < len(together):
            logger.info("A batch reply answered %d of %d articles; asking the rest alone", len(firsts), len(together))
        return [firsts.get(id(job)) for job in jobs]

    def _model_record(self, art, offline: dict, j: ModelJudgement, input_hash: str, usage) -> dict:
        ai_relevant, region, category = j.ai_relevant, j.region.value, j.category.value
        importance, score = j.importance.value, j.score
        reason = j.reason
        injected = offline["injection_suspected"]
        if injected:
            # The article tried to instruct the model, so the model's verdicts may be the article's
            # wish. Verdicts then come from the evidence: classification from the heuristic, and the
            # level can only go down (min of both). The model's validated wording is kept.
            ai_relevant = ai_relevant and offline["ai_relevant"]
            region, category = offline["region"], offline["category"]
            if Importance.outranks(importance, offline["importance"]):
                importance = offline["importance"]
            score = min(score, offline["score"])
            reason = append_note(reason, INJECTION_NOTE)
            self.counters.inc(keys.LLM_INJECTION_SUSPECTED)
        lo, hi = SCORE_BANDS[importance]
        return finish(
            dict(
                ai_relevant=ai_relevant,
                region=region,
                category=category,
                importance=importance,
                score=max(lo, min(hi, score)),
                summary_zh=date_prefix(art.published_at, self.config.timezone) + j.summary,
                reason_zh=reason,
                tags=j.tags,
                entities=offline["entities"],
                analyzer=AnalyzerKind.llm.value,
                model=self.config.llm.model,
                prompt_version=self.version,
                usage={"prompt_tokens": usage[0], "completion_tokens": usage[1]},
                input_hash=input_hash,
                injection_suspected=injected,
            )
        )
