"""Every newsbot setting checked once, when a command starts: a bad value is one line naming the
setting, the value and what is allowed (exit status 1), never a traceback from deep inside a crawl.

Where values come from (the one rule, also in README.md and docs/operations.md): `-s NAME=VALUE`
and newsbot/settings.py. NEWSBOT_* settings are never read from the environment; the environment
holds only secrets and connection strings (OPENAI_API_KEY, OPENAI_BASE_URL, MONGO_URI, the channels'
NEWSBOT_<CHANNEL>_URL/_SECRET/... and SCRAPYD_USERNAME/PASSWORD). An environment variable named
like a setting would be silently ignored, so it is an error too.

    problems = check_settings(settings)      # [] when everything is fine
    exit_on_bad_settings(settings)           # prints the first problem and exits 1
"""

from __future__ import annotations

import difflib
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsbot.sources import NAME_RE, SourcesError, load_sources

REPORT_FORMATS = ("txt", "md", "html", "json")
CHANNEL_TYPES = ("dingtalk", "feishu", "lark", "wecom", "slack", "json", "email")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# A check takes the raw value and returns None or raises ValueError("what is allowed").
Check = Callable[[object], None]


def _bool(value) -> None:
    if isinstance(value, bool) or value in (0, 1):
        return
    if str(value).strip().lower() not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
        raise ValueError("True or False")


def _number(kind: type, minimum: float | None = None, maximum: float | None = None, positive: bool = False) -> Check:
    def check(value) -> None:
        what = "an integer" if kind is int else "a number"
        if positive:
            what += " above 0"
        elif minimum is not None and maximum is not None:
            what += f" from {minimum:g} to {maximum:g}"
        elif minimum is not None:
            what += f" of at least {minimum:g}"
        try:
            number = kind(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or number != number:  # NaN
            raise ValueError(what)
        if (positive and number <= 0) or (minimum is not None and number < minimum):
            raise ValueError(what)
        if maximum is not None and number > maximum:
            raise ValueError(what)

    return check


def _choice(*allowed: str) -> Check:
    def check(value) -> None:
        if str(value) not in allowed:
            raise ValueError("one of " + ", ".join(allowed))

    return check


def _text(value) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a non-empty string")


def _optional(check: Check) -> Check:
    def wrapped(value) -> None:
        if value in (None, ""):
            return
        check(value)

    return wrapped


def _auto_or(check: Check) -> Check:
    def wrapped(value) -> None:
        if str(value).strip().lower() == "auto":
            return
        try:
            check(value)
        except ValueError as exc:
            raise ValueError(f"auto or {exc}") from None

    return wrapped


def _day(value) -> None:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        raise ValueError("a date as YYYY-MM-DD") from None


def _report_day(value) -> None:
    from newsbot.storage.report_schema import check_report_day

    check_report_day(str(value))


def _hhmm(value) -> None:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(value).strip()):
        raise ValueError("a local time as HH:MM, e.g. 09:00")


def _timezone(value) -> None:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("an IANA time zone such as Asia/Shanghai") from None


def _as_list(value) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value) if value.strip().startswith("[") else value.split(",")
    if not isinstance(value, list | tuple):
        raise ValueError
    return [str(v).strip() for v in value if str(v).strip()]


def _list_of(*allowed: str, what: str) -> Check:
    def check(value) -> None:
        try:
            items = _as_list(value)
        except ValueError:
            items = None
        if items is None or any(i not in allowed for i in items):
            raise ValueError(f"a comma-separated list of {what}: " + ", ".join(allowed))

    return check


def _as_dict(value) -> dict:
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else {}
    if not isinstance(value, dict):
        raise ValueError
    return value


def _channels(value) -> None:
    allowed = 'a JSON object {"name": {"type": "' + "|".join(CHANNEL_TYPES) + '", ...}}'
    try:
        channels = _as_dict(value)
    except ValueError:
        raise ValueError(allowed) from None
    for name, config in channels.items():
        if config is None:
            config = {}
        if not isinstance(config, dict):
            raise ValueError(f"{allowed}; channel {name!r} is not an object")
        ctype = str(config.get("type") or name)
        if ctype not in CHANNEL_TYPES:
            raise ValueError(f"{allowed}; channel {name!r} has unknown type {ctype!r}")


def _quiet(value) -> None:
    allowed = '{"source": {"timezone": "Area/City", "weekdays": ["Sat", "Sun"]}}'
    try:
        rules = _as_dict(value)
        for rule in rules.values():
            ZoneInfo(str(rule.get("timezone", "UTC")))
            if any(day not in WEEKDAYS for day in rule.get("weekdays", [])):
                raise ValueError
    except (ValueError, AttributeError, TypeError, ZoneInfoNotFoundError):
        raise ValueError(allowed) from None


def _spider_names(value) -> None:
    try:
        names = _as_list(value)
    except ValueError:
        names = None
    if names is None or any(not NAME_RE.match(n) for n in names):
        raise ValueError("a comma-separated list of spider names (lowercase letters, digits, '-' and '_')")


def _packages(value) -> None:
    try:
        names = _as_list(value)
    except ValueError:
        names = None
    if names is None or any(not all(p.isidentifier() for p in n.split(".")) for n in names):
        raise ValueError("a comma-separated list of Python package names such as mycompany.parsers")


def _sources_file(value) -> None:
    # Whether the file loads is the loader's to say, right after: one line naming file, entry and problem.
    if not isinstance(value, str) or not value.strip():
        raise ValueError('a path to a sources file (TOML), or "package:file" for one inside an installed package')


# Settings whose names must be sources: the built-ins plus NEWSBOT_SOURCES_FILE's, before NEWSBOT_SOURCES limits them.
SOURCE_NAME_SETTINGS = ("NEWSBOT_SOURCES", "NEWSBOT_PLAYWRIGHT_SOURCES")


def _unknown_sources(settings, already: set[str]) -> list[str]:
    names = {name: _as_list(settings.get(name) or []) for name in SOURCE_NAME_SETTINGS if name not in already}
    if not any(names.values()):
        return []
    try:
        packages = _as_list(settings.get("NEWSBOT_PARSER_PACKAGES") or [])
        known = load_sources(settings.get("NEWSBOT_SOURCES_FILE") or None, packages=packages)
    except SourcesError:
        return []  # the loader reports the file when the command loads its sources
    problems = []
    for name, listed in names.items():
        unknown = [n for n in listed if n not in known]
        if unknown:
            problems.append(
                f"setting {name}={_shown(settings.get(name))} is not valid: expected a comma-separated list of "
                f"spider names of enabled sources (`scrapy list`); no source is named {', '.join(unknown)}"
            )
    return problems


def _db_name(value) -> None:
    if not isinstance(value, str) or not value or re.search(r'[/\\. "$\x00]', value) or len(value) > 63:
        raise ValueError("a MongoDB database name (no space, dot, slash or $; at most 63 characters)")


def _snapshot(value) -> None:
    folder = Path(str(value)).expanduser()
    if (folder / "manifest.jsonl").is_file():
        return
    where = folder if folder.is_absolute() else Path.cwd() / folder
    hint = (
        ""
        if folder.is_absolute()
        else f" (a relative path is read from the working folder, {Path.cwd()}; give an absolute path)"
    )
    raise ValueError(f"a snapshot folder with a manifest.jsonl; there is none in {where}{hint}")


def _host_list(value) -> None:
    try:
        hosts = _as_list(value)
    except ValueError:
        hosts = None
    if hosts is None or any(not re.fullmatch(r"[\w.\-:\[\]/]+", h) for h in hosts):
        raise ValueError('a comma-separated list of "host", "host:port" or networks such as 10.0.0.0/8')


def _http_url(value) -> None:
    if not re.match(r"https?://[^/\s]+", str(value)):
        raise ValueError("an http(s) URL such as https://news.example.com/ai/")


def _existing_dir(value) -> None:
    if not Path(str(value)).expanduser().is_dir():
        raise ValueError(f"an existing folder (working folder: {Path.cwd()})")


RULES: dict[str, Check] = {
    # Offline replay and recording
    "NEWSBOT_SNAPSHOT": _optional(_snapshot),
    "NEWSBOT_DATE": _optional(_report_day),
    "NEWSBOT_RECORD": _optional(_text),
    # Browser
    "NEWSBOT_CHROMIUM_PATH": _text,
    "NEWSBOT_PLAYWRIGHT_SOURCES": _optional(_spider_names),
    # Sources (newsbot/sources.toml, plus a user's file)
    "NEWSBOT_SOURCES_FILE": _optional(_sources_file),
    "NEWSBOT_SOURCES": _optional(_spider_names),
    "NEWSBOT_PARSER_PACKAGES": _optional(_packages),
    "NEWSBOT_CONCURRENT_SOURCES": _number(int, minimum=1),
    # Fetching and normalising: which internal hosts may be fetched, and the bounds on stored text
    "NEWSBOT_ALLOW_PRIVATE_HOSTS": _optional(_host_list),
    "NEWSBOT_MAX_TITLE_CHARS": _number(int, minimum=1),
    "NEWSBOT_MAX_SUMMARY_CHARS": _number(int, minimum=1),
    "NEWSBOT_MAX_CONTENT_CHARS": _number(int, minimum=1),
    "NEWSBOT_MAX_FUTURE_HOURS": _number(float, minimum=0),
    "NEWSBOT_MIN_DATE": _day,
    # Storage
    "NEWSBOT_DATA_DIR": _text,
    "NEWSBOT_DB_IDLE_STOP": _number(float, minimum=0),
    "MONGO_DATABASE": _db_name,
    "MONGO_CONNECT_TIMEOUT_MS": _number(int, positive=True),
    "NEWSBOT_STORE_BATCH_SIZE": _number(int, minimum=1),
    "NEWSBOT_STORE_BATCH_DELAY": _number(float, minimum=0),
    # Analysis
    "NEWSBOT_ANALYZER": _choice("auto", "llm", "heuristic"),
    "NEWSBOT_LLM_MODEL": _text,
    "NEWSBOT_LLM_METHOD": _choice("json_schema", "json_mode", "function_calling"),
    "NEWSBOT_LLM_CONCURRENCY": _number(int, minimum=1),
    "NEWSBOT_ANALYSIS_CONCURRENCY": _number(int, minimum=1),
    "NEWSBOT_WORKER_PROCESSES": _auto_or(_number(int, minimum=0)),
    "NEWSBOT_LLM_RPS": _number(float, minimum=0),
    "NEWSBOT_LLM_TIMEOUT": _number(float, positive=True),
    "NEWSBOT_LLM_RETRIES": _number(int, minimum=0),
    "NEWSBOT_LLM_BACKOFF": _number(float, minimum=0),
    "NEWSBOT_LLM_TEMPERATURE": _number(float, minimum=0, maximum=2),
    "NEWSBOT_LLM_MAX_OUTPUT_TOKENS": _number(int, minimum=1),
    "NEWSBOT_LLM_JSON_MODE_SCHEMA": _bool,
    "NEWSBOT_LLM_BATCH": _number(int, minimum=1),
    "NEWSBOT_LLM_BATCH_WAIT": _number(float, minimum=0),
    "NEWSBOT_MAX_INPUT_TOKENS": _number(int, minimum=1),
    "NEWSBOT_PROMPTS_DIR": _optional(_existing_dir),
    "NEWSBOT_PRICE_PROMPT_PER_1K": _number(float, minimum=0),
    "NEWSBOT_PRICE_COMPLETION_PER_1K": _number(float, minimum=0),
    "NEWSBOT_EVAL_CACHE_DIR": _optional(_text),
    # Report
    "NEWSBOT_REPORT_ENABLED": _bool,
    "NEWSBOT_OUTPUT_DIR": _text,
    "NEWSBOT_WINDOW_HOURS": _number(float, positive=True),
    "NEWSBOT_REPORT_CUTOFF": _hhmm,
    "NEWSBOT_TIMEZONE": _timezone,
    "NEWSBOT_MAX_DOMESTIC": _number(int, minimum=0),
    "NEWSBOT_MAX_INTERNATIONAL": _number(int, minimum=0),
    "NEWSBOT_SHORT_TOP": _number(int, minimum=0),
    "NEWSBOT_REPORT_FORMATS": _list_of(*REPORT_FORMATS, what="formats"),
    "NEWSBOT_REPORT_ON_CLOSE": _bool,
    "NEWSBOT_MEMORY_DAYS": _number(int, minimum=0),
    # Publishing: the static site, its feed, the weekly report
    "NEWSBOT_SITE_DIR": _text,
    "NEWSBOT_SITE_URL": _optional(_http_url),
    "NEWSBOT_FEED_DAYS": _number(int, minimum=1),
    "NEWSBOT_WEEKLY_TOP": _number(int, minimum=1),
    "NEWSBOT_WEEKLY_SUMMARY_EVENTS": _number(int, minimum=1),
    # Delivery
    "NEWSBOT_PUSH_ENABLED": _bool,
    "NEWSBOT_CHANNELS": _channels,
    "NEWSBOT_PUSH_ON_CLOSE": _bool,
    "NEWSBOT_PUSH_RETRIES": _number(int, minimum=0),
    "NEWSBOT_PUSH_BACKOFF": _number(float, minimum=0),
    "NEWSBOT_PUSH_BACKOFF_MAX": _number(float, minimum=0),
    "NEWSBOT_PUSH_TIMEOUT": _number(float, positive=True),
    "NEWSBOT_PUSH_ALERTS": _bool,
    # Source health
    "NEWSBOT_HEALTH_BROKEN_AFTER": _number(int, minimum=1),
    "NEWSBOT_HEALTH_DAYS": _number(int, minimum=1),
    "NEWSBOT_HEALTH_QUIET": _quiet,
    "NEWSBOT_HEALTH_EXPECTED_HOURS": _number(float, positive=True),
    # scrapy schedule
    "NEWSBOT_SCHEDULE_POLL": _number(float, positive=True),
    "NEWSBOT_SCHEDULE_TIMEOUT": _number(float, positive=True),
    "NEWSBOT_SCHEDULE_HTTP_TIMEOUT": _number(float, positive=True),
}


def _shown(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def check_settings(settings, environ: dict | None = None) -> list[str]:
    """Every problem with the newsbot settings, one line each (empty when all is well)."""
    problems = []
    environ = os.environ if environ is None else environ
    for name in sorted(environ):
        if name in RULES and name.startswith("NEWSBOT_"):
            problems.append(
                f"{name} is set in the environment, where it is ignored: newsbot settings come only from "
                f"-s {name}=VALUE or newsbot/settings.py (the environment holds only secrets and MONGO_URI)"
            )
    for name in sorted(k for k in settings.attributes if k.startswith("NEWSBOT_")):
        if name not in RULES:
            close = difflib.get_close_matches(name, list(RULES), n=1)
            hint = f"; did you mean {close[0]}?" if close else "; see newsbot/settings.py for the known settings"
            problems.append(f"unknown setting {name}{hint}")
    invalid: set[str] = set()
    for name, check in RULES.items():
        value = settings.get(name)
        if value is None and name not in settings.attributes:
            continue
        try:
            check(value)
        except ValueError as exc:
            problems.append(f"setting {name}={_shown(value)} is not valid: expected {exc}")
            invalid.add(name)
    return problems + _unknown_sources(settings, invalid)


def exit_on_bad_settings(settings) -> None:
    """Called by every newsbot command before it does anything. Exits 1 on the first problem.

    The line also goes to LOG_FILE when there is one: a scrapyd job's stderr is not in its log, and
    `scrapy schedule` reads the log to say why a job failed."""
    problems = check_settings(settings)
    if not problems:
        return
    line = f"newsbot: error: {problems[0]}"
    print(line, file=sys.stderr)
    log_file = settings.get("LOG_FILE")
    if log_file:
        try:
            with open(log_file, "a", encoding="utf-8") as fh:
                fh.write(f"[newsbot] ERROR: {problems[0]}\n")
        except OSError:
            pass
    sys.exit(1)
