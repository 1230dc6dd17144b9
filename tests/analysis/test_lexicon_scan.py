"""The lexicon scans a text once for all its rows: every group's hits and score must be what the
per-row method gave (one regex of the row's terms, run over the text for each group asked about)."""

from __future__ import annotations

import re
from collections import Counter

from newsbot.analysis.heuristic import HeuristicAnalyzer
from newsbot.analysis.judgements import Reading
from newsbot.analysis.lexicon import LEXICON_FILE, Lexicon, _is_latin, _rows, _term_pattern, gazetteer, read_data
from tests.analysis.test_analysis_units import TRICKY_TEXTS
from tests.conftest import authored_golden_rows


def per_row_regexes(data: str) -> list[tuple[str, float, re.Pattern]]:
    """The lexicon as the per-row method read it: one alternation per line, longest term first."""
    rows = []
    for group, weight, terms in _rows(data):
        parts = [t.strip() for t in terms.split("|") if t.strip()]
        patterns = []
        for term in sorted(parts, key=len, reverse=True):
            core = term.rstrip("*")
            fold = not (core.isupper() and _is_latin(core))
            patterns.append(_term_pattern(term, fold_case=fold, after_hyphen=False))
        rows.append((group, float(weight), re.compile("|".join(patterns))))
    return rows


def reference_hits(rows, group: str, text: str) -> list[str]:
    return [m.group(0) for g, _, rx in rows if g == group for m in rx.finditer(text)]


def reference_score(rows, group: str, text: str, cap: int) -> float:
    total = 0.0
    for g, weight, rx in rows:
        if g == group:
            counts = Counter(m.group(0).lower() for m in rx.finditer(text))
            total += weight * sum(min(c, cap) for c in counts.values())
    return total


def golden_texts(step: int) -> list[str]:
    texts = []
    for row in authored_golden_rows()[::3]:
        whole = f"{row['title']}\n{row['text']}"
        texts += [whole, whole.upper(), whole.swapcase()]
    return texts


def test_one_scan_gives_every_group_the_hits_and_scores_of_a_regex_per_row():
    data = read_data(LEXICON_FILE)
    lex, rows = Lexicon(data), per_row_regexes(data)
    for text in [*TRICKY_TEXTS, *golden_texts(4)]:
        for group in lex.groups:
            assert lex.hits(group, text) == reference_hits(rows, group, text), (group, text[:80])
            for cap in (1, 3):
                assert lex.score(group, text, cap=cap) == reference_score(rows, group, text, cap), (group, text[:80])


def test_groups_spread_over_the_file_and_terms_shared_between_rows_and_groups():
    """Rows of a group need not be adjacent; a term in two rows counts in both; overlapping terms in
    one row take the longest at each place, terms of different rows all count."""
    data = "\n".join(
        [
            "ai\t3\tAI|artificial intelligence|model*",
            "cat:x\t2\tlanguage model*|large language model|模型",
            "ai\t1\tmodel|大模型|模型",
            "cat:y\t0.5\tban|Ban*|chip*",
            "cat:x\t1\tAI|intelligence",
        ]
    )
    lex, rows = Lexicon(data), per_row_regexes(data)
    texts = [
        "Large language models and a large language model: artificial intelligence (AI) 大模型和模型",
        "Ray-Ban bans BAN chips; AI-chip maker's chipset; models, MODEL, Models-as-a-service",
        *TRICKY_TEXTS,
    ]
    for text in texts:
        for group in ("ai", "cat:x", "cat:y", "missing"):
            assert lex.hits(group, text) == reference_hits(rows, group, text)
            assert lex.score(group, text) == reference_score(rows, group, text, 3)
    assert lex.score("ai", "AI model 大模型") == 3 * 2 + 1 * 2  # AI, model; then model and 大模型 in the second row


def test_record_entities_are_the_title_names_then_the_body_names():
    """The record's entities come from the title's and the body's mentions (the body's first 4000
    characters are read for the judgements already) and equal the names of "title\\nbody"."""
    gaz = gazetteer()
    analyzer = HeuristicAnalyzer()
    pairs = [(row["title"], row["text"]) for row in authored_golden_rows()[::3]]
    pairs += [
        ("OpenAI", "AI chips from NVIDIA"),
        ("Meta and Open", "AI labs: Google"),
        ("上海", "人工智能实验室与复旦大学"),
        ("Alibaba's Qwen", "3 tops the chart. " * 400 + "Baidu and Tencent close the 5000-character body."),
    ]
    for title, body in pairs:
        reading = Reading(title, "", body, [], gaz.find(title), [], gaz.find(body[:4000]), None)
        assert gaz.names_of(reading.title_m + analyzer._body_mentions(reading)) == gaz.names(f"{title}\n{body}")
