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


# Scrapy's robots.txt middleware logs every failed robots.txt download with its traceback.
ONE_LINE_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt",)


def one_line_errors() -> None:
    """Install OneLineErrors on ONE_LINE_LOGGERS, once per process."""
    for name in ONE_LINE_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, OneLineErrors) for f in target.filters):
            target.addFilter(OneLineErrors())
