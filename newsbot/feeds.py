"""Reading a feed response: encoding, challenge pages and feedparser, in one place for every spider."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import feedparser

from newsbot.parsers.challenge import looks_like_challenge

_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>", re.I)
_CHARSET_RE = re.compile(r"charset=[\"']?([A-Za-z0-9._-]+)", re.I)
_FEED_ROOT_RE = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.I)


@dataclass
class FeedResult:
    entries: list = field(default_factory=list)
    status: str = "ok"  # ok, empty, malformed, blocked, not_feed
    error: str = ""
    encoding: str = "utf-8"
    encoding_guessed: bool = False
    title: str = ""


def _declared_encoding(body: bytes, content_type: str) -> str | None:
    match = _CHARSET_RE.search(content_type or "")
    if match:
        return match.group(1)
    match = _XML_DECL_RE.match(body[:200])
    if match:
        return match.group(1).decode("ascii")
    return None


def decode_feed(body: bytes, content_type: str, fallback: str) -> tuple[str, str, bool]:
    """Return (text, encoding, guessed). Declared encodings are trusted; undeclared bytes that are not
    UTF-8 are tried as the source's legacy encoding (GB18030 for Chinese sites) before giving up."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace"), "utf-8", False
    declared = _declared_encoding(body, content_type)
    if declared:
        try:
            # GB2312/GBK declarations are routinely wrong about the exact set; GB18030 is the superset.
            codec = "gb18030" if declared.lower() in {"gb2312", "gbk", "gb18030"} else declared
            return body.decode(codec), declared.lower(), False
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return body.decode("utf-8"), "utf-8", declared is not None
    except UnicodeDecodeError:
        pass
    for codec in (fallback, "gb18030", "cp1252"):
        try:
            return body.decode(codec), codec, True
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace"), "utf-8", True


def read_feed(body: bytes, content_type: str, fallback_encoding: str = "utf-8") -> FeedResult:
    head = body[:4096].lstrip()
    if not head:
        return FeedResult(status="empty", error="empty response body")
    if not _FEED_ROOT_RE.search(body[:8192]):
        if looks_like_challenge(body[:65536].decode("utf-8", errors="replace")):
            return FeedResult(status="blocked", error="challenge page served instead of the feed")
        return FeedResult(status="not_feed", error="response is not RSS or Atom")

    text, encoding, guessed = decode_feed(body, content_type, fallback_encoding)
    # Hand feedparser UTF-8 with a matching declaration, so it never second-guesses our decoding.
    utf8 = _XML_DECL_RE.sub(b'<?xml version="1.0" encoding="utf-8"?>', text.encode("utf-8"), count=1)
    # No base URL on purpose: relative links must reach the spider as they are, so it can resolve
    # them itself and count them (a relative link is a feed bug worth seeing in the stats).
    parsed = feedparser.parse(
        utf8,
        response_headers={"content-type": "application/xml; charset=utf-8"},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    result = FeedResult(
        entries=list(parsed.entries),
        encoding=encoding,
        encoding_guessed=guessed,
        title=parsed.feed.get("title", ""),
    )
    if parsed.bozo:
        exc = parsed.get("bozo_exception")
        # feedparser reports harmless things as bozo too (e.g. a served type it did not expect).
        if isinstance(exc, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)):
            pass
        else:
            result.status = "malformed"
            result.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    if not result.entries and result.status == "ok":
        result.status = "empty"
    return result
