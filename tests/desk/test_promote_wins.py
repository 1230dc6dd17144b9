"""An editor's promotion wins over the selection (issue 22): a promoted story is an entry of `scrapy report`
in every format and in the stored report, whether the selection left it out as a repeat of an earlier
day's event (then with its 前情 line), below the cut, merged into another report's event, judged not AI
or taken for a roundup. The desk lists the repeats, so the editor can promote one from its page."""

from __future__ import annotations

import json
from datetime import timedelta

from starlette.testclient import TestClient

from newsbot.desk.serve import desk_app
from newsbot.storage.edits import day_version, save_edit
from tests.desk.test_desk_http import form_of
from tests.report.conftest import day_settings
from tests.report.factory import DAY, START, article, seed_like_day

EARLIER = "2026-02-03"
TENDER = "https://www.bloomberg.com/news/articles/2026-02-03/anthropic-tender"
TENDER_TITLE = "Anthropic Plans Employee Tender Offer at $350 Billion Valuation"
# The same event as TENDER, told by another outlet inside the earlier day's window, with no fact TENDER lacks.
TOLD_BEFORE = article(
    "https://www.theverge.com/ai/anthropic-tender",
    TENDER_TITLE,
    "theverge",
    "2月3日消息，Anthropic plans an employee tender offer at a valuation of at least $350 billion.",
    published_at=START - timedelta(hours=6),
    score=90,
    entities=["Anthropic"],
    tags=["Anthropic", "估值", "员工股权"],
    body="Anthropic plans an employee tender offer at a valuation of at least $350 billion.",
)
ROUNDUP = article(
    "https://36kr.com/p/roundup?f=rss",
    "AI早报：2月4日",
    "36kr",
    "2月4日消息，今日AI要闻汇总。",
    region="domestic",
    score=60,
    body="今日AI要闻汇总。",
)


def report(scrapy_runner, tmp_path, day: str = DAY, **settings) -> dict:
    proc = scrapy_runner("report", "--date", day, NEWSBOT_ANALYZER="heuristic", **settings)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads((tmp_path / "reports" / f"{day}.json").read_text(encoding="utf-8"))


def entries(payload: dict) -> dict[str, dict]:
    return {e["url"]: e for e in [*payload["domestic"], *payload["international"]]}


def promote(db, *urls: str) -> None:
    for url in urls:
        save_edit(db, DAY, url, "promote", True, "ann", day_version(db, DAY))


def promote_at_the_desk(mongo_uri: str, db_name: str, url: str) -> None:
    """Promote URL as an editor does: from its form on the desk's page of DAY (loopback, no token)."""
    settings = day_settings(MONGO_URI=mongo_uri, MONGO_DATABASE=db_name)
    app, client = desk_app(settings, "127.0.0.1", 8765, "ann", env={})
    try:
        with TestClient(app, base_url="http://127.0.0.1:8765") as http:
            page = http.get("/").text
            assert "往日已报道" in page and f"已于 {EARLIER} 报道" in page
            answer = http.post("/edit", data={**form_of(page, url), "action": "promote"}, follow_redirects=False)
            assert answer.status_code == 303
    finally:
        client.close()


def assert_shown_everywhere(db, tmp_path, payload: dict, url: str, title: str) -> None:
    assert url in entries(payload)
    for fmt in ("txt", "md", "html"):
        text = (tmp_path / "reports" / f"{DAY}.{fmt}").read_text(encoding="utf-8")
        assert url in text, fmt
        assert title in text or fmt == "txt", fmt  # the text layout shows the summary, not the headline
    stored = db.reports.find_one({"date": DAY})
    assert url in [m["url"] for m in stored["entries"]]
    assert url in entries(stored["payload"])


def test_a_promoted_repeat_of_an_earlier_day_is_an_entry_with_its_thread(
    mongo_db, mongo_uri, db_name, scrapy_runner, tmp_path
):
    mongo_db.articles.insert_many([*seed_like_day(), TOLD_BEFORE])
    earlier = report(scrapy_runner, tmp_path, EARLIER)
    assert TOLD_BEFORE["url"] in entries(earlier)
    before = report(scrapy_runner, tmp_path)
    assert TENDER not in entries(before) and before["stats"]["repeats_skipped"] == 1

    promote_at_the_desk(mongo_uri, db_name, TENDER)
    assert [(e["url"], e["field"]) for e in mongo_db.edits.find({"day": DAY, "counter": {"$ne": True}})] == [
        (TENDER, "promote")
    ]
    after = report(scrapy_runner, tmp_path)
    shown = entries(after)[TENDER]
    assert [(p["date"], p["url"]) for p in shown["previously"]] == [(EARLIER, TOLD_BEFORE["url"])]
    assert shown["tags"][0] == "持续关注"
    assert after["stats"]["repeats_skipped"] == 0
    assert_shown_everywhere(mongo_db, tmp_path, after, TENDER, TENDER_TITLE)
    for fmt in ("txt", "md"):
        text = (tmp_path / "reports" / f"{DAY}.{fmt}").read_text(encoding="utf-8")
        assert "⏪ 前情: " in text and "2月3日 " + TENDER_TITLE in text, fmt
    # The stored memory keeps the thread, so a later day links back through it.
    stored = next(m for m in mongo_db.reports.find_one({"date": DAY})["entries"] if m["url"] == TENDER)
    assert [p["url"] for p in stored["previously"]] == [TOLD_BEFORE["url"]]


def test_promoted_stories_left_out_for_other_reasons_come_back(mongo_db, scrapy_runner, tmp_path):
    mongo_db.articles.insert_many([*seed_like_day(), ROUNDUP])
    capped = {"NEWSBOT_MAX_INTERNATIONAL": "3"}
    before = report(scrapy_runner, tmp_path, **capped)
    shown = entries(before)
    below_cut = "https://www.theverge.com/tech/1/script"
    member = "https://www.bloomberg.com/news/articles/2026-02-03/nvidia-openai"
    not_ai = "https://www.bloomberg.com/news/articles/2026-02-03/netflix"
    assert not {below_cut, member, not_ai, ROUNDUP["url"]} & set(shown)
    # The member is merged into the Chinese report's entry, listed under also-reported-by.
    merged_into = next(u for u, e in shown.items() if member in [o["url"] for o in e["also_reported_by"]])

    promote(mongo_db, below_cut, member, not_ai, ROUNDUP["url"])
    after = report(scrapy_runner, tmp_path, **capped)
    now = entries(after)
    for url, title in (
        (below_cut, "claims"),
        (member, "Nvidia Nears Deal to Invest $20 Billion in OpenAI"),
        (not_ai, "Netflix, Warner Bros Defend Deal"),
        (ROUNDUP["url"], ROUNDUP["title"]),
    ):
        assert_shown_everywhere(mongo_db, tmp_path, after, url, title)
    # Still one entry for the event: the promoted report tells it, the other is listed under it.
    assert merged_into not in now
    assert [o["url"] for o in now[member]["also_reported_by"]] == [merged_into]
