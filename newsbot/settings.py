"""Scrapy settings for newsbot.

Every knob is a Scrapy setting (override with `-s NAME=VALUE`). Environment variables are read
only for secrets and connection strings: OPENAI_API_KEY, OPENAI_BASE_URL, MONGO_URI.
"""

BOT_NAME = "newsbot"
SPIDER_MODULES = ["newsbot.spiders"]
NEWSPIDER_MODULE = "newsbot.spiders"
COMMANDS_MODULE = "newsbot.commands"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "newsbot.logformatter.NewsbotLogFormatter"
LOG_LEVEL = "INFO"

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

# --- Offline replay -------------------------------------------------------------------------
# A folder with manifest.jsonl: every request, robots.txt included, is answered from it.
NEWSBOT_SNAPSHOT = None
# Report day (YYYY-MM-DD, Asia/Shanghai) for windowing; None means "live".
NEWSBOT_DATE = None

DOWNLOADER_MIDDLEWARES = {
    "newsbot.snapshot.SnapshotReplayMiddleware": 950,
}

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
MONGO_CONNECT_TIMEOUT_MS = 5000

ITEM_PIPELINES = {
    "newsbot.pipelines.normalize.NormalizePipeline": 100,
    "newsbot.pipelines.store.StorePipeline": 300,
}

EXTENSIONS = {
    "newsbot.extensions.RunStatsExtension": 500,
}

# --- Analysis (LangChain / offline heuristics) ---------------------------------------------
NEWSBOT_ANALYZER = "auto"  # auto (llm when OPENAI_API_KEY is set), llm, heuristic
NEWSBOT_LLM_MODEL = "gpt-4o-mini"
NEWSBOT_LLM_METHOD = "json_schema"  # json_schema, json_mode, function_calling
NEWSBOT_LLM_CONCURRENCY = 8
NEWSBOT_LLM_RPS = 0  # requests per second; 0 = unlimited
NEWSBOT_LLM_TIMEOUT = 60
NEWSBOT_LLM_RETRIES = 3
NEWSBOT_LLM_TEMPERATURE = 0.0
NEWSBOT_MAX_INPUT_TOKENS = 1500
NEWSBOT_PROMPTS_DIR = None  # None = the prompts bundled with the package
NEWSBOT_PRICE_PROMPT_PER_1K = 0.00015
NEWSBOT_PRICE_COMPLETION_PER_1K = 0.0006

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

# --- Delivery ---------------------------------------------------------------------------------
NEWSBOT_PUSH_ENABLED = True
NEWSBOT_CHANNELS = {}
