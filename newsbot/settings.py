"""Scrapy settings for newsbot.

Every knob is a Scrapy setting (override with `-s NAME=VALUE`, or set it here). newsbot's own
settings (NEWSBOT_*, MONGO_*) are declared with their defaults, allowed values and meaning in
newsbot/config/sections.py and listed in docs/settings.md; they are checked when a command starts.
Environment variables are read only for secrets and connection strings (OPENAI_API_KEY,
OPENAI_BASE_URL, MONGO_URI, the channels' secrets): a NEWSBOT_* setting set in the environment is
refused, not silently ignored.
"""

from newsbot.config import values as _values

BOT_NAME = "newsbot"
# Every source (newsbot/sources.toml + NEWSBOT_SOURCES_FILE) is a spider; SPIDER_MODULES only hold
# the quirk classes of sites that need code, one package per site (newsbot.sites).
SPIDER_LOADER_CLASS = "newsbot.spiders.loader.SourceSpiderLoader"
SPIDER_MODULES = ["newsbot.sites"]
NEWSPIDER_MODULE = "newsbot.sites"
COMMANDS_MODULE = "newsbot.commands"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "newsbot.runtime.logformatter.NewsbotLogFormatter"
LOG_LEVEL = "INFO"
# Scrapy's debugging back doors, off: each crawler would open its own port (a digest runs hundreds),
# the telnet console logs its password at INFO, and the remote control writes a code-execution token
# to a job file that a killed run leaves behind. `-s TELNETCONSOLE_ENABLED=True` or
# `-s REMOTE_CONTROL_ENABLED=True` turns one on for a debugging session.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- Politeness -------------------------------------------------------------------------------
# No web site of ours: NEWSBOT_CONTACT adds the operator's contact (newsbot.spiders.base), and a digest
# warns while it is unset. A USER_AGENT set here or with -s is used as it is.
USER_AGENT = _values.USER_AGENT_BASE
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

DOWNLOADER_MIDDLEWARES = {
    "newsbot.fetch.snapshot.SnapshotReplayMiddleware": 950,
    # After redirects (600) and decompression (590) have run on the response.
    "newsbot.fetch.snapshot.SnapshotRecordMiddleware": 585,
    # The fetch policy (README, "Crawling"): pages only on the source's own domains, checked where
    # Scrapy's offsite filter sits; only http(s) and public addresses, checked last before the
    # download (and before replay, so a snapshot obeys the same policy), redirects included.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newsbot.fetch.middlewares.SourceDomainsMiddleware": 50,
    "newsbot.fetch.middlewares.RedirectLoopMiddleware": 590,
    "newsbot.fetch.middlewares.AddressPolicyMiddleware": 940,
    # The same policy for every request a browser page makes (newsbot.fetch.browser).
    "newsbot.fetch.browser.BrowserPolicyMiddleware": 945,
}

# --- Fetch policy -----------------------------------------------------------------------------
# Host names are resolved by this resolver, which refuses answers that are not public addresses.
TWISTED_DNS_RESOLVER = "newsbot.fetch.resolver.PublicAddressResolver"

# --- JavaScript pages -----------------------------------------------------------------------
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
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
        # WebRTC off: with no proxy, no UDP at all, so a page cannot reach an address around the routes.
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    ],
}
# The browser's side of the fetch policy: a request of a page whose policy routes are not in place
# is refused (newsbot.fetch.browser).
PLAYWRIGHT_ABORT_REQUEST = "newsbot.fetch.browser.unguarded"
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000

ITEM_PIPELINES = {
    "newsbot.pipelines.normalize.NormalizePipeline": 100,
    "newsbot.pipelines.judge.JudgePipeline": 200,
    "newsbot.pipelines.store.StorePipeline": 300,
    "newsbot.pipelines.follow_up.FollowUpPipeline": 400,
}

EXTENSIONS = {
    "newsbot.extensions.run_stats.RunStatsExtension": 500,
    "newsbot.extensions.report_on_close.ReportOnCloseExtension": 900,
}
STATS_CLASS = "newsbot.extensions.run_stats.StatsCollector"
