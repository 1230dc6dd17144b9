"""OPML in and out: a feed reader's subscription list becomes sources-file entries, and the enabled
sources become an OPML file any reader imports."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlsplit

import tomli_w

from newsbot.sources.catalog import NAME_RE, Source, SourcesError, check_feed_url, clean_display_name

# Host labels that say nothing about the site.
GENERIC_LABELS = {"www", "feeds", "feed", "rss", "blog", "blogs", "news", "com", "org", "net", "cn", "io", "co"}


class OpmlError(ValueError):
    pass


@dataclass
class Outline:
    title: str
    xml_url: str
    language: str = ""


def read_opml(data: bytes) -> list[Outline]:
    """Every outline with an xmlUrl, in document order, however deeply the folders nest."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"not an OPML file: {exc}") from None
    if root.tag != "opml":
        raise OpmlError(f"not an OPML file: the root element is <{root.tag}>, not <opml>")
    out = []
    for node in root.iter("outline"):
        url = (node.get("xmlUrl") or "").strip()
        if url:
            title = (node.get("title") or node.get("text") or "").strip()
            out.append(Outline(title, url, (node.get("language") or "").strip()))
    return out


def slug(title: str, url: str = "") -> str:
    """A spider name from a title ("The Verge AI" -> "the-verge-ai"); a title with no Latin letters
    (量子位) falls back to the feed's host (qbitai)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:48].strip("-")
    if not name and url:
        labels = [p for p in (urlsplit(url).hostname or "").lower().split(".") if p not in GENERIC_LABELS]
        name = re.sub(r"[^a-z0-9]+", "-", "-".join(labels)).strip("-")[:48]
    if name and not NAME_RE.match(name):
        name = f"feed-{name}"[:64]
    return name or "feed"


def entries_from_opml(outlines: list[Outline], taken: set[str], taken_feeds: set[str]) -> tuple[list[dict], list[str]]:
    """(new entries, messages about the outlines skipped as duplicates)."""
    entries, messages = [], []
    for outline in outlines:
        try:
            check_feed_url(outline.xml_url, "")
        except SourcesError as exc:
            messages.append(f"skipped {outline.xml_url!r}: {str(exc).partition(': ')[2]}")
            continue
        if outline.xml_url in taken_feeds:
            messages.append(f"skipped {outline.title or outline.xml_url}: feed {outline.xml_url} is already a source")
            continue
        name = slug(outline.title, outline.xml_url)
        if name in taken:
            messages.append(f"skipped {outline.title or outline.xml_url}: a source named {name!r} already exists")
            continue
        lang = "zh" if outline.language.lower().startswith("zh") else "en"
        if not outline.language and re.search(r"[\u4e00-\u9fff]", outline.title):
            lang = "zh"
        try:
            # The same cleaning and bounds as a sources file's: the title is the feed publisher's text.
            shown = clean_display_name(outline.title or name, f"OPML outline {outline.xml_url}")
        except SourcesError as exc:
            messages.append(f"skipped {outline.xml_url}: {str(exc).partition(': ')[2]}")
            continue
        entries.append({"name": name, "display_name": shown, "feeds": [outline.xml_url], "lang": lang})
        taken.add(name)
        taken_feeds.add(outline.xml_url)
    return entries, messages


def toml_entries(entries: list[dict]) -> str:
    return tomli_w.dumps({"source": entries})


def write_opml(sources: list[Source], title: str = "newsbot sources") -> bytes:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for source in sources:
        for url in source.feeds:
            attrs = {"type": "rss", "text": source.display_name, "title": source.display_name, "xmlUrl": url}
            attrs["language"] = source.lang
            host = urlsplit(url)
            attrs["htmlUrl"] = f"{host.scheme}://{host.netloc}/"
            ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
