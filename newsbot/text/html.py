"""HTML to plain text, entity decoding and invisible-character removal."""

from __future__ import annotations

import html
import re

from w3lib.html import remove_comments, remove_tags, remove_tags_with_content

# Zero-width spaces/joiners, BOM, soft hyphen, bidi controls, word joiner...: invisible in a browser,
# but they break dedup, tokenisation and summaries. And control characters (Unicode's Cc, a closed
# set: U+0000-001F and U+007F-009F) other than newline and tab, which are never content.
_INVISIBLE_RE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
_BLOCK_END_RE = re.compile(r"(?i)</(p|div|li|h[1-6]|blockquote|tr|section|article|figure|pre)\s*>|<br\s*/?>")
_SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


def strip_invisible(text: str) -> str:
    return _INVISIBLE_RE.sub("", text)


def html_to_text(value: str | None) -> str:
    """Readable plain text: block elements become line breaks, entities decoded, whitespace tidied."""
    if not value:
        return ""
    text = remove_comments(value)
    text = remove_tags_with_content(text, which_ones=("script", "style", "noscript", "figcaption"))
    text = _BLOCK_END_RE.sub("\n", text)
    text = remove_tags(text)
    # Twice: feeds often double-escape (&amp;amp;) their HTML.
    text = html.unescape(html.unescape(text))
    return tidy_text(text)


def tidy_text(text: str | None) -> str:
    """Plain text made clean: invisible characters gone, spaces folded, blank lines dropped.
    Never parses markup, so a literal "<think>" in an abstract survives."""
    if not text:
        return ""
    lines = (_SPACES_RE.sub(" ", line).strip() for line in strip_invisible(text).split("\n"))
    return "\n".join(line for line in lines if line)


def one_line(value: str | None) -> str:
    return " ".join(html_to_text(value).split())
