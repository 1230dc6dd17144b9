"""Reading a feed response: encoding, challenge pages and feedparser, in one place for every spider.

Decoding follows the XML rules first and guesses last: a byte order mark, then the encoding the
document itself declares (its XML declaration, or the byte pattern of a BOM-less UTF-16/32
declaration), then the HTTP charset, then UTF-8, then a real detector (charset-normalizer). Each
candidate must decode the bytes strictly to win, so a wrong declaration falls through to the next.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import charset_normalizer
import feedparser
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

from newsbot.parsers.challenge import looks_like_challenge
from newsbot.text.lang import primary_lang

logger = logging.getLogger(__name__)

# XML 1.0 Appendix F: the first four bytes of a BOM-less document that starts with "<?xml" (or "<")
# tell its code-unit width and byte order before any declaration can be read.
_BOMLESS_PATTERNS = (
    (b"\x00\x00\x00\x3c", "utf-32-be"),
    (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"),
    (b"\x3c\x00\x3f\x00", "utf-16-le"),
)
# The detector's language names for the source languages of newsbot.sources.catalog (a tie-breaker only).
_DETECTOR_LANGUAGE = {"zh": "Chinese", "en": "English", "ja": "Japanese", "ko": "Korean", "ru": "Russian"}
# Candidates whose chaos is this close to the best one are equally plausible to the detector.
_CHAOS_TIE = 0.01
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz"}


@dataclass
class Decoded:
    text: str
    encoding: str
    # bom, xml-declaration, byte-pattern, http-charset, utf-8, detected, undetectable
    method: str


@dataclass
class FeedResult:
    entries: list = field(default_factory=list)
    status: str = "ok"  # ok, empty, malformed, blocked, not_feed
    error: str = ""
    encoding: str = "utf-8"
    encoding_method: str = "utf-8"
    title: str = ""
    language: str = ""  # as the feed declares it (<language>, xml:lang)

    @property
    def encoding_guessed(self) -> bool:
        return self.encoding_method in ("detected", "undetectable")


def _strict(body: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return body.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None


def _codec(label: str | None) -> str | None:
    """A Python codec for a declared label; GB2312/GBK become GB18030 (their superset), UTF-7 is refused."""
    return resolve_encoding(label) if label else None


def _detect(body: bytes, lang_hint: str) -> Decoded:
    matches = list(charset_normalizer.from_bytes(body))
    if not matches:
        return Decoded(body.decode("utf-8", errors="replace"), "utf-8", "undetectable")
    best_chaos = min(m.chaos for m in matches)
    tied = [m for m in matches if m.chaos <= best_chaos + _CHAOS_TIE]
    # Short CJK samples can fit several legacy encodings equally well; the source's language breaks the tie.
    wanted = _DETECTOR_LANGUAGE.get(primary_lang(lang_hint))
    chosen = next((m for m in tied if m.language == wanted), tied[0])
    encoding = chosen.encoding
    if encoding in _GB_FAMILY or _GB_FAMILY & set(chosen.could_be_from_charset):
        # The detector says simplified Chinese: decode with GB18030, which is a superset of GB2312 and GBK.
        encoding = "gb18030"
    return Decoded(body.decode(encoding, errors="replace"), encoding, "detected")


def decode_feed(body: bytes, content_type: str = "", lang_hint: str = "") -> Decoded:
    """The feed as text, with the encoding used and what decided it."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return Decoded(body[len(bom) :].decode(bom_encoding, errors="replace"), bom_encoding, "bom")
    for pattern, family in _BOMLESS_PATTERNS:
        if body.startswith(pattern):
            # The declaration can only refine the byte order the pattern already fixed (e.g. "UTF-16").
            return Decoded(body.decode(family, errors="replace"), family, "byte-pattern")
    candidates = (
        ("xml-declaration", _codec(html_body_declared_encoding(body))),
        ("http-charset", http_content_type_encoding(content_type or "")),
        ("utf-8", "utf-8"),
    )
    for method, codec in candidates:
        if codec and codec.startswith(("utf-16", "utf-32")):
            continue  # declared wide, but the bytes are not (no BOM, no wide pattern): the label is wrong
        text = _strict(body, codec)
        if text is not None:
            return Decoded(text, codec, method)
    return _detect(body, lang_hint)


def _utf8_for_feedparser(text: str) -> bytes:
    """UTF-8 bytes with a matching declaration, so feedparser never second-guesses our decoding."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<?xml"):
        end = stripped.find("?>")
        if end != -1:
            stripped = stripped[end + 2 :]
    return ('<?xml version="1.0" encoding="utf-8"?>' + stripped).encode("utf-8")


def read_feed(body: bytes, content_type: str, lang_hint: str = "") -> FeedResult:
    if not body.strip():
        return FeedResult(status="not_feed", error="empty response body")
    decoded = decode_feed(body, content_type, lang_hint)
    # No base URL on purpose: relative links must reach the spider as they are, so it can resolve
    # them itself and count them (a relative link is a feed bug worth seeing in the stats).
    parsed = feedparser.parse(
        _utf8_for_feedparser(decoded.text),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    # feedparser names the format it recognised (rss20, atom10, rss10, json1...); nothing means no feed.
    if not parsed.get("version"):
        if looks_like_challenge(decoded.text[:65536]):
            return FeedResult(status="blocked", error="challenge page served instead of the feed")
        return FeedResult(status="not_feed", error="response is not RSS or Atom")
    result = FeedResult(
        entries=list(parsed.entries),
        encoding=decoded.encoding,
        encoding_method=decoded.method,
        title=parsed.feed.get("title", ""),
        language=parsed.feed.get("language", ""),
    )
    if parsed.bozo:
        exc = parsed.get("bozo_exception")
        # feedparser reports harmless things as bozo too (e.g. a served type it did not expect).
        if not isinstance(exc, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)):
            result.status = "malformed"
            result.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    if not result.entries and result.status == "ok":
        result.status = "empty"
    return result
