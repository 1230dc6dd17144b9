"""CPU-heavy pure work (feed parsing, page extraction, heuristic analysis) in worker processes.

Every crawler of a digest runs on the reactor's one thread, and on a day of hundreds of feeds that
thread is the bottleneck: parsing feeds, extracting pages and judging articles is a third of its time.
All three are pure functions of picklable values, so they run in another process, on another core,
while the reactor goes on fetching and storing. The workers are the process's, shared by every crawler.

NEWSBOT_WORKER_PROCESSES sets how many: 0 runs everything on the reactor's thread (the only sensible
choice on a one-core machine); "auto" (the default) keeps one core for the reactor and uses up to two
more. When the least busy worker has been stuck on one call for STALLED_AFTER (loading jieba, a huge
page, still starting), a call runs on the reactor's thread instead, which would otherwise only wait.
The work gives the same result wherever it runs.

A worker is `python -m newsbot.runtime.workers`, fed over its stdin and answering on its stdout, one call at a
time, in order. The event loop reads the answers like any socket: no helper thread in this process,
because a thread waking for every call (as concurrent.futures' pools do) takes the GIL from the reactor
thousands of times a run, and that cost more than the work it moved. A worker's log records come back
with its answer and are logged here, under their own logger names, as if the call had run here.

A worker ends when its stdin closes, so it never outlives this process, however that ends. When one
dies (a parser that crashes, the kernel's OOM killer), the call it was running is tried once more in a
new worker, and the calls queued behind it are sent again: the page that killed it twice fails alone
(WorkerCrashed), never the others. Workers that die before they are ready (a broken install) are
given up after MAX_FAILED_STARTS, and the work runs on the reactor's thread.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from newsbot.runs import stat_keys as keys
from newsbot.runtime.gc_policy import tune_collector

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_WORKERS_AUTO = 2
# Workers that die before they are ready, in a row: then they cannot run here at all (a broken
# install), and the work runs on the reactor's thread.
MAX_FAILED_STARTS = 3
WORKER_COMMAND = [sys.executable, "-m", "newsbot.runtime.workers"]
# How long the least busy worker may have been on its current call before the next call runs here: the
# reactor's thread takes work when the workers are stuck (jieba loading, a huge page, a worker starting),
# never for the bursts of a feed's entries (16 analyses queue for a few ms).
STALLED_AFTER = 0.1
HEADER = struct.Struct(">I")  # every message: its length, then a pickle


class WorkerCrashed(RuntimeError):
    """The worker process running this call died, twice: the call (one page, one article) fails alone."""


class _WorkerDied(Exception):
    def __init__(self, running: bool):
        # Whether this call was the one running when the worker died: a worker answers in order, so
        # only the first call waiting can have been running; those behind it had not started.
        super().__init__("the worker process died")
        self.running = running


def worker_count(value: object) -> int:
    """NEWSBOT_WORKER_PROCESSES as a number of processes: "auto" (or unset) is one per spare core, at most 2."""
    if value is None or str(value).strip().lower() in ("", "auto"):
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return min(MAX_WORKERS_AUTO, max(0, cores - 1))
    return max(0, int(value))


def in_worker() -> bool:
    """Whether this process is a worker."""
    return _serving


# --- this process's side --------------------------------------------------------------------------
class _Worker(asyncio.Protocol):
    """One worker process, and the calls sent to it that it has not answered yet, in order."""

    def __init__(self, loop: asyncio.AbstractEventLoop, log_level: int):
        # The parent's import path (a scrapyd egg, the project folder) is the worker's: it unpickles
        # functions by their module name, a user's own parser included.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.proc = subprocess.Popen(
            [*WORKER_COMMAND, str(log_level)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            # Ctrl-C is the crawl's to handle (it stops gracefully, finishing the pages in flight).
            start_new_session=True,
        )
        self.waiting: deque[tuple[asyncio.Future, float]] = deque()  # with when each was sent
        self.received = bytearray()
        self.alive = True
        self.ready = False  # it has started, and said so; a worker that dies before has run nothing
        self.writer: asyncio.WriteTransport | None = None
        self.unsent: list[bytes] = []
        self.connected = loop.create_task(self._connect(loop))
        self.connected.add_done_callback(_ignore_outcome)

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> None:
        await loop.connect_read_pipe(lambda: self, self.proc.stdout)
        self.writer, _ = await loop.connect_write_pipe(asyncio.BaseProtocol, self.proc.stdin)
        for message in self.unsent:
            self.writer.write(message)
        self.unsent.clear()

    def call(self, fn: Callable, args: tuple) -> asyncio.Future:
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        future = asyncio.get_running_loop().create_future()
        if not self.alive:
            future.set_exception(_WorkerDied(running=False))
            return future
        self.waiting.append((future, future.get_loop().time()))
        message = HEADER.pack(len(payload)) + payload
        if self.writer is None:
            self.unsent.append(message)
        else:
            self.writer.write(message)
        return future

    # asyncio.Protocol, for the worker's stdout
    def data_received(self, data: bytes) -> None:
        self.received += data
        while len(self.received) >= HEADER.size:
            (size,) = HEADER.unpack_from(self.received)
            if len(self.received) < HEADER.size + size:
                return
            if size == 0:
                del self.received[: HEADER.size]
                self.ready = True
                continue
            message = bytes(self.received[HEADER.size : HEADER.size + size])
            del self.received[: HEADER.size + size]
            future, _ = self.waiting.popleft()
            try:
                ok, value, records = pickle.loads(message)
            except Exception as exc:  # an exception class that cannot be rebuilt here, say
                ok, value, records = False, RuntimeError(f"the worker's answer could not be read: {exc!r}"), []
            for record in records:
                _relog(record)
            if not future.done():
                future.set_result(value) if ok else future.set_exception(value)

    def connection_lost(self, exc: Exception | None) -> None:
        self.alive = False
        if self.writer is not None:
            self.writer.close()
        running = self.ready
        while self.waiting:
            future, _ = self.waiting.popleft()
            if not future.done():
                future.set_exception(_WorkerDied(running))
            running = False

    def stalled(self) -> bool:
        return bool(self.waiting) and self.waiting[0][0].get_loop().time() - self.waiting[0][1] > STALLED_AFTER

    def exit_status(self) -> str:
        try:
            code = self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return "still running"
        return f"killed by signal {-code}" if code < 0 else f"exit status {code}"

    def close(self) -> None:
        """Close its stdin, which ends it, and reap it. The pipe is closed directly, not through the
        loop: at exit the loop no longer runs (the transport holds no unsent data by then)."""
        self.alive = False
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _relog(record: logging.LogRecord) -> None:
    target = logging.getLogger(record.name)
    if target.isEnabledFor(record.levelno):
        target.handle(record)


class WorkerPool:
    """Worker processes, on the event loop that reads them (newsbot.runtime.resources owns the process's)."""

    def __init__(self) -> None:
        atexit.register(self.close)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.workers: list[_Worker] = []
        self.failed_starts = 0  # in a row: workers that died before they were ready
        # Calls every worker makes before any other (imports, compiled patterns), as (fn, args).
        self.preparations: list[tuple[Callable, tuple]] = []

    @property
    def disabled(self) -> bool:
        return self.failed_starts >= MAX_FAILED_STARTS

    def pick(self, size: int, log_level: int) -> _Worker | None:
        """The worker with the fewest calls in flight, starting workers up to `size`; None: run it here."""
        loop = asyncio.get_running_loop()
        if loop is not self.loop:
            self.close()  # a worker's pipes belong to the loop that reads them
            self.loop = loop
        if size <= 0 or self.disabled:
            return None
        for worker in [w for w in self.workers if not w.alive]:
            self.workers.remove(worker)
            self.failed_starts = 0 if worker.ready else self.failed_starts + 1
            if self.disabled:
                logger.error(
                    "Worker processes do not start (the last one: %s); this run extracts and analyses on the "
                    "main thread",
                    worker.exit_status(),
                )
                return None
            logger.error("A worker process died (%s); starting another", worker.exit_status())
        while len(self.workers) < size:
            worker = _Worker(loop, log_level)
            for fn, args in self.preparations:
                worker.call(fn, args).add_done_callback(_ignore_outcome)
            self.workers.append(worker)
        return min(self.workers, key=lambda w: len(w.waiting))

    def prepare(self, size: int, log_level: int, fn: Callable, args: tuple) -> None:
        if (fn, args) in self.preparations:
            return
        self.preparations.append((fn, args))
        started = list(self.workers)
        if self.pick(size, log_level) is not None:  # starts the workers, which make every preparation
            for worker in started:
                worker.call(fn, args).add_done_callback(_ignore_outcome)

    def close(self) -> None:
        for worker in self.workers:
            worker.close()
        self.workers = []
        self.failed_starts = 0


def _ignore_outcome(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()  # retrieved: a warm-up that failed is not worth a warning; the real call will say


class Offload:
    """Runs `fn(*args)` in one of the process's worker processes, or right here when there is none.

    `fn` must be a module-level function and its arguments and result plain data (they are pickled);
    it must be pure, as the same call may run twice after a worker dies. Its own exceptions are raised
    as they would be here."""

    def __init__(
        self,
        size: int,
        count: Callable[[str], Any] | None = None,
        log_level: int = logging.DEBUG,
        pool: WorkerPool | None = None,
    ):
        self.size = size
        self.pool = pool if pool is not None else WorkerPool()
        self.count = count or (lambda key: None)
        self.log_level = log_level

    @classmethod
    def from_crawler(cls, crawler) -> Offload:
        # Imported here: a worker process never needs the configuration.
        from newsbot.config import config_for
        from newsbot.runtime.resources import resources_of

        crawl = config_for(crawler).crawl
        pool = resources_of(crawler).workers
        return cls(worker_count(crawl.worker_processes), crawler.stats.inc_value, crawl.log_level, pool)

    def prepare(self, fn: Callable[..., Any], *args) -> None:
        """Start the workers now, and have each run `fn(*args)` once before anything else (imports,
        compiled patterns), so that the first page does not wait for them. Said twice, done once."""
        if self.size > 0:
            self.pool.prepare(self.size, self.log_level, fn, args)

    async def __call__(self, fn: Callable[..., T], *args, here_if_busy: bool = True) -> T:
        """`fn(*args)`, in a worker; here instead when the workers are stalled (the reactor's thread
        would only wait for them), unless `here_if_busy` is False (work that needs what only the workers
        load, such as jieba for a Chinese article)."""
        crashes = 0
        while True:
            worker = self.pool.pick(self.size, self.log_level)
            if worker is None or (here_if_busy and worker.stalled()):
                return fn(*args)
            try:
                return await worker.call(fn, args)
            except _WorkerDied as died:
                if not died.running:
                    continue  # it had not started: the call that had is to blame, not this one
                crashes += 1
                if crashes == 2:
                    self.count(keys.WORKERS_FAILED)
                    raise WorkerCrashed(f"a worker process died twice running {getattr(fn, '__name__', fn)}") from None
                self.count(keys.WORKERS_RETRIED)


# --- the worker's side ----------------------------------------------------------------------------
class _Collect(logging.Handler):
    def __init__(self, level: int):
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Plain strings: the arguments or the exception may not pickle.
        record.msg = record.getMessage()
        record.args = None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        records, self.records = self.records, []
        return records


def _answer(fn: Callable, args: tuple) -> tuple[bool, Any]:
    try:
        return True, fn(*args)
    except Exception as exc:
        return False, exc


_serving = False


def serve(log_level: int) -> None:
    global _serving
    _serving = True
    tune_collector()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    # Anything a library prints goes to stderr, never into the answers.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    collect = _Collect(log_level)
    root = logging.getLogger()
    root.addHandler(collect)
    root.setLevel(log_level)
    answers.write(HEADER.pack(0))  # ready: an empty message
    answers.flush()
    while True:
        header = requests.read(HEADER.size)
        if len(header) < HEADER.size:
            return  # stdin closed: the crawl is over, or its process has gone
        (size,) = HEADER.unpack(header)
        body = requests.read(size)
        try:
            fn, args = pickle.loads(body)
        except Exception as exc:
            ok, value = False, RuntimeError(f"the worker could not read the call: {exc!r}")
        else:
            ok, value = _answer(fn, args)
        records = collect.take()
        try:
            payload = pickle.dumps((ok, value, records), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            failure = RuntimeError(f"the worker's answer does not pickle: {exc!r}; the call gave {value!r}"[:2000])
            payload = pickle.dumps((False, failure, records), protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(HEADER.pack(len(payload)) + payload)
        answers.flush()


if __name__ == "__main__":
    # Served by the module under its own name, not as __main__: the calls it runs import newsbot.runtime.workers
    # (in_worker), and must find the module that is serving.
    from newsbot.runtime.workers import serve as serve_here

    serve_here(int(sys.argv[1]) if len(sys.argv) > 1 else logging.DEBUG)
