"""Log formatting: a dropped item is logged by its reason alone, not with its whole text; and Scrapy
loggers whose ordinary network errors come with a traceback, cut to their one line."""

from __future__ import annotations

import logging

from scrapy import logformatter


class NewsbotLogFormatter(logformatter.LogFormatter):
    def dropped(self, item, exception, response, spider=None):
        return {"level": logging.INFO, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}


class OneLineErrors(logging.Filter):
    """Drops the traceback of a logger's records: for Scrapy loggers that log an ordinary network
    failure (a robots.txt host that does not resolve, such as `localhost.`) with exc_info. Their
    message already names the request and the error; the traceback only shows Scrapy's own frames."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


class Repeated(logging.Filter):
    """Moves to INFO the ERROR records that only repeat a failure another line reports: Scrapy's
    "Gave up retrying" (the spider's errback logs the feed's failure, or counts the article page's),
    and a robots.txt download that found no server (the feed's own request fails the same way and says
    so; without robots.txt Scrapy fetches the feed anyway). One failure, one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and (
            (record.name == RETRY_LOGGER and record.getMessage().startswith("Gave up retrying"))
            or (record.name == ROBOTS_LOGGER and _network(record))
        ):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def _network(record: logging.LogRecord) -> bool:
    text = record.getMessage()
    return any(marker in text for marker in NETWORK_MARKERS)


RETRY_LOGGER = "scrapy.downloadermiddlewares.retry"
ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"
# How Twisted words the failures of a request that reached no server, or no answer in time.
NETWORK_MARKERS = ("DNS lookup failed", "Connection was refused", "took longer than", "TCP connection timed out")
# Scrapy's robots.txt middleware logs every failed robots.txt download with its traceback.
ONE_LINE_LOGGERS = (ROBOTS_LOGGER,)


def one_line_errors() -> None:
    """Install OneLineErrors on ONE_LINE_LOGGERS and Repeated on the loggers that repeat a failure,
    once per process."""
    for name in ONE_LINE_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, OneLineErrors) for f in target.filters):
            target.addFilter(OneLineErrors())
    for name in (RETRY_LOGGER, ROBOTS_LOGGER):
        target = logging.getLogger(name)
        if not any(isinstance(f, Repeated) for f in target.filters):
            target.addFilter(Repeated())
