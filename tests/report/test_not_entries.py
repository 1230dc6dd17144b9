"""A roundup, a run log, an advert or a navigation link is never a report candidate, so it cannot stand in
for a story it lists: the story from its own feed is the entry (synthetic items)."""

from __future__ import annotations

from newsbot.report.candidate import Event, candidate_from_doc
from tests.report.factory import article


def test_non_stories_are_not_candidates():
    roundup = article(
        "https://digest.example.net/runs/1",
        "Tech Daily 2031-02-03 — 9 new",
        "nvidia",
        "今日汇总：某实验室发布新模型。",
        body="Acme launches Model 5. Foo raises money. Bar open-sources a dataset.",
    )
    log = article(
        "https://digest.example.net/runs/2",
        "Crawl Report 2031-02-03 — 2 new",
        "nvidia",
        "运行报告。",
        body="Run 01:00 UTC · duration 1m 12s · 9/9 sources OK",
    )
    nav = article("https://news.example.net/x", "热点精选某地发布新政某某网-3小时前", "36kr", "某地发布新政。")
    advert = article(
        "https://edu.example.net/camp", "大模型实战训练营报名开启", "36kr", "训练营招生。", body="扫码报名，名额有限"
    )
    for doc in (roundup, log, nav, advert):
        assert candidate_from_doc(doc) is None, doc["title"]


def test_the_story_itself_is_the_entry():
    story = article(
        "https://blog.example.com/model-5",
        "Acme launches Model 5",
        "nvidia",
        "Acme发布Model 5。",
        body="Acme launches Model 5, its largest model, for coding agents.",
    )
    cand = candidate_from_doc(story)
    assert cand is not None
    assert Event.of([cand]).representative.url == "https://blog.example.com/model-5"
