"""Case folding that agrees with re.IGNORECASE, for literal pre-checks before a case-insensitive regex.

If a case-insensitive pattern matches a text, the literal words of the pattern occur in the folded
text: so a plain substring search (or an Aho-Corasick pass) over fold(text) can rule a pattern out
before the slower regex runs, without changing what it finds. Each character folds on its own, to
one or more characters.
"""

from __future__ import annotations

from functools import lru_cache

# re's IGNORECASE also pairs these with ASCII letters; casefold() alone would not ("İ" would become
# "i" and a combining dot, so it is replaced before casefold()).
_BEFORE_CASEFOLD = {"İ": "i"}
_AFTER_CASEFOLD = {"ı": "i", "ſ": "s", "\u212a": "k", "\u212b": "å"}


@lru_cache(maxsize=64)  # the same text is checked by several matchers in turn
def fold(text: str) -> str:
    # Replaced only when present: str.translate is slow on Chinese text, a search for a character is not.
    for special, plain in _BEFORE_CASEFOLD.items():
        if special in text:
            text = text.replace(special, plain)
    text = text.casefold()
    for special, plain in _AFTER_CASEFOLD.items():
        if special in text:
            text = text.replace(special, plain)
    return text
