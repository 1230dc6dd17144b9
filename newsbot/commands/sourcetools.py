"""The actions of `scrapy sources` besides the health table: import, export and check."""

from __future__ import annotations

import sys
from pathlib import Path

from scrapy.exceptions import UsageError

from newsbot.config import config_for
from newsbot.sources.catalog import BUILTIN, SOURCES, SourcesError, _read, load_sources, read_entries
from newsbot.sources.feedcheck import FeedProbeSpider, analyse, report, unread_reason
from newsbot.sources.opml import OpmlError, entries_from_opml, read_opml, toml_entries, write_opml

NEW_FILE_HEADER = '# newsbot sources (README: "Add your own sources"); point NEWSBOT_SOURCES_FILE here.\n'


def import_opml(command, args: list[str], opts) -> int:
    if len(args) != 1:
        raise UsageError("usage: scrapy sources import FILE.opml [--to FILE]")
    target = opts.to or config_for(command.settings).crawl.sources_file
    if not target:
        raise UsageError("say which sources file to write: --to FILE, or -s NEWSBOT_SOURCES_FILE=FILE")
    target_path = Path(target).expanduser()
    if target_path.is_dir():
        problem = f"{target_path} is a folder; --to names the sources file (TOML) to write"
        print(f"newsbot: error: {problem}", file=sys.stderr)
        return 1
    try:
        outlines = read_opml(Path(args[0]).read_bytes())
    except (OSError, OpmlError) as exc:
        print(f"newsbot: error: {args[0]}: {exc}", file=sys.stderr)
        return 1
    try:
        existing = _read(str(target_path)) if target_path.exists() else ""
        known = read_entries(_read(BUILTIN), BUILTIN) | read_entries(existing, str(target_path))
    except SourcesError as exc:
        print(f"newsbot: error: {exc}", file=sys.stderr)
        return 1
    taken = set(known) | set(SOURCES)
    taken_feeds = {url for entry in known.values() for url in entry.get("feeds", [])}
    taken_feeds |= {url for src in SOURCES.values() for url in src.feeds}
    entries, messages = entries_from_opml(outlines, taken, taken_feeds)
    for message in messages:
        print(message)
    if entries:
        text = existing or NEW_FILE_HEADER
        if not text.endswith("\n"):
            text += "\n"
        text += "\n" + toml_entries(entries)
        try:
            load_sources_from_text_check(text, target_path)
            target_path.parent.mkdir(parents=True, exist_ok=True)
            target_path.write_text(text, encoding="utf-8")
        except (OSError, SourcesError) as exc:
            print(f"newsbot: error: {exc}", file=sys.stderr)
            return 1
        for entry in entries:
            print(f"added {entry['name']} ({entry['display_name']}): {entry['feeds'][0]}")
    print(f"{len(entries)} source(s) added to {target_path}, {len(messages)} skipped")
    return 0


def load_sources_from_text_check(text: str, path: Path) -> None:
    """The file as it would be written must load, built-ins included, before it replaces the old one."""
    tmp = path.with_name(f".{path.name}.check")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    try:
        tmp.write_text(text, encoding="utf-8")
        try:
            load_sources(str(tmp))
        except SourcesError as exc:
            raise SourcesError(str(exc).replace(str(tmp), str(path))) from None
    finally:
        tmp.unlink(missing_ok=True)


def export_opml(command, args: list[str], opts) -> int:
    if args:
        raise UsageError("usage: scrapy sources export [--output FILE]")
    data = write_opml(list(SOURCES.values()))
    if opts.output:
        try:
            Path(opts.output).expanduser().write_bytes(data)
        except OSError as exc:
            print(f"newsbot: error: cannot write {opts.output}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"{len(SOURCES)} source(s) written to {opts.output}")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0


def check_feed(command, args: list[str], opts) -> int:
    if len(args) != 1:
        raise UsageError("usage: scrapy sources check NAME|URL")
    target = args[0]
    source = SOURCES.get(target)
    if source is not None:
        urls = list(source.feeds)
    elif target.startswith(("http://", "https://")):
        urls = [target]
    else:
        raise UsageError(f"{target!r} is neither a source ({', '.join(SOURCES)}) nor an http(s) feed URL")
    results: dict = {}
    command.crawler_process.crawl(FeedProbeSpider, urls=urls, results=results)
    command.crawler_process.start()
    checks = [analyse(url, *results.get(url, (None, {}, b"", "no response"))) for url in urls]
    print(report(checks, source, taken=frozenset(SOURCES)))
    return 1 if any(unread_reason(c) for c in checks) else 0


ACTIONS = {"import": import_opml, "export": export_opml, "check": check_feed}
