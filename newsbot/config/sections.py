"""Every setting newsbot reads, declared once: its name, kind (type and allowed values), default and
what it does, as a field of the typed section the code that uses it reads.

A default is written as it would be in settings.py, and goes through its kind like any other value.
Settings marked `scrapy=True` are Scrapy's own: their defaults are Scrapy's (or newsbot/settings.py's),
and newsbot only reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from newsbot.config import kinds as k
from newsbot.config.values import ANALYZERS, DEFAULT_CUTOFF, DEFAULT_TIMEZONE, LLM_METHODS, REPORT_FORMATS


@dataclass(frozen=True)
class Declared:
    name: str
    kind: k.Kind
    default: Any
    doc: str
    scrapy: bool = False


def declare(name: str, kind: k.Kind, default: Any, doc: str, *, scrapy: bool = False):
    return field(metadata={"setting": Declared(name, kind, default, doc, scrapy)})


@dataclass(frozen=True)
class Crawl:
    """Fetching: which sources, offline replay and recording, the browser, the bounds on stored text."""

    sources_file: str | None = declare(
        "NEWSBOT_SOURCES_FILE",
        k.optional(k.SOURCES_FILE),
        None,
        'the user\'s own sources file (TOML, like newsbot/sources.toml), or "package:file" inside a package',
    )
    sources: tuple[str, ...] = declare(
        "NEWSBOT_SOURCES", k.SPIDER_NAMES, [], "only these sources; empty: every enabled one"
    )
    parser_packages: tuple[str, ...] = declare(
        "NEWSBOT_PARSER_PACKAGES",
        k.PACKAGES,
        [],
        "packages besides newsbot.parsers whose functions a source's `parser` may name",
    )
    concurrent_sources: int = declare(
        "NEWSBOT_CONCURRENT_SOURCES", k.number(int, minimum=1), 32, "sources `scrapy digest` crawls at once"
    )
    snapshot: str | None = declare(
        "NEWSBOT_SNAPSHOT",
        k.optional(k.SNAPSHOT),
        None,
        "answer every request from this snapshot folder (offline replay)",
    )
    record: str | None = declare(
        "NEWSBOT_RECORD", k.optional(k.TEXT), None, "record a live crawl into this snapshot folder"
    )
    contact: str | None = declare(
        "NEWSBOT_CONTACT",
        k.optional(k.TEXT),
        None,
        "the operator's contact (a URL or e-mail address) put in the User-Agent, so a site can reach you",
    )
    allow_private_hosts: tuple[str, ...] = declare(
        "NEWSBOT_ALLOW_PRIVATE_HOSTS", k.HOSTS, [], "internal hosts that may be fetched anyway (host, host:port, CIDR)"
    )
    chromium_path: str = declare(
        "NEWSBOT_CHROMIUM_PATH", k.TEXT, "/usr/bin/chromium", "the Chromium for JavaScript pages"
    )
    playwright_sources: tuple[str, ...] = declare(
        "NEWSBOT_PLAYWRIGHT_SOURCES", k.SPIDER_NAMES, [], "sources whose article pages need a browser"
    )
    max_title_chars: int = declare("NEWSBOT_MAX_TITLE_CHARS", k.number(int, minimum=1), 300, "longer titles are cut")
    max_summary_chars: int = declare(
        "NEWSBOT_MAX_SUMMARY_CHARS", k.number(int, minimum=1), 3000, "longer feed summaries are cut"
    )
    max_content_chars: int = declare(
        "NEWSBOT_MAX_CONTENT_CHARS", k.number(int, minimum=1), 100_000, "longer article texts are cut"
    )
    max_future_hours: float = declare(
        "NEWSBOT_MAX_FUTURE_HOURS",
        k.number(float, minimum=0),
        24,
        "a feed date further ahead is suspect: the item is windowed by when newsbot first saw it",
    )
    min_date: date = declare("NEWSBOT_MIN_DATE", k.DAY, "2000-01-01", "a feed date before this is suspect too")
    worker_processes: str | int = declare(
        "NEWSBOT_WORKER_PROCESSES",
        k.auto_or(k.number(int, minimum=0)),
        "auto",
        "processes for the CPU-heavy work; auto: one per spare core (at most 2), 0: none",
    )
    download_maxsize: int = declare(
        "DOWNLOAD_MAXSIZE",
        k.number(int, minimum=0),
        1024 * 1024 * 1024,
        "largest response, also in replay",
        scrapy=True,
    )
    download_timeout: float = declare(
        "DOWNLOAD_TIMEOUT", k.number(float, positive=True), 180, "seconds a download may take", scrapy=True
    )
    redirect_max_times: int = declare(
        "REDIRECT_MAX_TIMES", k.number(int, minimum=0), 20, "redirects followed per request", scrapy=True
    )
    dnscache_size: int = declare(
        "DNSCACHE_SIZE", k.number(int, minimum=0), 10000, "host names whose addresses are remembered", scrapy=True
    )
    playwright_launch_options: dict = declare(
        "PLAYWRIGHT_LAUNCH_OPTIONS", k.MAPPING, {}, "how Chromium starts (scrapy-playwright)", scrapy=True
    )
    log_level: int = declare("LOG_LEVEL", k.LOG_LEVEL, "DEBUG", "least level logged", scrapy=True)


@dataclass(frozen=True)
class Store:
    """The database: the embedded SecantusDB server or MONGO_URI's, and how articles are written."""

    data_dir: str = declare("NEWSBOT_DATA_DIR", k.TEXT, "./data", "where the embedded database server keeps its files")
    db_idle_stop: float = declare(
        "NEWSBOT_DB_IDLE_STOP",
        k.number(float, minimum=0),
        10,
        "minutes the embedded server lives without a client (0: never stops)",
    )
    mongo_uri: str | None = declare(
        "MONGO_URI", k.optional(k.TEXT), None, "a MongoDB server to use instead (the environment's MONGO_URI wins)"
    )
    mongo_database: str = declare("MONGO_DATABASE", k.DB_NAME, "newsbot", "database name, unless MONGO_URI names one")
    mongo_connect_timeout_ms: int = declare(
        "MONGO_CONNECT_TIMEOUT_MS", k.number(int, positive=True), 5000, "how long to wait for the server (ms)"
    )
    batch_size: int = declare("NEWSBOT_STORE_BATCH_SIZE", k.number(int, minimum=1), 100, "articles per bulk write")
    batch_delay: float = declare(
        "NEWSBOT_STORE_BATCH_DELAY", k.number(float, minimum=0), 0.05, "seconds an article waits for its batch"
    )


@dataclass(frozen=True)
class Analysis:
    """Judging and summarising articles: the LLM (LangChain) or the offline heuristics."""

    analyzer: str = declare("NEWSBOT_ANALYZER", k.choice(*ANALYZERS), "auto", "auto: llm when OPENAI_API_KEY is set")
    llm_model: str = declare("NEWSBOT_LLM_MODEL", k.TEXT, "gpt-4o-mini", "the chat model")
    llm_method: str = declare(
        "NEWSBOT_LLM_METHOD", k.choice(*LLM_METHODS), "json_schema", "how the model is held to the reply's schema"
    )
    llm_concurrency: int = declare("NEWSBOT_LLM_CONCURRENCY", k.number(int, minimum=1), 8, "LLM calls at once")
    concurrency: int = declare(
        "NEWSBOT_ANALYSIS_CONCURRENCY", k.number(int, minimum=1), 16, "articles analysed at once in one process"
    )
    llm_rps: float = declare("NEWSBOT_LLM_RPS", k.number(float, minimum=0), 0, "LLM requests per second; 0: unlimited")
    llm_timeout: float = declare("NEWSBOT_LLM_TIMEOUT", k.number(float, positive=True), 60, "seconds per LLM call")
    llm_retries: int = declare(
        "NEWSBOT_LLM_RETRIES", k.number(int, minimum=0), 3, "retries of 429, 5xx and timeouts, with backoff"
    )
    llm_backoff: float = declare(
        "NEWSBOT_LLM_BACKOFF", k.number(float, minimum=0), 1.0, "seconds before the first retry, doubled each time"
    )
    llm_temperature: float = declare(
        "NEWSBOT_LLM_TEMPERATURE", k.number(float, minimum=0, maximum=2), 0.0, "the model's sampling temperature"
    )
    llm_max_output_tokens: int = declare(
        "NEWSBOT_LLM_MAX_OUTPUT_TOKENS", k.number(int, minimum=1), 800, "reply tokens per article"
    )
    llm_json_mode_schema: bool = declare(
        "NEWSBOT_LLM_JSON_MODE_SCHEMA", k.BOOL, False, "json_mode only: send the schema in response_format (llama.cpp)"
    )
    llm_fallback_ok: bool = declare(
        "NEWSBOT_LLM_FALLBACK_OK",
        k.BOOL,
        False,
        "a run whose LLM went down publishes its offline report and exits 0 (else: a draft, exit 1)",
    )
    llm_batch: int = declare("NEWSBOT_LLM_BATCH", k.number(int, minimum=1), 1, "articles per LLM call")
    llm_batch_wait: float = declare(
        "NEWSBOT_LLM_BATCH_WAIT", k.number(float, minimum=0), 1.0, "seconds a partial batch waits for more articles"
    )
    max_input_tokens: int = declare(
        "NEWSBOT_MAX_INPUT_TOKENS", k.number(int, minimum=1), 1500, "article text tokens the model reads"
    )
    prompts_dir: str | None = declare(
        "NEWSBOT_PROMPTS_DIR", k.optional(k.EXISTING_DIR), None, "prompts to use instead of the bundled ones"
    )
    price_prompt_per_1k: float = declare(
        "NEWSBOT_PRICE_PROMPT_PER_1K", k.number(float, minimum=0), 0.00015, "price of 1000 prompt tokens (report stats)"
    )
    price_completion_per_1k: float = declare(
        "NEWSBOT_PRICE_COMPLETION_PER_1K", k.number(float, minimum=0), 0.0006, "price of 1000 reply tokens"
    )
    eval_cache_dir: str | None = declare(
        "NEWSBOT_EVAL_CACHE_DIR",
        k.optional(k.TEXT),
        ".cache/evalprompts",
        "`scrapy evalprompts` keeps LLM replies here",
    )


@dataclass(frozen=True)
class Report:
    """The day's report: its window, its size and its files."""

    enabled: bool = declare("NEWSBOT_REPORT_ENABLED", k.BOOL, True, "render a report at all")
    on_close: bool = declare(
        "NEWSBOT_REPORT_ON_CLOSE", k.BOOL, True, "render after every `scrapy crawl` (digest renders once itself)"
    )
    output_dir: str = declare("NEWSBOT_OUTPUT_DIR", k.TEXT, "reports", "where reports are written")
    require_approval: bool = declare(
        "NEWSBOT_REQUIRE_APPROVAL",
        k.BOOL,
        False,
        "runs render a draft and push only a 'draft ready' line; an editor approves the day "
        "(`scrapy desk`, `scrapy report --date D --approve`) to push it and publish it on the site",
    )
    formats: tuple[str, ...] = declare(
        "NEWSBOT_REPORT_FORMATS",
        k.list_of_choices(*REPORT_FORMATS, what="formats"),
        list(REPORT_FORMATS),
        "formats written",
    )
    date: date | None = declare(
        "NEWSBOT_DATE", k.optional(k.REPORT_DAY), None, "the report day (in NEWSBOT_TIMEZONE); unset: the live window"
    )
    timezone: ZoneInfo = declare(
        "NEWSBOT_TIMEZONE",
        k.TIMEZONE,
        DEFAULT_TIMEZONE,
        "the report's time zone: its days, its cut-off, the dates summaries start with",
    )
    cutoff: time = declare("NEWSBOT_REPORT_CUTOFF", k.HHMM, DEFAULT_CUTOFF, "a day's window ends at this local time")
    window_hours: float = declare(
        "NEWSBOT_WINDOW_HOURS", k.number(float, positive=True), 24, "hours a day's window spans"
    )
    max_domestic: int = declare("NEWSBOT_MAX_DOMESTIC", k.number(int, minimum=0), 15, "domestic events at most")
    max_international: int = declare(
        "NEWSBOT_MAX_INTERNATIONAL", k.number(int, minimum=0), 13, "international events at most"
    )
    short_top: int = declare("NEWSBOT_SHORT_TOP", k.number(int, minimum=0), 5, "events in the short version")
    memory_days: int = declare(
        "NEWSBOT_MEMORY_DAYS",
        k.number(int, minimum=0),
        7,
        "an event reported on one of these earlier days is not repeated without new facts",
    )


@dataclass(frozen=True)
class Publish:
    """`scrapy publish` (the static site and its feed) and the weekly report."""

    site_dir: str = declare("NEWSBOT_SITE_DIR", k.TEXT, "site", "where `scrapy publish` writes the site")
    site_url: str | None = declare(
        "NEWSBOT_SITE_URL",
        k.optional(k.HTTP_URL),
        None,
        "where the site is served (or `publish --site-url`); without it feed.xml is not written (an old one removed)",
    )
    feed_authority: str = declare(
        "NEWSBOT_FEED_AUTHORITY",
        k.TAG_AUTHORITY,
        "newsbot",
        "a domain or e-mail you own: feed entry ids are tag:AUTHORITY,2026:ai-daily/DAY; never change it",
    )
    feed_days: int = declare("NEWSBOT_FEED_DAYS", k.number(int, minimum=1), 30, "days in feed.xml")
    weekly_top: int = declare(
        "NEWSBOT_WEEKLY_TOP", k.number(int, minimum=1), 10, "events per region in the weekly report"
    )
    weekly_summary_events: int = declare(
        "NEWSBOT_WEEKLY_SUMMARY_EVENTS", k.number(int, minimum=1), 12, "top events the LLM reads for the 本周总结"
    )


@dataclass(frozen=True)
class Delivery:
    """Pushing the report to chat and mail channels (secrets stay in the environment)."""

    enabled: bool = declare("NEWSBOT_PUSH_ENABLED", k.BOOL, True, "push at all")
    channels: dict = declare(
        "NEWSBOT_CHANNELS", k.CHANNELS, {}, "name -> {type, options}; docs/operations.md has examples"
    )
    on_close: bool = declare("NEWSBOT_PUSH_ON_CLOSE", k.BOOL, False, "a plain `scrapy crawl` pushes too")
    retries: int = declare("NEWSBOT_PUSH_RETRIES", k.number(int, minimum=0), 3, "retries per message")
    backoff: float = declare(
        "NEWSBOT_PUSH_BACKOFF", k.number(float, minimum=0), 2.0, "seconds before the first retry, doubled each time"
    )
    backoff_max: float = declare(
        "NEWSBOT_PUSH_BACKOFF_MAX", k.number(float, minimum=0), 60.0, "longest wait between tries"
    )
    timeout: float = declare("NEWSBOT_PUSH_TIMEOUT", k.number(float, positive=True), 20.0, "seconds per push")
    alerts: bool = declare("NEWSBOT_PUSH_ALERTS", k.BOOL, True, "push a short alert when a source is broken")


@dataclass(frozen=True)
class Health:
    """Source health (`scrapy sources`) and `scrapy schedule`."""

    broken_after: int = declare(
        "NEWSBOT_HEALTH_BROKEN_AFTER", k.number(int, minimum=1), 2, "bad runs in a row before a source is broken"
    )
    days: int = declare("NEWSBOT_HEALTH_DAYS", k.number(int, minimum=1), 7, "days of runs the health table reads")
    expected_hours: float = declare(
        "NEWSBOT_HEALTH_EXPECTED_HOURS",
        k.number(float, positive=True),
        26,
        "a source without a successful run for this long is flagged",
    )
    quiet: dict = declare(
        "NEWSBOT_HEALTH_QUIET", k.QUIET, {}, "days an empty feed proves nothing, over sources.toml's quiet_weekdays"
    )
    schedule_poll: float = declare(
        "NEWSBOT_SCHEDULE_POLL", k.number(float, positive=True), 10.0, "seconds between scrapyd polls"
    )
    schedule_timeout: float = declare(
        "NEWSBOT_SCHEDULE_TIMEOUT",
        k.number(float, positive=True),
        4 * 3600,
        "give up waiting for scrapyd jobs after this",
    )
    schedule_http_timeout: float = declare(
        "NEWSBOT_SCHEDULE_HTTP_TIMEOUT", k.number(float, positive=True), 30.0, "seconds per request to scrapyd"
    )


SECTIONS = {
    "crawl": Crawl,
    "store": Store,
    "analysis": Analysis,
    "report": Report,
    "publish": Publish,
    "delivery": Delivery,
    "health": Health,
}
