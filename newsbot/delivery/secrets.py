"""Channel secrets: read from the environment variables the settings name, and kept out of logs."""

from __future__ import annotations

import logging
import os
import re
from urllib.parse import parse_qsl, urlsplit


class ChannelConfigError(ValueError):
    """A channel cannot be used as configured; the message never contains a secret."""


def env_name(channel: str, suffix: str) -> str:
    """The default variable for a channel's secret: channel "team-ding" -> NEWSBOT_TEAM_DING_URL."""
    return f"NEWSBOT_{re.sub(r'[^A-Za-z0-9]+', '_', channel).strip('_').upper()}_{suffix}"


def from_env(var: str, *, what: str, required: bool = True) -> str | None:
    value = (os.environ.get(var) or "").strip()
    if not value:
        if required:
            raise ChannelConfigError(f"{what}: environment variable {var} is not set")
        return None
    return value


def mask_url(url: str) -> str:
    """scheme://host/*** : webhook URLs carry their token in the path or the query."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme or 'http'}://{host}/***"


def secret_fragments(*values: str | None) -> list[str]:
    """Every substring of the given secrets worth redacting: the values themselves, and the path
    segments and query values of URLs (a token can appear on its own in an error message)."""
    out: set[str] = set()
    for value in values:
        if not value:
            continue
        out.add(value)
        if "://" in value:
            parts = urlsplit(value)
            out.update(seg for seg in parts.path.split("/") if len(seg) >= 6)
            out.update(v for _, v in parse_qsl(parts.query) if len(v) >= 6)
            if parts.password:
                out.add(parts.password)
    # Longest first, so a URL is replaced whole before its token is.
    return sorted(out, key=len, reverse=True)


def redact(text: str, fragments: list[str]) -> str:
    for fragment in fragments:
        text = text.replace(fragment, "***")
    return text


class _RedactingFilter(logging.Filter):
    """Scrubs registered secrets from third-party log records: httpx logs every request URL at
    INFO, and a webhook URL is a credential."""

    def __init__(self):
        super().__init__()
        self.fragments: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if self.fragments:
            message = record.getMessage()
            cleaned = redact(message, self.fragments)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        return True


_FILTER = _RedactingFilter()
GUARDED_LOGGERS = ("httpx", "httpcore")


def guard_logs(fragments: list[str]) -> None:
    """Keep these secrets out of the HTTP client's own log records (idempotent)."""
    known = set(_FILTER.fragments)
    if not set(fragments) <= known:
        _FILTER.fragments = sorted(known | set(fragments), key=len, reverse=True)
    for name in GUARDED_LOGGERS:
        log = logging.getLogger(name)
        if _FILTER not in log.filters:
            log.addFilter(_FILTER)
