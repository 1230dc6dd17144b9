"""Article-page parsers by name, as a sources entry's `parser` names them: a built-in name, or
"package.module:function" for a parser of the user's own."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable

from newsbot.parsers import ArticlePage

BUILTIN_PARSERS = {
    "generic": "newsbot.parsers.generic:parse_generic",
    "36kr": "newsbot.parsers.kr36:parse_36kr",
    "cnbc": "newsbot.parsers.cnbc:parse_cnbc",
}


class ParserNotFound(LookupError):
    pass


def resolve_parser(name: str) -> Callable[[str, str], ArticlePage]:
    target = BUILTIN_PARSERS.get(name, name)
    module_name, sep, attr = target.partition(":")
    if not sep:
        known = ", ".join(BUILTIN_PARSERS)
        raise ParserNotFound(f"parser {name!r} does not exist (built-in: {known}; or package.module:function)")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ParserNotFound(f"parser {name!r}: cannot import {module_name}: {exc}") from None
    parser = getattr(module, attr, None)
    if not callable(parser):
        raise ParserNotFound(f"parser {name!r}: {module_name} has no function {attr!r}")
    return parser


@functools.cache
def _parser(name: str) -> Callable[[str, str], ArticlePage]:
    return resolve_parser(name)


def extract_article(parser: str, html: str, url: str) -> ArticlePage:
    """The page extracted by the parser named `parser`: the call a spider sends to a worker process
    (newsbot.workers), which has only the name to go on."""
    return _parser(parser)(html, url)


def warm_up_parsers() -> None:
    """A worker's start: import the built-in parsers (trafilatura, lxml) before the first page."""
    for name in BUILTIN_PARSERS:
        _parser(name)
