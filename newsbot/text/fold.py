"""Case folding that agrees with re.IGNORECASE, for literal pre-checks before a case-insensitive regex.

If a case-insensitive pattern matches a text, the literal words of the pattern occur in the folded
text: so a plain substring search (or an Aho-Corasick pass) over fold(text) can rule a pattern out
before the slower regex runs, without changing what it finds. Each character folds on its own, to
one or more characters.
"""

from __future__ import annotations

from functools import lru_cache

# re's IGNORECASE also pairs these with ASCII letters; casefold() alone would not ("İ" would become
# "i" and a combining dot, so it is mapped before casefold()).
_BEFORE_CASEFOLD = str.maketrans({"İ": "i"})
_AFTER_CASEFOLD = str.maketrans({"ı": "i", "ſ": "s", "\u212a": "k", "\u212b": "å"})


@lru_cache(maxsize=64)  # the same text is checked by several matchers in turn
def fold(text: str) -> str:
    return text.translate(_BEFORE_CASEFOLD).casefold().translate(_AFTER_CASEFOLD)
