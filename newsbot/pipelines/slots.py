"""How many analyses run at once in a process, across every crawler of a digest (NEWSBOT_ANALYSIS_CONCURRENCY).

Thousands of articles analysed at once (by the heuristic on the reactor's thread, when there is no
worker process: newsbot.runtime.workers) starve the event loop until the database driver's heartbeats time
out and its pool pauses.
"""

from __future__ import annotations

import asyncio

# (event loop, stage) -> the process's slots for that stage: the offline judgement and the LLM follow-up
# each have their own, so quick judgements never queue behind calls that wait on a model.
_slots: dict[tuple[int, str], asyncio.Semaphore] = {}


def analysis_slots(stage: str, size: int) -> asyncio.Semaphore:
    return _slots.setdefault((id(asyncio.get_running_loop()), stage), asyncio.Semaphore(max(1, size)))
