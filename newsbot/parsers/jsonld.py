"""JSON-LD helpers shared by site parsers."""

from __future__ import annotations

import json
from collections.abc import Iterator

from parsel import Selector


def iter_jsonld(sel: Selector) -> Iterator[dict]:
    for raw in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                if "@graph" in node:
                    stack.extend(node["@graph"])
                yield node


def find_article(sel: Selector) -> dict | None:
    for node in iter_jsonld(sel):
        kind = node.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(k in {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting"} for k in kinds):
            return node
    return None


def author_names(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for author in items:
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names
