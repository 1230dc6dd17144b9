"""The kinds of value a setting holds. A kind turns the raw value (from settings.py or `-s NAME=VALUE`,
so often a string) into its typed value, or raises ValueError("what is allowed"); `allowed` is the
same words for the settings table."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsbot.config.values import CHANNEL_TYPES, WEEKDAYS, parse_hhmm


@dataclass(frozen=True)
class Kind:
    allowed: str
    parse: Callable[[Any], Any]
    optional: bool = False  # None and "" mean "not set" (the value is None)
    # Checked when a command starts, not each time the value is read: a part that can carry on without
    # it (delivery, with one channel of an unknown type) still gets the value.
    strict: Callable[[Any], None] | None = None

    def __call__(self, value: Any, strict: bool = False) -> Any:
        if self.optional and value in (None, ""):
            return None
        parsed = self.parse(value)
        if strict and self.strict is not None:
            self.strict(parsed)
        return parsed


def _fail(allowed: str):
    raise ValueError(allowed)


def optional(kind: Kind) -> Kind:
    return Kind(kind.allowed + " (optional)", kind.parse, optional=True, strict=kind.strict)


def _to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    return _fail("True or False")


BOOL = Kind("True or False", _to_bool)


def number(kind: type, minimum: float | None = None, maximum: float | None = None, positive: bool = False) -> Kind:
    what = "an integer" if kind is int else "a number"
    if positive:
        what += " above 0"
    elif minimum is not None and maximum is not None:
        what += f" from {minimum:g} to {maximum:g}"
    elif minimum is not None:
        what += f" of at least {minimum:g}"

    def parse(value):
        try:
            result = kind(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            result = None
        if result is None or result != result:  # NaN
            _fail(what)
        if (positive and result <= 0) or (minimum is not None and result < minimum):
            _fail(what)
        if maximum is not None and result > maximum:
            _fail(what)
        return result

    return Kind(what, parse)


def choice(*allowed: str) -> Kind:
    what = "one of " + ", ".join(allowed)

    def parse(value):
        text = str(value).strip().lower()
        return text if text in allowed else _fail(what)

    return Kind(what, parse)


def auto_or(kind: Kind) -> Kind:
    def parse(value):
        if str(value).strip().lower() == "auto":
            return "auto"
        try:
            return kind(value)
        except ValueError as exc:
            raise ValueError(f"auto or {exc}") from None

    return Kind(f"auto or {kind.allowed}", parse)


def _text(value) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail("a non-empty string")
    return value


TEXT = Kind("a non-empty string", _text)


def _tag_authority(value) -> str:
    text = str(value or "").strip().lower()
    # RFC 4151: the tagging entity of a tag: URI is a DNS name or an e-mail address.
    if not re.fullmatch(
        r"(?:[a-z0-9._%+-]+@)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*", text
    ):
        _fail(_TAG_AUTHORITY)
    return text


_TAG_AUTHORITY = "a domain name or e-mail address, e.g. news.example.org"
TAG_AUTHORITY = Kind(_TAG_AUTHORITY, _tag_authority)


def _day(value) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return _fail("a date as YYYY-MM-DD")


DAY = Kind("a date as YYYY-MM-DD", _day)
_REPORT_DAY = "a report day between 2000-01-01 and tomorrow, as YYYY-MM-DD"


def _report_day(value) -> date:
    # here: the reports schema (newsbot.storage) owns the range a stored report day may take
    from newsbot.storage.report_schema import check_report_day

    day = _day(value)
    try:
        check_report_day(day.isoformat())
    except ValueError:
        _fail(_REPORT_DAY)
    return day


REPORT_DAY = Kind(_REPORT_DAY, _report_day)
HHMM = Kind("a local time as HH:MM, e.g. 09:00", parse_hhmm)


def _timezone(value) -> ZoneInfo:
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        return _fail("an IANA time zone such as Asia/Shanghai")


TIMEZONE = Kind("an IANA time zone such as Asia/Shanghai", _timezone)


def as_list(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = json.loads(value) if value.strip().startswith("[") else value.split(",")
    if not isinstance(value, list | tuple):
        raise ValueError
    return [str(v).strip() for v in value if str(v).strip()]


def list_of(what: str, ok: Callable[[str], bool]) -> Kind:
    def parse(value) -> tuple[str, ...]:
        try:
            items = as_list(value)
        except ValueError:
            items = None
        if items is None or not all(ok(i) for i in items):
            _fail(what)
        return tuple(items)

    return Kind(what, parse)


def list_of_choices(*allowed: str, what: str) -> Kind:
    return list_of(f"a comma-separated list of {what}: " + ", ".join(allowed), lambda item: item in allowed)


def _spider_name(name: str) -> bool:
    from newsbot.sources.catalog import NAME_RE  # here: newsbot.sources.catalog reads the weekdays from newsbot.config

    return bool(NAME_RE.match(name))


PACKAGES = list_of(
    "a comma-separated list of Python package names such as mycompany.parsers",
    lambda name: all(part.isidentifier() for part in name.split(".")),
)
SPIDER_NAMES = list_of("a comma-separated list of spider names (lowercase letters, digits, '-' and '_')", _spider_name)
HOSTS = list_of(
    'a comma-separated list of "host", "host:port" or networks such as 10.0.0.0/8',
    lambda h: bool(re.fullmatch(r"[\w.\-:\[\]/]+", h)),
)


def as_dict(value) -> dict:
    if value is None:
        return {}
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else {}
    if hasattr(value, "copy_to_dict"):  # a Scrapy BaseSettings
        value = value.copy_to_dict()
    if not isinstance(value, dict):
        raise ValueError
    return dict(value)


_CHANNELS = 'a JSON object {"name": {"type": "' + "|".join(CHANNEL_TYPES) + '", ...}}'


def _channels(value) -> dict:
    try:
        channels = as_dict(value)
    except ValueError:
        return _fail(_CHANNELS)
    for name, config in channels.items():
        if config is not None and not isinstance(config, dict):
            _fail(f"{_CHANNELS}; channel {name!r} is not an object")
    return channels


def _channel_types(channels: dict) -> None:
    for name, config in channels.items():
        ctype = str((config or {}).get("type") or name)
        if ctype not in CHANNEL_TYPES:
            _fail(f"{_CHANNELS}; channel {name!r} has unknown type {ctype!r}")


CHANNELS = Kind(_CHANNELS, _channels, strict=_channel_types)
_QUIET = '{"source": {"timezone": "Area/City", "weekdays": ["Sat", "Sun"]}}'


def _quiet(value) -> dict:
    try:
        rules = as_dict(value)
        for rule in rules.values():
            ZoneInfo(str(rule.get("timezone", "UTC")))
            if any(day not in WEEKDAYS for day in rule.get("weekdays", [])):
                raise ValueError
    except (ValueError, AttributeError, TypeError, ZoneInfoNotFoundError):
        return _fail(_QUIET)
    return rules


QUIET = Kind(_QUIET, _quiet)


def _mapping(value) -> dict:
    try:
        return as_dict(value)
    except ValueError:
        return _fail("a JSON object")


MAPPING = Kind("a JSON object", _mapping)
_SOURCES_FILE = 'a path to a sources file (TOML), or "package:file" for one inside an installed package'
# Whether the file loads is the loader's to say, right after: one line naming file, entry and problem.
SOURCES_FILE = Kind(_SOURCES_FILE, lambda v: v if isinstance(v, str) and v.strip() else _fail(_SOURCES_FILE))
_DB = "a MongoDB database name (no space, dot, slash or $; at most 63 characters)"
DB_NAME = Kind(
    _DB, lambda v: v if isinstance(v, str) and v and not re.search(r'[/\\. "$\x00]', v) and len(v) <= 63 else _fail(_DB)
)


def _snapshot(value) -> str:
    folder = Path(str(value)).expanduser()
    if (folder / "manifest.jsonl").is_file():
        return str(value)
    where = folder if folder.is_absolute() else Path.cwd() / folder
    hint = (
        ""
        if folder.is_absolute()
        else f" (a relative path is read from the working folder, {Path.cwd()}; give an absolute path)"
    )
    return _fail(f"a snapshot folder with a manifest.jsonl; there is none in {where}{hint}")


SNAPSHOT = Kind("a snapshot folder with a manifest.jsonl", _snapshot)
_URL = "an http(s) URL such as https://news.example.com/ai/"
HTTP_URL = Kind(_URL, lambda v: str(v).strip() if re.match(r"https?://[^/\s]+", str(v)) else _fail(_URL))


def _existing_dir(value) -> str:
    if not Path(str(value)).expanduser().is_dir():
        _fail(f"an existing folder (working folder: {Path.cwd()})")
    return str(value)


EXISTING_DIR = Kind("an existing folder", _existing_dir)


def _log_level(value) -> int:
    """As Scrapy reads LOG_LEVEL: a level's name or number; DEBUG when it names no level."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    level = logging.getLevelName(str(value or "DEBUG").upper())
    return level if isinstance(level, int) else logging.DEBUG


LOG_LEVEL = Kind("a logging level: DEBUG, INFO, WARNING, ERROR or CRITICAL", _log_level)
