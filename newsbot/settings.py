"""Scrapy settings for newsbot.

Every knob is a Scrapy setting (override with `-s NAME=VALUE`); newsbot.settings_check validates
them all when a command starts. Environment variables are read only for secrets and connection
strings (OPENAI_API_KEY, OPENAI_BASE_URL, MONGO_URI, the channels' secrets): a NEWSBOT_* setting set
in the environment is refused, not silently ignored.
"""

BOT_NAME = "newsbot"
# Every source (newsbot/sources.toml + NEWSBOT_SOURCES_FILE) is a spider; SPIDER_MODULES only hold
# the quirk classes of sites that need code (newsbot.spiders.loader).
SPIDER_LOADER_CLASS = "newsbot.spiders.loader.SourceSpiderLoader"
SPIDER_MODULES = ["newsbot.spiders"]
NEWSPIDER_MODULE = "newsbot.spiders"
COMMANDS_MODULE = "newsbot.commands"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "newsbot.logformatter.NewsbotLogFormatter"
LOG_LEVEL = "INFO"
# Scrapy's debugging back doors, off: each crawler would open its own port (a digest runs hundreds),
# the telnet console logs its password at INFO, and the remote control writes a code-execution token
# to a job file that a killed run leaves behind. `-s TELNETCONSOLE_ENABLED=True` or
# `-s REMOTE_CONTROL_ENABLED=True` turns one on for a debugging session.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- Politeness -------------------------------------------------------------------------------
USER_AGENT = "newsbot/1.0 (+https://github.com/newsbot/newsbot; AI news digest bot)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# A news page is a few hundred KB; anything past this is an error page or an attack.
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# Items of one response in the pipelines at once. Scrapy starts this many worker tasks for every
# callback, and an article page yields one item: 100 (the default) cost ~0.3 ms per page for nothing.
# A feed's entries (usually 10-50) still go through together, so they are stored in one batch.
CONCURRENT_ITEMS = 32
# Scrapy re-reads and parses (ast) a callback's source for every response to warn about `return value`
# in a generator: its cache holds weak references to bound methods, which die with each request, so that
# is ~1 ms per page. tests/crawl/test_units.py checks every spider's generator methods once instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Worker processes for the CPU-heavy pure work (feed parsing, page extraction, the heuristic analysis, the
# report's keys), shared by every crawler of the process, so the reactor's thread is free to fetch and
# store: "auto" is one per spare core (at most 2), 0 does everything on the reactor's thread. Same results
# either way (newsbot.workers).
NEWSBOT_WORKER_PROCESSES = "auto"

# --- Sources ----------------------------------------------------------------------------------
# The user's own sources file (TOML, same format as newsbot/sources.toml): adds sources, overrides
# built-ins key by key, disables them with `enabled = false`. A path, or "package:file" for a file
# shipped inside a package (a scrapyd egg). README: "Add your own sources".
NEWSBOT_SOURCES_FILE = None
# Only these sources (comma list of names); empty = every enabled source.
NEWSBOT_SOURCES = []
# `scrapy digest` crawls at most this many sources at once and starts the next as one finishes. Each
# source is one site crawled one request at a time; hundreds of crawlers alive at once only cost memory.
NEWSBOT_CONCURRENT_SOURCES = 32

# --- Offline replay -------------------------------------------------------------------------
# A folder with manifest.jsonl: every request, robots.txt included, is answered from it.
NEWSBOT_SNAPSHOT = None
# Report day (YYYY-MM-DD, Asia/Shanghai) for windowing; None means "live".
NEWSBOT_DATE = None

# Record a live crawl into a snapshot folder (same format) for later replay.
NEWSBOT_RECORD = None

DOWNLOADER_MIDDLEWARES = {
    "newsbot.snapshot.SnapshotReplayMiddleware": 950,
    # After redirects (600) and decompression (590) have run on the response.
    "newsbot.snapshot.SnapshotRecordMiddleware": 585,
    # The fetch policy (README, "Crawling"): pages only on the source's own domains, checked where
    # Scrapy's offsite filter sits; only http(s) and public addresses, checked last before the
    # download (and before replay, so a snapshot obeys the same policy), redirects included.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newsbot.fetch.middlewares.SourceDomainsMiddleware": 50,
    "newsbot.fetch.middlewares.AddressPolicyMiddleware": 940,
}

# --- Fetch policy -----------------------------------------------------------------------------
# Host names are resolved by this resolver, which refuses answers that are not public addresses.
TWISTED_DNS_RESOLVER = "newsbot.fetch.resolver.PublicAddressResolver"
# Internal hosts that may be fetched anyway: "host", "host:port", an IP or a CIDR network
# (comma-separated on the command line). Empty by default; tests name their local server here.
NEWSBOT_ALLOW_PRIVATE_HOSTS = []

# --- Bounds -----------------------------------------------------------------------------------
# Longer text is cut at a character boundary and ends with "…" (the normalise pipeline).
NEWSBOT_MAX_TITLE_CHARS = 300
NEWSBOT_MAX_SUMMARY_CHARS = 3000
NEWSBOT_MAX_CONTENT_CHARS = 100_000
# A feed date further ahead than this, or before NEWSBOT_MIN_DATE, is flagged date_suspect and the
# item is windowed by the time newsbot first saw it.
NEWSBOT_MAX_FUTURE_HOURS = 24
NEWSBOT_MIN_DATE = "2000-01-01"

# --- JavaScript pages -----------------------------------------------------------------------
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
NEWSBOT_CHROMIUM_PATH = "/usr/bin/chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "headless": True,
    # Set from NEWSBOT_CHROMIUM_PATH in newsbot.spiders.base.FeedSpider.update_settings.
    "executable_path": None,
    # This machine's network is closed: without these Chromium retries background fetches forever.
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
    ],
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
# Sources whose article pages need a browser (comma list of spider names).
NEWSBOT_PLAYWRIGHT_SOURCES = []

# --- Storage ----------------------------------------------------------------------------------
# MONGO_URI (environment) picks the server; unset, an embedded SecantusDB server is started
# in NEWSBOT_DATA_DIR and shared by every crawl process on this machine.
NEWSBOT_DATA_DIR = "./data"
MONGO_DATABASE = "newsbot"
# The embedded daemon stops itself after this many minutes without a client (0: never); while any
# process is connected it keeps running, shared by every crawl, report and scrapyd job.
NEWSBOT_DB_IDLE_STOP = 10
MONGO_CONNECT_TIMEOUT_MS = 5000

# Articles are upserted in bulk: up to this many per write, none waiting longer than this (seconds).
NEWSBOT_STORE_BATCH_SIZE = 100
NEWSBOT_STORE_BATCH_DELAY = 0.05

ITEM_PIPELINES = {
    "newsbot.pipelines.normalize.NormalizePipeline": 100,
    "newsbot.pipelines.judge.JudgePipeline": 200,
    "newsbot.pipelines.store.StorePipeline": 300,
    "newsbot.pipelines.follow_up.FollowUpPipeline": 400,
}

EXTENSIONS = {
    "newsbot.extensions.run_stats.RunStatsExtension": 500,
}
STATS_CLASS = "newsbot.extensions.run_stats.StatsCollector"

# --- Analysis (LangChain / offline heuristics) ---------------------------------------------
NEWSBOT_ANALYZER = "auto"  # auto (llm when OPENAI_API_KEY is set), llm, heuristic
NEWSBOT_LLM_MODEL = "gpt-4o-mini"
NEWSBOT_LLM_METHOD = "json_schema"  # json_schema, json_mode, function_calling
NEWSBOT_LLM_CONCURRENCY = 8
# Articles analysed at once in one process, all sources together (in llm mode at least
# NEWSBOT_LLM_CONCURRENCY x NEWSBOT_LLM_BATCH, so every call can carry a full batch).
NEWSBOT_ANALYSIS_CONCURRENCY = 16
NEWSBOT_LLM_RPS = 0  # requests per second; 0 = unlimited
NEWSBOT_LLM_TIMEOUT = 60
NEWSBOT_LLM_RETRIES = 3  # retries of 429 / 5xx / timeouts, with exponential backoff
NEWSBOT_LLM_BACKOFF = 1.0  # seconds before the first retry; doubles each time (Retry-After wins)
NEWSBOT_LLM_TEMPERATURE = 0.0
NEWSBOT_LLM_MAX_OUTPUT_TOKENS = 800  # per article: a batch call may write k times as much
# Articles per call (1 = one call each). Larger k: fewer calls and less system prompt per article, but
# bigger replies, a longer context and a later answer; see docs/llm-providers.md.
NEWSBOT_LLM_BATCH = 1
NEWSBOT_LLM_BATCH_WAIT = 1.0  # seconds a partial batch waits for more articles (the crawl's close sends it at once)
# json_mode only: send the JSON schema inside response_format (llama.cpp's server constrains output with it).
NEWSBOT_LLM_JSON_MODE_SCHEMA = False
NEWSBOT_MAX_INPUT_TOKENS = 1500
NEWSBOT_PROMPTS_DIR = None  # None = the prompts bundled with the package
NEWSBOT_PRICE_PROMPT_PER_1K = 0.00015
NEWSBOT_PRICE_COMPLETION_PER_1K = 0.0006
NEWSBOT_EVAL_CACHE_DIR = ".cache/evalprompts"  # `scrapy evalprompts` keeps LLM replies here

# --- Report -----------------------------------------------------------------------------------
NEWSBOT_REPORT_ENABLED = True
NEWSBOT_OUTPUT_DIR = "reports"
NEWSBOT_WINDOW_HOURS = 24
NEWSBOT_REPORT_CUTOFF = "09:00"  # local (Asia/Shanghai) cutoff time for --date D
NEWSBOT_TIMEZONE = "Asia/Shanghai"
NEWSBOT_MAX_DOMESTIC = 15
NEWSBOT_MAX_INTERNATIONAL = 13
NEWSBOT_SHORT_TOP = 5
NEWSBOT_REPORT_FORMATS = ["txt", "md", "html", "json"]
# Render after every `scrapy crawl` (spider_closed); digest turns it off and renders once itself.
NEWSBOT_REPORT_ON_CLOSE = True
# An event reported on one of this many earlier days is not repeated unless it brings new facts.
NEWSBOT_MEMORY_DAYS = 7
EXTENSIONS["newsbot.extensions.report_on_close.ReportOnCloseExtension"] = 900

# --- Publishing (scrapy publish, scrapy report --week) ------------------------------------------
NEWSBOT_SITE_DIR = "site"  # `scrapy publish` writes the static site here (--output-dir)
NEWSBOT_SITE_URL = ""  # where the site is served, e.g. https://news.example.com/ai/; makes the feed's links absolute
NEWSBOT_FEED_DAYS = 30  # days in feed.xml, newest first
NEWSBOT_WEEKLY_TOP = 10  # events per region in the weekly report
NEWSBOT_WEEKLY_SUMMARY_EVENTS = 12  # top events the LLM reads for the 本周总结

# --- Delivery ---------------------------------------------------------------------------------
# After the report renders it is pushed to every channel below (docs/operations.md has examples).
# name -> {"type": dingtalk | feishu | lark | wecom | slack | json | email, ...options}.
# Secrets never go here: a channel names the ENVIRONMENT VARIABLES that hold them (url_env,
# secret_env, headers_env, username_env, password_env); by default NEWSBOT_<NAME>_URL,
# NEWSBOT_<NAME>_SECRET, NEWSBOT_<NAME>_USERNAME and NEWSBOT_<NAME>_PASSWORD.
NEWSBOT_PUSH_ENABLED = True
NEWSBOT_CHANNELS = {}
# `scrapy digest` and `scrapy report --push` push; a plain `scrapy crawl` does only when this is on.
NEWSBOT_PUSH_ON_CLOSE = False
NEWSBOT_PUSH_RETRIES = 3  # retries per message after the first attempt
NEWSBOT_PUSH_BACKOFF = 2.0  # seconds before the first retry, doubled each time
NEWSBOT_PUSH_BACKOFF_MAX = 60.0
NEWSBOT_PUSH_TIMEOUT = 20.0
# Push a short alert when a source is broken (see newsbot.health).
NEWSBOT_PUSH_ALERTS = True

# --- Source health ----------------------------------------------------------------------------
# A source is broken after this many bad runs in a row (no items, an error, or blocked).
NEWSBOT_HEALTH_BROKEN_AFTER = 2
NEWSBOT_HEALTH_DAYS = 7
# `scrapy sources` flags a source without a successful run in this many hours (daily runs + slack).
NEWSBOT_HEALTH_EXPECTED_HOURS = 26
# Days on which an empty feed is expected and proves nothing, over the sources' `quiet_weekdays`
# (arXiv's, in sources.toml): {"name": {"timezone": "America/New_York", "weekdays": ["Sat", "Sun"]}}.
NEWSBOT_HEALTH_QUIET = {}

# --- Scheduling (scrapy schedule) -------------------------------------------------------------
# SCRAPYD_USERNAME / SCRAPYD_PASSWORD (environment) are the scrapyd credentials.
NEWSBOT_SCHEDULE_POLL = 10.0  # seconds between listjobs.json polls
NEWSBOT_SCHEDULE_TIMEOUT = 4 * 3600  # give up waiting after this long, then report what is stored
NEWSBOT_SCHEDULE_HTTP_TIMEOUT = 30.0
