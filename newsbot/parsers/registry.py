"""Article-page parsers by name, as a sources entry's `parser` names them: a built-in name, or
"package.module:function" for a parser of the user's own.

Only functions of newsbot's own parsers (newsbot.parsers, and the sites' pages in newsbot.sites) or of
the packages the operator lists in NEWSBOT_PARSER_PACKAGES may be named: a sources file names code
that runs on every page, and without the list `shutil:rmtree` would do. Checking a sources file
(check_parser_name) finds the module's spec without importing anything, so no module's top-level code
runs during `scrapy list`; the function itself is imported and its signature checked when a crawl
starts (load_parser).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import keyword
import sys
import warnings
from collections.abc import Callable, Iterable

from newsbot.parsers import ArticlePage

BUILTIN_PARSERS = {
    "generic": "newsbot.parsers.generic:parse_generic",
    "36kr": "newsbot.sites.kr36.page:parse_36kr",
    "cnbc": "newsbot.sites.cnbc.page:parse_cnbc",
}
OWN_PACKAGES = ("newsbot.parsers", "newsbot.sites")
# Parsers that moved, by the "module:function" a user's sources file may still name.
MOVED_PARSERS = {
    "newsbot.parsers.kr36:parse_36kr": BUILTIN_PARSERS["36kr"],
    "newsbot.parsers.cnbc:parse_cnbc": BUILTIN_PARSERS["cnbc"],
}


class ParserNotFound(LookupError):
    pass


def _dotted(name: str) -> bool:
    return bool(name) and all(part.isidentifier() and not keyword.iskeyword(part) for part in name.split("."))


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _find_spec(module: str):
    """The module's spec, found the way `import` finds it but without executing any module: each
    parent is looked up through the meta path finders rather than imported."""
    path = None
    name = ""
    for part in module.split("."):
        name = f"{name}.{part}" if name else part
        loaded = sys.modules.get(name)
        spec = getattr(loaded, "__spec__", None) if loaded is not None else None
        if spec is None:
            spec = next((s for f in sys.meta_path if (s := _finder_spec(f, name, path)) is not None), None)
        if spec is None:
            return None
        path = spec.submodule_search_locations
        if path is None and name != module:
            return None  # a plain module has no submodules
    return spec


def _finder_spec(finder, name: str, path):
    find = getattr(finder, "find_spec", None)
    return find(name, path) if find is not None else None


def _target(name: str) -> str:
    """The "module:function" a parser name stands for: a built-in's, a moved one's new home, or itself."""
    target = BUILTIN_PARSERS.get(name, name)
    if target in MOVED_PARSERS:
        warnings.warn(
            f"parser {name!r} has moved to {MOVED_PARSERS[target]!r}: name that (or {name.rsplit('.', 1)[-1]!r})",
            DeprecationWarning,
            stacklevel=3,
        )
        target = MOVED_PARSERS[target]
    return target


def check_parser_name(name: str, packages: Iterable[str] = ()) -> str:
    """The "module:function" target of a parser name, checked without importing: its spelling, the
    allow-list (newsbot.parsers plus `packages`) and that the module exists. ParserNotFound otherwise."""
    target = _target(name)
    module_name, sep, attr = target.partition(":")
    if not sep:
        known = ", ".join(BUILTIN_PARSERS)
        raise ParserNotFound(f"parser {name!r} does not exist (built-in: {known}; or package.module:function)")
    if not _dotted(module_name) or not attr.isidentifier():
        raise ParserNotFound(f"parser {name!r} is not package.module:function")
    allowed = [*OWN_PACKAGES, *(p.strip() for p in packages if p.strip())]
    if not any(_inside(module_name, package) for package in allowed):
        raise ParserNotFound(
            f"parser {name!r}: {module_name} is not in newsbot.parsers, newsbot.sites or a package "
            "NEWSBOT_PARSER_PACKAGES lists"
        )
    try:
        spec = _find_spec(module_name)
    except (ImportError, ValueError) as exc:
        raise ParserNotFound(f"parser {name!r}: cannot find {module_name}: {exc}") from None
    if spec is None:
        raise ParserNotFound(f"parser {name!r}: there is no module {module_name}")
    return target


def _import(name: str, target: str) -> Callable:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # a user's module may fail in any way on import; the crawl reports one line
        raise ParserNotFound(f"parser {name!r}: cannot import {module_name}: {type(exc).__name__}: {exc}") from None
    parser = getattr(module, attr, None)
    if not callable(parser):
        raise ParserNotFound(f"parser {name!r}: {module_name} has no function {attr!r}")
    return parser


def load_parser(name: str, packages: Iterable[str] = ()) -> Callable[[str, str], ArticlePage]:
    """The parser function, imported; checked at crawl start: allowed, existing, and callable as
    parser(html, url). ParserNotFound (one line) otherwise."""
    parser = _import(name, check_parser_name(name, packages))
    try:
        inspect.signature(parser).bind("<html></html>", "https://example.org/")
    except TypeError as exc:
        raise ParserNotFound(f"parser {name!r} cannot be called as parser(html, url): {exc}") from None
    except ValueError:
        pass  # a builtin without a signature: allowed packages are the operator's to vouch for
    return parser


@functools.cache
def _parser(name: str) -> Callable[[str, str], ArticlePage]:
    # A worker process has only the name, which the crawl vetted (load_parser) before sending it.
    return _import(name, _target(name))


def extract_article(parser: str, html: str, url: str) -> ArticlePage:
    """The page extracted by the parser named `parser`: the call a spider sends to a worker process
    (newsbot.runtime.workers), which has only the name to go on."""
    return _parser(parser)(html, url)


def warm_up_parsers() -> None:
    """A worker's start: import the built-in parsers (trafilatura, lxml) before the first page."""
    for name in BUILTIN_PARSERS:
        _parser(name)
