"""Names vulture cannot see being used, because a framework calls or reads them by name.

Checked by tests/test_code_health.py (`vulture` with the [tool.vulture] settings in pyproject.toml).
Keep it minimal: every entry says why it is alive, and an entry whose name no longer appears in
newsbot/ fails the test, so the list cannot outlive the code. newsbot/settings.py is not scanned
(Scrapy reads every name in it); the test checks instead that each NEWSBOT_* setting is read somewhere."""

from vulture.whitelist_utils import Whitelist

_ = Whitelist()

# Scrapy loads these classes from dotted paths in settings.py (ITEM_PIPELINES, EXTENSIONS,
# DOWNLOADER_MIDDLEWARES, LOG_FORMATTER) or finds them in SPIDER_MODULES, and calls their hooks.
_.NormalizePipeline
_.StorePipeline
_.JudgePipeline
_.FollowUpPipeline
_.RunStatsExtension
_.StatsCollector  # STATS_CLASS
_.ReportOnCloseExtension
_.SnapshotReplayMiddleware
_.SnapshotRecordMiddleware
_.AddressPolicyMiddleware
_.SourceDomainsMiddleware
_.RedirectLoopMiddleware
_.BrowserPolicyMiddleware
_.unguarded  # PLAYWRIGHT_ABORT_REQUEST names it; scrapy-playwright calls it for each browser request
_.process_exception
_.request_scheduled  # OffsiteMiddleware connects it to the request_scheduled signal
# TWISTED_DNS_RESOLVER names it; Scrapy builds it and installs it on the reactor.
_.PublicAddressResolver
# Read by Scrapy's offsite middleware from the spider.
_.allowed_domains
_.NewsbotLogFormatter
_.SourceSpiderLoader  # SPIDER_LOADER_CLASS
# Quirk classes, found in SPIDER_MODULES by newsbot.spiders.loader and subclassed per source.
_.ArxivSpider
_.BloombergSpider
_.CnbcSpider
_.Kr36Spider
# Article parsers, named in sources.toml (`parser`) and imported by newsbot.parsers.registry.
_.parse_generic
_.parse_36kr
_.parse_cnbc
# Scrapy reads a spider's custom_settings by name.
_.custom_settings
# A sources-file key (sources.toml allowed_domains) kept on Source for the fetch policy.
_.allowed_domains
_.from_crawler
_.open_spider
_.close_spider
_.process_item
_.process_request
_.process_response
_.dropped
_.closed  # Spider.closed(reason): Scrapy calls it when the spider closes

# Scrapy commands (COMMANDS_MODULE): attributes and methods scrapy.cmdline reads.
_.requires_project
_.requires_crawler_process
_.syntax
_.short_desc
_.exitcode

# Data-model fields that are written to MongoDB (dataclasses.asdict, pydantic model_dump) and
# read back as documents, and enum members looked up by value (Category("产品发布")).
_.feed_categories
_.content_source
_.date_missing
_.date_suspect
_.feed_published_at
_.feed_url
_.extra
_.organizations
_.people
_.places
_.summary_zh
_.analyzed_at
_.injection_suspected
_.medium
_.product
_.partnership
_.safety
_.infrastructure
# The `reports` schema (newsbot/storage/report_schema.py): pydantic reads the model configuration,
# the fields (each a field of the stored document) and the model validator by name.
_.model_config
_.also_reported_by
_.central_keys
_.body_number_keys
_.name_keys
_.name_tokens
_.approved_at
_.approved_by
_.draft
_._one_day
# RunSummary fields: stored in the `runs` document (asdict) and read back by health and the report.
_.close_reason
_.feeds_fetched
_.stored
_.updated
_.failed_pages
_.blocked
_.fetch_errors
_.parse_errors
_.skipped

# --- TEMPORARY: real dead code found by this check, to be REMOVED from newsbot/ (issue 8) -------
# Delete each line here in the commit that deletes the code; the test fails while a line outlives it.
_.as_dict  # delivery/__init__.py: only tests call it
# The benches (bench/heuristic.py, bench/analysis.py) load jieba and compile the patterns before they
# time anything; bench/heuristic.py also calls it on the older revision it compares against.
_.warm_up
# newsbot.runtime.workers: asyncio calls the protocol's methods; logging.Formatter reads exc_text; tests ask
# where a call ran (in_worker).
_.data_received
_.connection_lost
_.exc_text
_.levelname  # logging.Formatter reads it: newsbot.runtime.logformatter.Repeated moves records to INFO
_.reset_breakers  # tests/conftest.py closes the process-wide LLM breakers between tests
_.in_worker
# The `edits` schema (newsbot/storage/edits.py): pydantic calls the model validator by name.
_._fits
_.approved_version
_.approved_entries
