"""What the crawlers of one process share, owned by that process rather than by module globals.

A `scrapy digest` runs many crawlers in one CrawlerProcess: they share one database connection, one
set of analysis slots, one gate per LLM endpoint, one pool of worker processes, one parsed snapshot and
the names the DNS resolver refused. The command hands its CrawlerProcess's ProcessResources to every
crawler it makes (`share_resources`); Scrapy builds the DNS resolver with the CrawlerProcess itself, so
both find the same object. A crawler nobody shared resources with (`scrapy crawl` outside our command,
a test's crawler) gets its own on first use.

Asyncio primitives and clients belong to the event loop that made them, so what holds one is keyed by
the running loop as well: a process that runs several loops (tests, `evalprompts`) never reuses one
across loops.
"""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsbot.analysis.llm import Gate, LLMConfig
    from newsbot.fetch.snapshot import Snapshot
    from newsbot.runtime.workers import WorkerPool

ATTRIBUTE = "_newsbot_resources"


class LoopResources:
    """What belongs to one event loop: made on it, and never handed to another."""

    def __init__(self) -> None:
        # (uri, database, timeout) -> [Store, number of crawlers using it]
        self.stores: dict[tuple, list] = {}
        self.store_lock = asyncio.Lock()
        # stage -> the slots of that analysis stage
        self.slots: dict[str, asyncio.Semaphore] = {}
        # (endpoint, model, concurrency, rps) -> the gate every call to that endpoint passes
        self.gates: dict[tuple, Gate] = {}


class ProcessResources:
    def __init__(self) -> None:
        # folder -> ((manifest mtime, size), its Snapshot)
        self.snapshots: dict[Path, tuple[tuple[int, int], Snapshot]] = {}
        # host name -> the non-public address the DNS resolver refused for it
        self.refused_names: dict[str, str] = {}
        # URLs an LLM follow-up is asking about right now: an article two sources both list reaches the
        # follow-up of each crawler, and the second must not ask the model again while the first asks
        self.asking: set[str] = set()
        # URL -> the model's judgement a follow-up of this process stored for it. Another crawler's (or
        # the same feed's second) item of that URL may be judged offline from a read made before that
        # write, and its store then puts the offline record back over it: the follow-up restores this
        # one instead of asking the model again.
        self.answers: dict[str, dict] = {}
        self._workers: WorkerPool | None = None
        # The loop is held weakly and compared by identity: a new loop can reuse a dead one's id().
        self._loop: weakref.ref | None = None
        self._loop_resources = LoopResources()

    @property
    def on_this_loop(self) -> LoopResources:
        """The running loop's resources. A process runs its loops one after another, so a new loop
        replaces what the previous one left (its objects cannot be used, nor closed, without it)."""
        loop = asyncio.get_running_loop()
        if self._loop is None or self._loop() is not loop:
            self._loop = weakref.ref(loop)
            self._loop_resources = LoopResources()
        return self._loop_resources

    def analysis_slots(self, stage: str, size: int) -> asyncio.Semaphore:
        """How many analyses of STAGE run at once across every crawler of the process. Thousands at
        once (the heuristic on the reactor's thread, without worker processes) starve the event loop
        until the database driver's heartbeats time out. The offline judgement and the LLM follow-up
        each have their own, so quick judgements never queue behind calls that wait on a model."""
        slots = self.on_this_loop.slots
        if stage not in slots:
            slots[stage] = asyncio.Semaphore(max(1, size))
        return slots[stage]

    def gate(self, cfg: LLMConfig) -> Gate:
        """One gate per event loop and endpoint, so the rate limit holds across crawlers."""
        from newsbot.analysis.llm import Gate

        gates = self.on_this_loop.gates
        key = (cfg.base_url, cfg.model, cfg.concurrency, cfg.rps)
        if key not in gates:
            gates[key] = Gate(cfg.concurrency, cfg.rps)
        return gates[key]

    def snapshot(self, root: str | Path) -> Snapshot:
        from newsbot.fetch.snapshot import load_snapshot

        return load_snapshot(root, self.snapshots)

    @property
    def workers(self) -> WorkerPool:
        if self._workers is None:
            from newsbot.runtime.workers import WorkerPool

            self._workers = WorkerPool()
        return self._workers


def resources_of(owner: Any) -> ProcessResources:
    """The resources of OWNER (a Crawler, or the CrawlerProcess), made on first use."""
    found = getattr(owner, ATTRIBUTE, None)
    if found is None:
        found = ProcessResources()
        setattr(owner, ATTRIBUTE, found)
    return found


def share_resources(process: Any, crawler: Any) -> None:
    """CRAWLER uses the resources of PROCESS, as every other crawler it makes does."""
    setattr(crawler, ATTRIBUTE, resources_of(process))
