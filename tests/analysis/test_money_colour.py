"""An amount only the body names, in no deal of its own clause (a revenue line, a market size, an old
pledge), is colour: it earns a commentary or a factory story no importance. The same amount in the
headline or lead, or in a deal deeper in the body, still counts. The articles are written for this test."""

from __future__ import annotations

import pytest

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.heuristic import HeuristicAnalyzer

LEAD = (
    "Microsoft's AI strategy looks different from the inside than from Wall Street. "
    "Its engineers say the company is still learning what customers want from AI agents. "
    "Executives describe a long road ahead for Copilot in offices and factories. "
)


@pytest.fixture(scope="module")
def analyzer():
    return HeuristicAnalyzer()


def judge(analyzer, title: str, text: str):
    art = ArticleInput("https://www.example.com/column/1", title, text, "en", "user_site", "A site", None)
    return analyzer.analyze(art).evidence.importance


def test_a_revenue_figure_deep_in_a_commentary_is_colour(analyzer):
    importance = judge(
        analyzer,
        "Microsoft's AI Bet Looks Different From the Inside",
        LEAD + "Its cloud revenue reached $120 billion last year, most of it from businesses.",
    )
    assert importance.money.text == "$120 billion" and importance.money.points == 0
    assert importance.level != "high"


def test_a_deal_deeper_in_the_body_still_counts(analyzer):
    importance = judge(
        analyzer,
        "Microsoft's AI Bet Looks Different From the Inside",
        LEAD + "Last year it invested $12 billion in an AI lab's funding round.",
    )
    assert importance.money.text == "$12 billion" and importance.money.points > 0


def test_an_amount_in_the_lead_still_counts(analyzer):
    importance = judge(
        analyzer,
        "Microsoft's AI Bet Looks Different From the Inside",
        "Microsoft's cloud revenue reached $120 billion last year. " + LEAD,
    )
    assert importance.money.text == "$120 billion" and importance.money.points > 0
