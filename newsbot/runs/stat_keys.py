"""newsbot's Scrapy stat keys, and the RunSummary a crawl's stats add up to.

Every key lives under NAMESPACE; the `runs` document keeps them, namespace stripped, as `counters`.
Keys that end in "/" are prefixes: a reason or a name follows (use `under`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

NAMESPACE = "newsbot/"

# -- feeds and article pages (spiders/base.py, snapshot.py) -------------------------------------
FEED_FETCHED = "newsbot/feed/fetched"
# A feed fetched and read (empty, or malformed with entries kept, included): a run needs one to count as good.
FEED_READ = "newsbot/feed/read"
FEED_ENTRIES = "newsbot/feed/entries"
FEED_BLOCKED = "newsbot/feed/blocked"
FEED_ERROR = "newsbot/feed/error"
# Of the feed errors, requests that got no feed at all: DNS, refused, timeout, an HTTP error status.
FEED_FETCH_ERROR = "newsbot/feed/fetch_error"
FEED_MALFORMED = "newsbot/feed/malformed"
FEED_EMPTY = "newsbot/feed/empty"
FEED_REDIRECT_LOOP = "newsbot/feed/redirect_loop"  # also counted as a feed error
FEED_ENCODING_GUESSED = "newsbot/feed/encoding_guessed"
ARTICLE_OK = "newsbot/article/ok"
ARTICLE_BLOCKED = "newsbot/article/blocked"
ARTICLE_FAILED = "newsbot/article/failed"
ARTICLE_FAILED_BECAUSE = "newsbot/article/failed/"  # + reason (http_404, timeout, unparseable, ...)
FEED_ENCODING = "newsbot/feed/encoding/"  # + what decided it (bom, xml-declaration, http-charset, detected, ...)
ENTRY_DROPPED = "newsbot/entry/dropped/"  # + reason (bad_link, private_link, error): caught at the entry
# The fetch policy (newsbot/fetch): a page left alone on purpose, and requests refused before sending.
ARTICLE_NOT_FETCHED = "newsbot/article/not_fetched/"  # + reason (offsite, private_address, scheme)
FETCH_REFUSED = "newsbot/fetch/refused/"  # + reason (offsite, private_address, scheme; popup in a browser)
FETCH_REFUSED_BROWSER = "newsbot/fetch/refused_in_browser"  # of which requests a browser page made
DOWNLOAD_TOO_LARGE = "newsbot/download/too_large"
# Calls run again after the worker process running them died, and calls that failed because it died twice.
WORKERS_RETRIED = "newsbot/workers/retried"
WORKERS_FAILED = "newsbot/workers/failed"
SNAPSHOT_REPLAYED = "newsbot/snapshot/replayed"
SNAPSHOT_MISSING = "newsbot/snapshot/missing"
SNAPSHOT_RECORDED = "newsbot/snapshot/recorded"

# -- items (spiders, pipelines) ------------------------------------------------------------------
ITEMS_SKIPPED = "newsbot/items/skipped/"  # + reason
ITEMS_DROPPED = "newsbot/items/dropped/"  # + reason
ITEMS_RELATIVE_LINK = "newsbot/items/relative_link"
ITEMS_DATE_MISSING = "newsbot/items/date_missing"
ITEMS_DATE_SUSPECT = "newsbot/items/date_suspect"
ITEMS_CAPPED = "newsbot/items/capped/"  # + field (title, summary, content)
ITEMS_NORMALIZED = "newsbot/items/normalized"
ITEMS_STORED = "newsbot/items/stored"
ITEMS_NEW = "newsbot/items/new"
ITEMS_UPDATED = "newsbot/items/updated"

# -- the database --------------------------------------------------------------------------------
STORE_UNAVAILABLE = "newsbot/store/unavailable"  # the one-line error; the crawl and digest exit 1
STORE_ERRORS = "newsbot/store/errors"

# -- analysis (the analyzers' counters, mirrored into the crawl's stats) ----------------------------
ANALYSIS_MODE = "newsbot/analysis/mode"
ANALYSIS_ERRORS = "newsbot/analysis/errors"
ANALYSIS_STORE_ERRORS = "newsbot/analysis/store_errors"
ANALYSIS_SKIPPED = "newsbot/analysis/skipped"
ANALYSIS_BY = "newsbot/analysis/"  # + analyzer kind (llm, heuristic, heuristic-fallback)
LLM = "newsbot/llm/"
LLM_CALLS = "newsbot/llm/calls"
LLM_RETRIES = "newsbot/llm/retries"
LLM_ERRORS = "newsbot/llm/errors/"  # + kind (rate_limited, http_500, timeout, ...)
LLM_CACHE_HITS = "newsbot/llm/cache_hits"
LLM_REPLY_CACHE_HITS = "newsbot/llm/reply_cache_hits"
LLM_REASKS = "newsbot/llm/reasks"
LLM_BATCHES = "newsbot/llm/batches"  # calls carrying several articles (NEWSBOT_LLM_BATCH > 1)
LLM_BATCH_UNANSWERED = "newsbot/llm/batch_unanswered"  # articles a batch reply left out: asked alone
LLM_FALLBACKS = "newsbot/llm/fallbacks"
# Of the fallbacks, those made without asking because the breaker was open (newsbot/analysis/breaker.py);
# and 1 when this run's endpoint tripped the breaker: the run went offline.
LLM_OFFLINE = "newsbot/llm/offline"
LLM_BREAKER_TRIPPED = "newsbot/llm/breaker_tripped"
LLM_INJECTION_SUSPECTED = "newsbot/llm/injection_suspected"
LLM_PROMPT_TOKENS = "newsbot/llm/prompt_tokens"
LLM_COMPLETION_TOKENS = "newsbot/llm/completion_tokens"
LLM_COST_USD = "newsbot/llm/cost_usd"

# -- report and delivery ---------------------------------------------------------------------------
REPORT_FAILED = "newsbot/report/failed"
REPORT_ENTRIES = "newsbot/report/entries"
# 1 when the report on close was stored as a draft (the LLM went down): `scrapy crawl` then exits 1.
REPORT_DRAFT = "newsbot/report/draft"
PUSH_UNDELIVERED = "newsbot/push/undelivered"  # a push on close that did not reach every channel
PUSH = "newsbot/push/"  # + kind (report, alert) + "/messages_sent", "/retries", "/failed", "/<channel>/ok"


def under(prefix: str, name: str) -> str:
    """The key for one reason or name under a prefix: under(ITEMS_DROPPED, "no_link")."""
    return prefix + name


def _sum_under(stats: dict, prefix: str) -> int:
    return sum(int(v) for k, v in stats.items() if k.startswith(prefix))


@dataclass
class RunSummary:
    """One spider run, from its Scrapy stats: what `runs` stores, source health reads and the report's
    per-source table shows."""

    source: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    close_reason: str | None = None
    snapshot: str | None = None
    # The day this run is for (NEWSBOT_DATE, or the local date of a live crawl): the report of day D
    # counts it whenever it finished.
    report_day: str | None = None
    # scrapyd's job id (the `_job` spider argument): `scrapy schedule` reads each job's outcome by it.
    job: str | None = None
    feeds_fetched: int = 0
    feeds_read: int = 0
    items_seen: int = 0
    stored: int = 0
    new: int = 0
    updated: int = 0
    failed_pages: int = 0
    blocked: int = 0
    # Feeds that could not be fetched (network, HTTP status) apart from those fetched but not readable.
    fetch_errors: int = 0
    parse_errors: int = 0
    errors: int = 0
    # Exceptions raised in a spider callback (Scrapy's own count): the rest of that response was lost.
    spider_errors: int = 0
    # Entries caught and dropped at the entry (a javascript: link, an entry that raised): the others were kept.
    entries_dropped: int = 0
    dropped: int = 0
    skipped: int = 0
    status: str = "empty"  # ok | degraded (entries dropped, spider errors) | empty | error | blocked
    llm: dict = field(default_factory=dict)
    # Every newsbot counter, namespace stripped, for health checks and for debugging a bad day.
    counters: dict = field(default_factory=dict)

    @classmethod
    def from_stats(cls, source: str, stats: dict, **run) -> RunSummary:
        """`run` adds what the stats do not say (close_reason, snapshot) or says differently; the
        times default to Scrapy's core start_time and finish_time (now, while the spider closes)."""

        def get(key: str) -> int:
            return int(stats.get(key, 0) or 0)

        items_seen = get(FEED_ENTRIES)
        spider_errors = get("spider_exceptions/count")
        entries_dropped = _sum_under(stats, ENTRY_DROPPED)
        if get(FEED_BLOCKED):
            status = "blocked"
        elif get(FEED_ERROR) and not items_seen:
            status = "error"
        elif not items_seen:
            status = "empty"
        elif entries_dropped or spider_errors:
            status = "degraded"
        else:
            status = "ok"
        run.setdefault("started_at", stats.get("start_time"))
        run.setdefault("finished_at", stats.get("finish_time") or datetime.now(UTC))
        return cls(
            source=source,
            feeds_fetched=get(FEED_FETCHED),
            feeds_read=get(FEED_READ),
            items_seen=items_seen,
            stored=get(ITEMS_STORED),
            new=get(ITEMS_NEW),
            updated=get(ITEMS_UPDATED),
            failed_pages=get(ARTICLE_FAILED),
            blocked=get(FEED_BLOCKED) + get(ARTICLE_BLOCKED),
            fetch_errors=get(FEED_FETCH_ERROR),
            parse_errors=get(FEED_MALFORMED)
            + get(FEED_ERROR)
            - get(FEED_FETCH_ERROR)
            + get(under(ARTICLE_FAILED_BECAUSE, "unparseable")),
            errors=get(FEED_ERROR) + get(STORE_ERRORS) + spider_errors,
            spider_errors=spider_errors,
            entries_dropped=entries_dropped,
            dropped=_sum_under(stats, ITEMS_DROPPED) + entries_dropped,
            skipped=_sum_under(stats, ITEMS_SKIPPED),
            status=status,
            llm={k.removeprefix(LLM): v for k, v in stats.items() if k.startswith(LLM)},
            counters={k.removeprefix(NAMESPACE): v for k, v in stats.items() if k.startswith(NAMESPACE)},
            **run,
        )

    @property
    def good(self) -> bool:
        """At least one of its feeds was fetched and read: an empty or quiet feed is good, a failed one is not."""
        return self.feeds_read > 0

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 3)

    def as_doc(self) -> dict:
        """The `runs` document."""
        return {**asdict(self), "duration_s": self.duration_s}
