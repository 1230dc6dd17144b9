"""Batch mode (NEWSBOT_LLM_BATCH=k): k articles in one LLM call, judged and kept one by one.

Articles reach the analysis one at a time (the crawl's items, or a gather of golden rows), so a
Collector holds them until k are waiting or NEWSBOT_LLM_BATCH_WAIT seconds have passed since the
first one came, then sends them together: one system prompt, one fence per article, and back an
object {"items": [...]} whose elements name their article by its fence token.

A batch only produces each article's *first* reply. Everything after that stays per article in
the service, exactly as with k=1: the element is validated on its own, an invalid one is re-asked
alone, a missing one (or a batch that failed or was not JSON) is asked alone from the start, and a
second failure falls back to the offline analysis. One bad element never costs the others theirs.
Nothing is cached per batch: stored analyses and the reply cache stay keyed per article, so a
re-run costs nothing whatever k was or is.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.llm import LLMCallError, Reply, analysis_messages, batch_schema, parse_json_object
from newsbot.analysis.prompts import make_fences
from newsbot.runs import stat_keys as keys

logger = logging.getLogger(__name__)

# Once the crawl is over nothing is worth waiting for: what is still arriving goes out this soon.
CLOSING_WAIT = 0.05


class Collector:
    """Groups submitted items into lists of at most `size`, handed to `run` (which returns one result
    per item, in order) when `size` are waiting or `wait` seconds after the first one arrived."""

    def __init__(self, size: int, wait: float, run: Callable[[list], Awaitable[list]]):
        self.size = size
        self.wait = wait
        self.run = run
        self.waiting: list[tuple[object, asyncio.Future]] = []
        self.running: set[asyncio.Task] = set()
        self._timer: asyncio.TimerHandle | None = None

    async def submit(self, item):
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.waiting.append((item, future))
        if len(self.waiting) >= self.size:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.wait, self.flush)
        return await future

    def flush(self) -> None:
        """Send what is waiting now, however few."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.waiting:
            return
        batch, self.waiting = self.waiting, []
        task = asyncio.ensure_future(self._run(batch))
        self.running.add(task)
        task.add_done_callback(self.running.discard)

    def hurry(self) -> None:
        """No more long waits (the crawl is closing): flush now and soon after each later arrival."""
        self.wait = min(self.wait, CLOSING_WAIT)
        self.flush()

    async def _run(self, batch: list[tuple[object, asyncio.Future]]) -> None:
        try:
            results = await self.run([item for item, _ in batch])
        except BaseException as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def aclose(self) -> None:
        """Nothing is left behind: flush the partial batch and wait for every batch in flight."""
        self.flush()
        while self.running:
            await asyncio.gather(*list(self.running), return_exceptions=True)


@dataclass(frozen=True)
class BatchJob:
    art: ArticleInput
    text: str  # the article cut to the input budget
    key: str  # the article's reply-cache key (without the attempt)


class BatchAsker:
    """Turns a list of jobs into one call and its reply into one first reply per job (None: ask alone)."""

    def __init__(self, service, size: int, wait: float):
        self.service = service
        self.collector = Collector(size, wait, self._ask_together)
        self.system = service.system_prompt(batch_schema(strict=False), "batch.system")
        self.schemas = (batch_schema(strict=False), batch_schema(strict=True))

    async def first_reply(self, job: BatchJob) -> Reply | None:
        return await self.collector.submit(job)

    async def _ask_together(self, jobs: list[BatchJob]) -> list[Reply | None]:
        svc = self.service
        together = [job for job in jobs if not await svc.has_cached_reply(job.key)]
        if len(together) < 2:
            return [None] * len(jobs)  # a lone article (or a cached one) goes the single-article way
        fences = make_fences([job.art.title + "\n" + job.text for job in together])
        blocks = [
            svc.prompts.render_extra(
                "batch.item",
                number=i,
                item_id=fence.token,
                fence_open=fence.open,
                fence_close=fence.close,
                **svc.article_values(job.art, job.text),
            )  # fmt: skip
            for i, (job, fence) in enumerate(zip(together, fences, strict=True), 1)
        ]
        user = svc.prompts.render_extra("batch.user", count=len(together), articles="\n\n".join(blocks))
        svc.counters.inc(keys.LLM_BATCHES)
        try:
            reply = await svc.client.complete(
                analysis_messages(self.system, user),
                "news_judgements",
                *self.schemas,
                max_output_tokens=svc.config.llm.max_output_tokens * len(together),
            )
        except LLMCallError as exc:
            logger.warning("A batch of %d articles failed (%s); asking each alone", len(together), exc)
            reply = None
        elements = _elements_by_id(reply.text, {fence.token for fence in fences}) if reply is not None else {}
        shares = _shares(reply, len(together))
        firsts: dict[int, Reply] = {}
        for job, fence, (prompt_tokens, completion_tokens) in zip(together, fences, shares, strict=True):
            if fence.token in elements:
                text = json.dumps(elements[fence.token], ensure_ascii=False)
                firsts[id(job)] = Reply(text, prompt_tokens, completion_tokens)
            else:
                svc.counters.inc(keys.LLM_BATCH_UNANSWERED)
        if len(firsts) < len(together):
            logger.info("A batch reply answered %d of %d articles; asking the rest alone", len(firsts), len(together))
        return [firsts.get(id(job)) for job in jobs]


def _elements_by_id(text: str, ids: set[str]) -> dict[str, object]:
    """The reply's elements by article id, without the id. An unusable reply answers nobody; an
    element with an unknown id, or an id given twice, answers nobody either (which would be a guess)."""
    try:
        items = parse_json_object(text).get("items")
    except ValueError:
        return {}
    if not isinstance(items, list):
        return {}
    found: dict[str, object] = {}
    repeated: set[str] = set()
    for element in items:
        item_id = str(element.get("id", "")).strip() if isinstance(element, dict) else ""
        if item_id not in ids:
            continue
        if item_id in found:
            repeated.add(item_id)
        found[item_id] = {k: v for k, v in element.items() if k != "id"}
    # An element that is not an object names no article, so it cannot be placed: its article is unanswered.
    return {k: v for k, v in found.items() if k not in repeated}


def _shares(reply: Reply | None, n: int) -> list[tuple[int, int]]:
    """Each article's share of the call's tokens (what its record's `usage` shows)."""
    if reply is None:
        return [(0, 0)] * n
    return [(_part(reply.prompt_tokens, n, i), _part(reply.completion_tokens, n, i)) for i in range(n)]


def _part(total: int, n: int, i: int) -> int:
    base, extra = divmod(total, n)
    return base + (1 if i < extra else 0)
