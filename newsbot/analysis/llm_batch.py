"""Batch mode (NEWSBOT_LLM_BATCH=k): k articles in one LLM call, judged and kept one by one.

Articles reach the analysis one at a time (the crawl's items, or a gather of golden rows), so a
Collector holds them until k are waiting or NEWSBOT_LLM_BATCH_WAIT seconds have passed since the
first one came, then sends them together: one system prompt, one fence per article, and back an
object {"items": [...]} whose elements name their article by its fence token.

A batch only produces each article's *first* reply; the LLM analyzer (newsbot.analysis.llm_analyzer)
asks it. Everything after that stays per article, exactly as with k=1: the element is validated on
its own, an invalid one is re-asked alone, a missing one (or a batch that failed or was not JSON)
is asked alone from the start, and a second failure falls back to the offline analysis. One bad
element never costs the others theirs.
Nothing is cached per batch: stored analyses and the reply cache stay keyed per article, so a
re-run costs nothing whatever k was or is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.llm import Reply, parse_json_object

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


def elements_by_id(text: str, ids: set[str]) -> dict[str, object]:
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


def shares(reply: Reply | None, n: int) -> list[tuple[int, int]]:
    """Each article's share of the call's tokens (what its record's `usage` shows)."""
    if reply is None:
        return [(0, 0)] * n
    return [(_part(reply.prompt_tokens, n, i), _part(reply.completion_tokens, n, i)) for i in range(n)]


def _part(total: int, n: int, i: int) -> int:
    base, extra = divmod(total, n)
    return base + (1 if i < extra else 0)
