"""The report's faster key and signature code gives exactly what the plain versions gave: one scan of
a text for its Latin names in every mode, the bounded sentence-start test, a development's wordings
searched by language, the one-pass MinHash densification. The plain versions are the reference."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

import pytest

from newsbot.report.blocking import MINHASH_BINS, _shingle_hash, minhash
from newsbot.report.keys import (
    _LATIN_TOKEN_RE,
    _SENTENCE_START_RE,
    GENERIC_NAMES,
    STOPWORDS,
    _aliases,
    _sentence_start,
    entity_key,
    latin_names,
    make_keys,
)
from newsbot.report.threads import _CONFIRMED, _HEARSAY, STAGES
from newsbot.text.dates import strip_date_prefix
from newsbot.text.lang import is_chinese

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden.jsonl"


def reference_latin_names(text: str, mode: str, *, aliases: bool = True) -> frozenset[str]:
    """latin_names as first written: every test per token, the sentence start read off the whole prefix."""
    _, alias_tokens = _aliases()
    out = set()
    for m in _LATIN_TOKEN_RE.finditer(text):
        token = m.group(0)
        for suffix in ("'s", "’s"):
            token = token.removesuffix(suffix)
        low = token.lower()
        if len(low) < 2 or low in GENERIC_NAMES or low in STOPWORDS or (not aliases and low in alias_tokens):
            continue
        if token.isupper() and len(token) <= 4 and not any(ch.isdigit() for ch in token):
            continue
        marked = any(ch.isdigit() for ch in token) or any(ch.isupper() for ch in token[1:])
        if mode == "marked" and not marked:
            continue
        if mode == "prose" and not marked and (not token[0].isupper() or _SENTENCE_START_RE.search(text[: m.start()])):
            continue
        out.add(low)
    return frozenset(out)


ADVERSARIAL = [
    "\nOpenAI said Apple would follow",
    "  Apple Unveils Vision Pro 2",
    "x.\u3000Apple rose. \u2028Google fell;\tMeta held: Nvidia's K2.5",
    "。 Apple 、Google （Meta） “Nvidia” 《Claude》",
    "U.S. Apple Inc. and Google's Gemini 3 Flash beat GPT-4o, Qwen3-Coder-Next and o3-mini",
    "X’s's thing, Anthropic’s Claude Opus 4.5 and DeepSeek-V3.2 ship; VLA OCR LLM RAG ABCDE",
    "١٢abc and 3B models, 20bn tokens\x85Orders rose\nOrders fell. Orders",
    "Hello World. Big Tech Moves: Meta buys Scale AI; Reuters reports!  OpenAI\x1cSora",
    "据报道，DeepSeek-V3.2在Hugging Face上线，月之暗面Kimi K2.5登顶OpenRouter榜单",
]


def sample_texts() -> list[str]:
    """The golden set's titles and texts (Chinese, English, mixed), normalised as make_keys reads
    them, plus hand-made corner cases and random shuffles of their words."""
    texts = list(ADVERSARIAL)
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts += [record.get("title") or "", (record.get("text") or "")[:600]]
    rng = random.Random(3)
    pieces = " ".join(ADVERSARIAL).split(" ")
    texts += [" ".join(rng.choices(pieces, k=rng.randint(1, 30))) for _ in range(300)]
    return [unicodedata.normalize("NFKC", t) for t in texts]


@pytest.mark.parametrize("mode", ["zh", "prose", "marked"])
def test_latin_names_in_one_scan_are_the_names_found_token_by_token(mode):
    for text in sample_texts():
        assert {name for name, _ in latin_names(text, mode)} == reference_latin_names(text, mode), text


def test_a_prose_scan_holds_every_marked_name_flagged():
    for text in sample_texts():
        marked = {name for name, _ in latin_names(text, "marked")}
        assert marked == {name for name, flagged in latin_names(text, "prose") if flagged}, text


def test_sentence_start_reads_only_the_end_of_the_prefix():
    alphabet = ["a", "B", " ", "\n", "\t", "\u3000", "\x85", "\u2028", ".", "!", ";", "。", "，", "《", "x."]
    rng = random.Random(5)
    texts = ["", "\n", " \n", "\n\n", ".", ". ", "a.\n", "。", *ADVERSARIAL]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(1, 12))) for _ in range(2000)]
    for text in texts:
        for end in range(len(text) + 1):
            assert _sentence_start(text, end) == bool(_SENTENCE_START_RE.search(text[:end])), (text, end)


def test_make_keys_names_and_tokens_match_the_per_mode_scans():
    """make_keys scans the summary once for the names of two modes; the result is the union of the
    scans it replaced."""
    texts = sample_texts()
    rng = random.Random(9)
    for _ in range(400):
        title, summary, opening = (rng.choice(texts) for _ in range(3))
        keys = make_keys(title, summary, {"organizations": ["OpenAI", "月之暗面"]}, opening)
        title_n = unicodedata.normalize("NFKC", title)
        body = unicodedata.normalize("NFKC", strip_date_prefix(summary))
        zh = is_chinese(body)
        title_mode, body_mode = ("zh" if is_chinese(title_n) else "marked"), ("zh" if zh else "prose")
        names = reference_latin_names(title_n, title_mode, aliases=False) | reference_latin_names(
            body, "zh" if zh else "marked", aliases=False
        )
        tokens = (
            reference_latin_names(title_n, title_mode)
            | reference_latin_names(body, body_mode)
            | reference_latin_names(unicodedata.normalize("NFKC", opening)[:300], body_mode)
        )
        assert keys.names == {n for n in names if entity_key(n) not in keys.central}
        assert keys.tokens == {t for t in tokens if entity_key(t) not in keys.central}


def reference_minhash(items, skip=frozenset()):
    """minhash as first written: each empty bin walks forward to the next filled one."""
    pairs = [_shingle_hash(i) for i in items if i not in skip]
    if not pairs:
        return None
    first = dict(sorted(pairs, reverse=True))
    out = []
    for b in range(MINHASH_BINS):
        if b in first:
            out.append(first[b])
            continue
        j, dist = (b + 1) % MINHASH_BINS, 1
        while j not in first:
            j, dist = (j + 1) % MINHASH_BINS, dist + 1
        out.append(first[j] ^ (dist * 0x5BD1E995))
    return tuple(out)


def test_minhash_fills_empty_bins_as_the_walk_did():
    rng = random.Random(13)
    for size in [0, 1, 2, 3, 5, 10, 30, 59, 60, 61, 100, 400]:
        for _ in range(20):
            items = {f"{rng.random():.6f}" for _ in range(size)}
            skip = set(rng.sample(sorted(items), len(items) // 3))
            assert minhash(items) == reference_minhash(items)
            assert minhash(items, skip) == reference_minhash(items, skip)


def test_wordings_searched_apart_say_what_one_alternation_said():
    """A development's Chinese and English wordings are searched one group at a time; together, as
    one case-blind alternation, they find a match in exactly the same texts."""
    texts = sample_texts() + [
        "据知情人士透露，双方正在洽谈投资事宜",
        "公司宣布完成对某公司的收购交割",
        "模拟测试完成测试",
        "Nvidia nears a deal; it SIGNED later and Closes Higher",
        "The deal closed at $5bn after regulators APPROVED it, people familiar said",
        "拟以10亿元收购；Officially confirmed",
    ]
    wordings = [wording for _, _, wording in STAGES] + [_CONFIRMED, _HEARSAY]
    for wording in wordings:
        zh, en = (pattern.pattern for pattern in wording.patterns)
        together = re.compile(f"{zh}|{en}", re.IGNORECASE)
        for text in texts:
            assert wording.search(text) == bool(together.search(text)), (zh, text)
