"""Case folding for literal pre-checks: it must never hide a word that re.IGNORECASE would match."""

from __future__ import annotations

import re
import string

from newsbot.analysis.lexicon import _is_latin, lexicon
from newsbot.text.fold import fold
from newsbot.text.injection import _REQUIRED


def test_every_character_re_pairs_with_a_pattern_letter_folds_like_it():
    """A case-insensitive pattern's words then always occur in the folded text (ſ, K, ı and İ
    included), so a pre-check on fold(text) rules out only texts the pattern cannot match: the
    letters of the ASCII alphabet, of the lexicon's case-insensitive terms and of the injection words."""
    letters = set(string.ascii_lowercase)
    letters |= {ch for terms in lexicon().terms.values() for t in terms if _is_latin(t) for ch in t.lower()}
    letters |= {ch for groups in _REQUIRED for group in groups for word in group for ch in word}
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    for letter in sorted(ch for ch in letters if ch.lower() != ch.upper()):
        partners = re.findall(f"(?i){re.escape(letter)}", every)
        assert len(partners) >= 2
        assert {fold(ch) for ch in partners} == {fold(letter)}, letter


def test_folding_keeps_chinese_digits_and_punctuation():
    assert fold("人工智能，AI模型：100%“高”") == "人工智能，ai模型：100%“高”"
    assert fold("Straße ſystem \u212aelvin ıd İD") == "strasse system kelvin id id"


def test_folding_is_casefold_with_re_s_extra_pairs_on_every_character():
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    extra = str.maketrans({"ı": "i", "ſ": "s", "\u212a": "k", "\u212b": "å"})
    assert fold(every) == every.replace("İ", "i").casefold().translate(extra)
