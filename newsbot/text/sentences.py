"""Sentences of Chinese and English prose, and a token budget that cuts text at a sentence stop."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from newsbot.text.lang import CJK_RE

_ZH_END = "。！？!?；"
# An ASCII "!" or "?" ends a Chinese sentence only when Chinese follows it; before a space the English
# rules below decide ("Yum! Brands" is a name).
_ZH_SPLIT_RE = re.compile(
    r"(?<=[。！？；])(?![”’」』）)])|(?<=[。！？!?；][”’」』）)])|(?<=[!?])(?=[\u4e00-\u9fff“「])"
)
# Abbreviations whose period does not end an English sentence.
_EN_ABBREV = (
    "U.S",
    "U.K",
    "U.N",
    "E.U",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Prof",
    "Inc",
    "Corp",
    "Co",
    "Ltd",
    "Jr",
    "Sr",
    "St",
    "vs",
    "No",
    "e.g",
    "i.e",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Aug",
    "Sept",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
# Words that open an English sentence, so "Great! The model…" still splits after "Great!".
_SENTENCE_OPENERS = frozenset(
    [
        "The",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "Its",
        "We",
        "I",
        "You",
        "They",
        "He",
        "She",
        "But",
        "And",
        "So",
        "A",
        "An",
        "In",
        "On",
        "At",
        "Now",
        "Here",
        "There",
        "What",
        "Why",
        "How",
        "When",
        "If",
        "As",
        "For",
        "With",
        "Our",
        "Their",
    ]
)
_WORD_RE = re.compile(r"[A-Za-z]+")
# The stop is matched, not looked behind for, so that re skips ahead to the next stop; the break
# (group 1) is what follows it.
_EN_SPLIT_RE = re.compile(r"[.!?]([\"”’)]?\s+)(?=[A-Z0-9\"“(\u4e00-\u9fff])")


def split_sentences(text: str) -> list[str]:
    """Sentences of Chinese or English prose (mixed text is split on both kinds of stop)."""
    return list(iter_sentences(text))


def first_sentences(text: str, limit: int) -> list[str]:
    """split_sentences(text)[:limit], without splitting the rest of a long article."""
    return list(islice(iter_sentences(text), limit))


def iter_sentences(text: str) -> Iterator[str]:
    for para in re.split(r"\n+", text or ""):
        para = para.strip()
        if not para:
            continue
        # Most English paragraphs have no stop that splits Chinese: the split regex is slow to say so.
        chunks = _ZH_SPLIT_RE.split(para) if any(stop in para for stop in _ZH_END) else [para]
        for chunk in _within_quotes(chunks):
            chunk = chunk.strip()
            if chunk:
                yield from _split_english(chunk)


def _within_quotes(chunks: list[str]) -> Iterator[str]:
    """Join the pieces of a quotation: a stop inside “…” or 「…」 ends the speaker's sentence, not the
    reporter's (“我们会继续投入。我们有信心。”他说。 is one sentence)."""
    pending = ""
    for chunk in chunks:
        pending += chunk
        if pending.count("“") <= pending.count("”") and pending.count("「") <= pending.count("」"):
            yield pending
            pending = ""
    if pending:
        yield pending


def _is_name_bang(head: str, after: str) -> bool:
    """ "Yum! Brands", "Yahoo! Japan": an exclamation mark inside a capitalised name, followed by
    another capitalised word that does not open a sentence."""
    word = _WORD_RE.search(head.rsplit(None, 1)[-1] if head.split() else "")
    nxt = _WORD_RE.match(after.lstrip())
    return (
        head.endswith("!")
        and word is not None
        and word.group(0)[:1].isupper()
        and nxt is not None
        and nxt.group(0)[:1].isupper()
        and nxt.group(0) not in _SENTENCE_OPENERS
        # "Smith! Really?" is two exclamations, not a name.
        and after.lstrip()[nxt.end() : nxt.end() + 1] not in ("!", "?", ".")
    )


def _split_english(chunk: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for m in _EN_SPLIT_RE.finditer(chunk):
        head = chunk[start : m.start(1)].rstrip('"”’)')
        word = head.rsplit(None, 1)[-1] if head.split() else ""
        word = word.rstrip(".!?")
        # "U.S. Army", "Mr. Huang" and single initials ("J. Smith") keep their sentence together.
        if word in _EN_ABBREV or (len(word) == 1 and word.isupper()) or _is_name_bang(head, chunk[m.end() :]):
            continue
        pieces.append(chunk[start : m.start(1)].strip())
        start = m.end()
    pieces.append(chunk[start:].strip())
    return [p for p in pieces if p]


def sentence_count(text: str) -> int:
    return len(split_sentences(text))


def is_one_sentence(text: str) -> bool:
    """One sentence in the seed's sense: no stop before the final one."""
    body = (text or "").strip().rstrip(_ZH_END + ".")
    if any(ch in body for ch in "。！？!?"):
        return False
    return sentence_count(text) <= 1


# --- token budget ------------------------------------------------------------------------------------
def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate (tiktoken would download its tables at run time): about one token
    per CJK character and one per four other characters, which errs on the high side for both."""
    cjk = len(CJK_RE.findall(text))
    return cjk + (len(text) - cjk + 3) // 4


def cut_to_budget(text: str, max_tokens: int) -> str:
    """Keep the opening: the first max_tokens worth of text, ended at a sentence stop when one is near."""
    if max_tokens <= 0 or estimate_tokens(text) <= max_tokens:
        return text
    used = 0.0
    cut = len(text)
    for i, ch in enumerate(text):
        used += 1.0 if CJK_RE.match(ch) else 0.25
        if used > max_tokens:
            cut = i
            break
    head = text[:cut]
    stops = [head.rfind(ch) for ch in "。！？.!?\n"]
    last_stop = max(stops)
    if last_stop >= cut * 0.6:
        head = head[: last_stop + 1]
    return head.rstrip() + "…"
