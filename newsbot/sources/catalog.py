"""The sources, as data: the built-ins in newsbot/sources.toml, plus the user's own file
(NEWSBOT_SOURCES_FILE) which adds sources, overrides built-ins key by key and disables them
(`enabled = false`). Every spider, report and health check reads the one registry, SOURCES.

A bad file stops the command at load: SourcesError carries one line naming the file, the entry
and the problem, and nothing is crawled.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from newsbot.analysis.schema import Category
from newsbot.config.values import DEFAULT_TIMEZONE, WEEKDAYS
from newsbot.text.lang import canonical_tag

logger = logging.getLogger(__name__)

BUILTIN = "newsbot:sources.toml"
# A spider name is also a scrapyd job component and a stat key: keep it to a safe alphabet.
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
REGIONS = ("domestic", "international")
MAX_DISPLAY_NAME = 100
# A host name: dot-separated labels of letters, digits and inner hyphens (an IPv4 address is one too).
HOST_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")
# Bidi embeddings, overrides, isolates and marks: a name carrying them reads differently on every page
# that shows it (U+202E turns the rest of a line around).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# key -> (accepted types, required for a new source)
KEYS: dict[str, tuple[tuple[type, ...], bool]] = {
    "name": ((str,), True),
    "display_name": ((str,), True),
    "feeds": ((list,), True),
    "lang": ((str,), True),
    "region": ((str,), False),
    "category": ((str,), False),
    "allowed_domains": ((list,), False),
    "full_text": ((bool,), False),
    "paywalled": ((bool,), False),
    "playwright": ((bool,), False),
    "quiet_weekdays": ((list,), False),
    "quiet_timezone": ((str,), False),
    "parser": ((str,), False),
    "summary_is_content": ((bool,), False),
    "link_template": ((str,), False),
    "weight": ((int, float), False),
    "download_delay": ((int, float), False),
    "enabled": ((bool,), False),
}


class SourcesError(ValueError):
    """A sources file cannot be used; the message is one line: file, entry, problem."""


@dataclass(frozen=True)
class Source:
    name: str  # spider name
    display_name: str  # shown in reports
    feeds: tuple[str, ...]
    lang: str  # a language tag (zh, en, ja, pt-BR); zh and en are read natively (newsbot.text.lang)
    # "domestic" or "international": a prior the analyzer uses only when a story's subject says nothing
    # of its region; None (the default) lets each story's subject decide.
    region: str | None = None
    # A category (newsbot.analysis.schema.Category, by name: "research") the source's stories lean to
    # unless their text says otherwise, as arXiv's papers are research; None: the text alone decides.
    category: str | None = None
    # The domains (and their subdomains) this source owns: article pages and any follow-up request go
    # nowhere else (the spider's allowed_domains, read by newsbot.fetch's SourceDomainsMiddleware). The
    # feeds above are fetched wherever they are. An entry without it gets the hosts of its feeds.
    allowed_domains: tuple[str, ...] = ()
    # The feed text is partial, so the article page is fetched for the full text.
    full_text: bool = False
    paywalled: bool = False
    playwright: bool = False
    quiet_weekdays: tuple[str, ...] = ()
    quiet_timezone: str = DEFAULT_TIMEZONE
    parser: str = "generic"
    summary_is_content: bool = False
    link_template: str = ""
    # Source weight for ranking: a wire-service scoop outranks a blog recap.
    weight: float = 1.0
    download_delay: float | None = None
    origin: str = field(default=BUILTIN, compare=False)  # the file that defined it

    @property
    def home_region(self) -> str | None:
        return self.region

    @property
    def home_category(self) -> str | None:
        """The category prior as the analysis writes it (Category's value), or None."""
        return Category[self.category].value if self.category else None

    def spider_settings(self) -> dict:
        return {"DOWNLOAD_DELAY": self.download_delay} if self.download_delay is not None else {}

    def as_toml_entry(self) -> dict:
        """The entry as it would be written in a sources file (defaults left out)."""
        out = {"name": self.name, "display_name": self.display_name, "feeds": list(self.feeds), "lang": self.lang}
        defaults = Source(self.name, self.display_name, self.feeds, self.lang)
        for key in KEYS:
            if key in out or key == "enabled":
                continue
            value = getattr(self, key)
            if key == "allowed_domains" and value == feed_domains(self.feeds):
                continue
            if value != getattr(defaults, key):
                out[key] = list(value) if isinstance(value, tuple) else value
        return out


def feed_domains(feeds) -> tuple[str, ...]:
    hosts = []
    for url in feeds:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        if host and host not in hosts:
            hosts.append(host)
    return tuple(hosts)


class Registry(Mapping):
    """name -> Source for every enabled source. Built-ins until configure() loads the settings' view."""

    def __init__(self):
        self._sources: dict[str, Source] | None = None

    def _data(self) -> dict[str, Source]:
        if self._sources is None:
            self._sources = load_sources()
        return self._sources

    def replace(self, sources: dict[str, Source]) -> None:
        self._sources = dict(sources)

    def __getitem__(self, name: str) -> Source:
        return self._data()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


SOURCES = Registry()


def display_name(source: str) -> str:
    src = SOURCES.get(source)
    return src.display_name if src else source


def configure(settings) -> Registry:
    """Load the sources the settings name (NEWSBOT_SOURCES_FILE, NEWSBOT_SOURCES) into SOURCES."""
    from newsbot.config import config_for  # here: newsbot.config reads the sources to check names

    crawl = config_for(settings).crawl
    SOURCES.replace(load_sources(crawl.sources_file, list(crawl.sources), list(crawl.parser_packages)))
    return SOURCES


def load_sources(
    user_file: str | None = None, only: list[str] | None = None, packages: list[str] | tuple = ()
) -> dict[str, Source]:
    """Built-ins, then the user's file on top; the enabled ones, in file order. `packages`: the
    NEWSBOT_PARSER_PACKAGES a `parser` may name besides newsbot.parsers."""
    entries = _entries(user_file, packages)
    sources = {name: build_source(entry) for name, entry in entries.items() if entry.get("enabled", True)}
    if only:
        if problem := names_problem(only, sources, entries):
            raise SourcesError(f"NEWSBOT_SOURCES: {problem}")
        sources = {name: src for name, src in sources.items() if name in only}
    return sources


def disabled_sources(user_file: str | None = None, packages: list[str] | tuple = ()) -> set[str]:
    """The names of the sources the files declare with `enabled = false`."""
    return {name for name, entry in _entries(user_file, packages).items() if entry.get("enabled") is False}


def names_problem(names, enabled, known) -> str | None:
    """Why NAMES are not all enabled sources (one line naming the disabled and the unknown ones), or None.
    `known`: every declared name, enabled or not."""
    disabled = [n for n in names if n not in enabled and n in known]
    unknown = [n for n in names if n not in known]
    parts = []
    if disabled:
        parts.append(f"source(s) {', '.join(disabled)} disabled (enabled = false in the sources file)")
    if unknown:
        parts.append(f"no source is named {', '.join(unknown)}")
    return "; ".join(parts) or None


def _entries(user_file: str | None, packages) -> dict[str, dict]:
    entries: dict[str, dict] = {}
    for origin, text in [(BUILTIN, _read(BUILTIN))] + ([(str(user_file), _read(user_file))] if user_file else []):
        for name, entry in read_entries(text, origin, packages).items():
            if name in entries:
                entries[name] = {**entries[name], **entry}
            else:
                _require(entry, origin, name)
                entries[name] = entry
            entries[name]["origin"] = origin
    return entries


def _package_file(location: str, package: str, resource: str):
    """The file `resource` names inside `package`, which it may not leave (`..`, an absolute path, or a
    symlink pointing out)."""
    parts = PurePosixPath(resource).parts
    if not resource or "\\" in resource or PurePosixPath(resource).is_absolute() or ".." in parts:
        raise SourcesError(f"{location}: a package file is a relative path inside {package}, without '..'")
    root = resources.files(package)
    target = root.joinpath(*parts)
    inside = not isinstance(target, Path) or target.resolve().is_relative_to(Path(str(root)).resolve())
    if not inside:
        raise SourcesError(f"{location}: the file leaves the package {package}")
    return target


def _read(location: str) -> str:
    package, sep, resource = location.partition(":")
    try:
        if sep and all(part.isidentifier() for part in package.split(".")):
            # "package:file": a file shipped inside a package, which a scrapyd egg carries too.
            return _package_file(location, package, resource).read_text(encoding="utf-8")
        return Path(location).expanduser().read_text(encoding="utf-8")
    except (OSError, ImportError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{location}: cannot read the sources file: {exc}") from None


def read_entries(text: str, origin: str, packages: list[str] | tuple = ()) -> dict[str, dict]:
    """The [[source]] tables of one file, checked key by key; {name: entry} with `origin` added."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{origin}: invalid TOML: {exc}") from None
    extra = set(data) - {"source"}
    if extra:
        raise SourcesError(f"{origin}: unknown top-level key(s) {', '.join(sorted(extra))}; expected [[source]] tables")
    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise SourcesError(f"{origin}: `source` must be an array of tables ([[source]])")
    out: dict[str, dict] = {}
    for index, entry in enumerate(tables, 1):
        where = f"{origin}: source #{index}"
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise SourcesError(f"{where}: missing `name`")
        where = f"{origin}: source {name!r}"
        if not NAME_RE.match(name):
            raise SourcesError(
                f"{where}: not a valid spider name (lowercase letters, digits, '-' and '_', at most 64 characters)"
            )
        if name in out:
            raise SourcesError(f"{where}: duplicate name (already defined as source #{out[name]['_index']})")
        _check_entry(entry, where, packages)
        if "display_name" in entry:
            entry = {**entry, "display_name": clean_display_name(entry["display_name"], where)}
        out[name] = {**entry, "origin": origin, "_index": index}
    return out


def clean_display_name(value: str, where: str) -> str:
    """The name without bidi and control characters (a WARNING says they were there); refused when
    nothing is left, or when it is longer than MAX_DISPLAY_NAME characters."""
    kept = "".join(
        " " if ch in "\t\n\r" else ch
        for ch in value
        if ch in "\t\n\r" or (ch not in BIDI_CONTROLS and unicodedata.category(ch) not in ("Cc", "Zl", "Zp"))
    )
    cleaned = " ".join(kept.split())
    if kept != value:
        logger.warning("%s: display_name: bidi or control characters stripped", where)
    if not cleaned:
        raise SourcesError(f"{where}: display_name is empty")
    if len(cleaned) > MAX_DISPLAY_NAME:
        raise SourcesError(f"{where}: display_name is longer than {MAX_DISPLAY_NAME} characters ({len(cleaned)})")
    return cleaned


def _is_host(host: str) -> bool:
    """A host name (internationalised ones in their IDNA form) or an IP address."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        return bool(HOST_RE.match(host.encode("idna").decode("ascii")))
    except UnicodeError:
        return False


def check_feed_url(url, where: str) -> None:
    """A feed URL as a sources file may name it: http(s), a valid host and port, no spaces or controls."""
    if not isinstance(url, str) or any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url):
        raise SourcesError(f"{where}: feed {url!r} is not an http(s) URL (no spaces or control characters)")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:  # a malformed [IPv6] host
        raise SourcesError(f"{where}: feed {url!r} does not name a valid host") from None
    if parts.scheme not in ("http", "https") or not host:
        raise SourcesError(f"{where}: feed {url!r} is not an http(s) URL")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise SourcesError(f"{where}: feed {url!r} has a port outside 1-65535")
    if not _is_host(host):
        raise SourcesError(f"{where}: feed {url!r} does not name a valid host")


def _check_number(entry: dict, key: str, where: str) -> None:
    if key in entry and (not math.isfinite(entry[key]) or entry[key] < 0):
        raise SourcesError(f"{where}: {key} must be a finite number of at least 0, not {entry[key]!r}")


def _check_entry(entry: dict, where: str, packages: list[str] | tuple = ()) -> None:
    for key, value in entry.items():
        if key not in KEYS:
            raise SourcesError(f"{where}: unknown key {key!r} (known: {', '.join(KEYS)})")
        types, _ = KEYS[key]
        if not isinstance(value, types) or (type(value) is bool and bool not in types):
            raise SourcesError(f"{where}: {key} must be {' or '.join(t.__name__ for t in types)}")
    for url in entry.get("feeds", []):
        check_feed_url(url, where)
    _check_number(entry, "weight", where)
    _check_number(entry, "download_delay", where)
    if "feeds" in entry and not entry["feeds"]:
        raise SourcesError(f"{where}: feeds is empty")
    if "lang" in entry and canonical_tag(entry["lang"]) is None:
        raise SourcesError(
            f"{where}: lang must be a language code such as zh, en, ja or pt-BR (BCP 47), not {entry['lang']!r}"
        )
    if "region" in entry and entry["region"] not in REGIONS:
        raise SourcesError(f"{where}: region must be one of {', '.join(REGIONS)}, not {entry['region']!r}")
    if "category" in entry and entry["category"] not in Category.__members__:
        known = ", ".join(Category.__members__)
        raise SourcesError(f"{where}: category must be one of {known}, not {entry['category']!r}")
    for day in entry.get("quiet_weekdays", []):
        if day not in WEEKDAYS:
            raise SourcesError(f"{where}: quiet_weekdays: {day!r} is not one of {', '.join(WEEKDAYS)}")
    for domain in entry.get("allowed_domains", []):
        if not isinstance(domain, str) or not HOST_RE.match(domain):
            raise SourcesError(f"{where}: allowed_domains: {domain!r} is not a host name")
    if "quiet_timezone" in entry:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(entry["quiet_timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise SourcesError(f"{where}: quiet_timezone {entry['quiet_timezone']!r} is not a timezone") from None
    if "link_template" in entry and "{guid}" not in entry["link_template"]:
        raise SourcesError(f"{where}: link_template must contain {{guid}}")
    if "parser" in entry:
        from newsbot.parsers.registry import ParserNotFound, check_parser_name

        try:
            check_parser_name(entry["parser"], packages)
        except ParserNotFound as exc:
            raise SourcesError(f"{where}: {exc}") from None


def _require(entry: dict, origin: str, name: str) -> None:
    if entry.get("enabled") is False and set(entry) <= {"name", "enabled", "origin", "_index"}:
        raise SourcesError(f"{origin}: source {name!r}: disables a source that does not exist")
    missing = [k for k, (_, required) in KEYS.items() if required and k not in entry]
    if missing:
        raise SourcesError(f"{origin}: source {name!r}: missing {', '.join(missing)} (required for a new source)")


def build_source(entry: dict) -> Source:
    feeds = tuple(entry["feeds"])
    lang = canonical_tag(entry["lang"])
    return Source(
        name=entry["name"],
        display_name=entry["display_name"],
        feeds=feeds,
        lang=lang,
        region=entry.get("region") or None,
        category=entry.get("category") or None,
        allowed_domains=tuple(entry.get("allowed_domains") or feed_domains(feeds)),
        full_text=entry.get("full_text", False),
        paywalled=entry.get("paywalled", False),
        playwright=entry.get("playwright", False),
        quiet_weekdays=tuple(entry.get("quiet_weekdays", ())),
        quiet_timezone=entry.get("quiet_timezone", DEFAULT_TIMEZONE),
        parser=entry.get("parser", "generic"),
        summary_is_content=entry.get("summary_is_content", False),
        link_template=entry.get("link_template", ""),
        weight=float(entry.get("weight", 1.0)),
        download_delay=float(entry["download_delay"]) if "download_delay" in entry else None,
        origin=entry["origin"],
    )


def markdown_table(sources: dict[str, Source]) -> str:
    """The README's table of built-in sources (tests/sources checks that the two agree)."""
    rows = ["| spider | display name | lang | region | feeds | flags |", "|---|---|---|---|---|---|"]
    for src in sources.values():
        flags = [key for key in ("full_text", "paywalled", "playwright", "summary_is_content") if getattr(src, key)]
        if src.parser != "generic":
            flags.append(f"parser={src.parser}")
        if src.quiet_weekdays:
            flags.append(f"quiet {'/'.join(src.quiet_weekdays)}")
        feeds = ", ".join(src.feeds)
        region = src.region or "by story"
        rows.append(f"| {src.name} | {src.display_name} | {src.lang} | {region} | {feeds} | {', '.join(flags)} |")
    return "\n".join(rows)


if __name__ == "__main__":  # python -m newsbot.sources.catalog: the README table of the built-ins
    print(markdown_table(load_sources()))
