"""Story threads across days (持续关注): in talks -> signed -> closed, each day linking back to the
earlier ones in text, HTML, JSON and on the site; a day that brings no new fact shows no entry.

Every story is published at noon the day before its report day (inside the report's window), so a
前情 line that dated its links by the report day would show another day than the article's own."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pymongo import MongoClient

from newsbot.report.anchors import entry_anchor
from newsbot.report.threads import development_keys, new_facts
from tests.publish.conftest import ok, scrapy_in
from tests.report.factory import article

DAYS = ("2026-02-10", "2026-02-11", "2026-02-12", "2026-02-13")
PARTIES = ["英伟达", "OpenAI"]
TALKS = (
    "https://36kr.com/p/thread-1",
    "英伟达洽谈向OpenAI投资200亿美元",
    "英伟达正与OpenAI洽谈，拟向其投资200亿美元。",
)
SIGNED = (
    "https://www.qbitai.com/2026/02/thread-2.html",
    "英伟达与OpenAI签署200亿美元投资协议",
    "英伟达与OpenAI签署投资协议，英伟达将向OpenAI投资200亿美元。",
)
CLOSED = (
    "https://36kr.com/p/thread-3",
    "英伟达完成对OpenAI的200亿美元投资",
    "英伟达完成对OpenAI的200亿美元投资，资金已全部到位。",
)
# The fourth day tells the closing again, in other words: no new fact.
AGAIN = (
    "https://www.leiphone.com/category/thread-4",
    "英伟达已完成向OpenAI投资200亿美元",
    "英伟达已完成向OpenAI投资200亿美元，双方合作继续推进。",
)
RUMOUR = (
    "https://36kr.com/p/rumour-1",
    "据知情人士透露，字节跳动拟收购一家AI芯片公司",
    "据知情人士透露，字节跳动拟收购一家AI芯片设计公司。",
)
CONFIRMED = (
    "https://36kr.com/p/rumour-2",
    "字节跳动官宣收购一家AI芯片公司",
    "字节跳动官宣收购一家AI芯片设计公司，交易细节暂未披露。",
)


def published_on(day: str) -> datetime:
    """12:00 in Shanghai on the day before `day`: inside report day D's window, on another date."""
    return datetime.fromisoformat(day).replace(hour=4, tzinfo=UTC) - timedelta(days=1)


def story(day: str, url: str, title: str, summary: str, source: str, entities=PARTIES) -> dict:
    published = published_on(day)
    zh = f"{published.month}月{published.day}日消息，"
    return article(url, title, source, zh + summary, published_at=published, region="domestic", score=88,
                   entities=entities, tags=["融资", *entities], category="融资", body=summary)  # fmt: skip


FILLERS = (
    ("深圳发布具身智能机器人产业扶持政策", "深圳发布具身智能机器人产业扶持政策，单个项目最高补贴3000万元。"),
    ("上海启动医疗大模型临床试点", "上海在五家三甲医院启动医疗大模型临床辅助诊断试点，为期一年。"),
    ("杭州开放自动驾驶出租车测试道路", "杭州新增开放自动驾驶出租车测试道路120公里，覆盖机场与高铁站。"),
    ("北京发布算力券申领细则", "北京发布算力券申领细则，中小企业租用智算资源可抵扣四成费用。"),
)


def filler(day: str, n: int) -> dict:
    """An unrelated story, so that no day is empty."""
    title, summary = FILLERS[n]
    return story(day, f"https://36kr.com/p/filler-{n}", title, summary, "36kr", entities=[])


@pytest.fixture(scope="module")
def thread(mongo_uri, tmp_path_factory):
    db_name = f"t_{uuid.uuid4().hex[:12]}"
    base = tmp_path_factory.mktemp("thread")
    client = MongoClient(mongo_uri, tz_aware=True)
    db = client[db_name]
    plan = {
        DAYS[0]: [story(DAYS[0], *TALKS, "36kr"), story(DAYS[0], *RUMOUR, "36kr", entities=["字节跳动"])],
        DAYS[1]: [story(DAYS[1], *SIGNED, "qbitai"), story(DAYS[1], *CONFIRMED, "36kr", entities=["字节跳动"])],
        DAYS[2]: [story(DAYS[2], *CLOSED, "36kr")],
        DAYS[3]: [story(DAYS[3], *AGAIN, "leiphone")],
    }
    for n, (day, docs) in enumerate(plan.items()):
        db.articles.insert_many([*docs, filler(day, n)])
        ok(scrapy_in(db_name, mongo_uri, "report", "--date", day, "--output-dir", str(base / "reports")))
        if n == 0:
            # The first day's memory as code that did not keep the article's time wrote it: the later
            # days' 前情 still date it by the stored article.
            db.reports.update_one({"date": day}, {"$unset": {"entries.$[].published_at": ""}})
            assert all("published_at" not in e for e in db.reports.find_one({"date": day})["entries"])
    ok(scrapy_in(db_name, mongo_uri, "publish", "--output-dir", str(base / "site")))
    yield base
    client.drop_database(db_name)
    client.close()


def payload(base, day: str) -> dict:
    return json.loads((base / "reports" / f"{day}.json").read_text(encoding="utf-8"))


def entry(base, day: str, url: str) -> dict | None:
    p = payload(base, day)
    return next((e for e in p["domestic"] + p["international"] if e["url"] == url), None)


def link(day: str, story: tuple) -> dict:
    local = published_on(day).astimezone(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds")
    return {"date": day, "title": story[1], "url": story[0], "published_at": local}


@pytest.mark.slow
def test_each_stage_is_news_and_links_back_to_the_earlier_days(thread):
    assert entry(thread, DAYS[0], TALKS[0])["previously"] == []
    assert entry(thread, DAYS[1], SIGNED[0])["previously"] == [link(DAYS[0], TALKS)]
    assert entry(thread, DAYS[2], CLOSED[0])["previously"] == [link(DAYS[0], TALKS), link(DAYS[1], SIGNED)]


@pytest.mark.slow
def test_a_day_without_a_new_fact_shows_no_entry(thread):
    p = payload(thread, DAYS[3])
    assert entry(thread, DAYS[3], AGAIN[0]) is None
    assert all("OpenAI" not in e["title"] for e in p["domestic"] + p["international"])
    assert p["stats"]["repeats_skipped"] == 1
    assert [e["title"] for e in p["domestic"]] == [FILLERS[3][0]]


@pytest.mark.slow
def test_an_official_confirmation_is_news(thread):
    assert entry(thread, DAYS[1], CONFIRMED[0])["previously"] == [link(DAYS[0], RUMOUR)]


@pytest.mark.slow
def test_text_and_markdown_carry_one_previously_line_under_the_entry(thread):
    txt = (thread / "reports" / f"{DAYS[2]}.txt").read_text(encoding="utf-8")
    lines = txt.splitlines()
    # The entry of the full version (the short version lists summaries only).
    at = max(i for i, line in enumerate(lines) if "英伟达完成对OpenAI的200亿美元投资，资金已全部到位" in line)
    block = lines[at : lines.index("", at)]
    # The earlier articles' own dates (published the day before their reports: 2月10日, 2月11日).
    assert block[-1] == f"   ⏪ 前情: 2月9日 {TALKS[1]}；2月10日 {SIGNED[1]}"
    assert txt.count("⏪ 前情") == 1
    md = (thread / "reports" / f"{DAYS[2]}.md").read_text(encoding="utf-8")
    assert f"⏪ 前情: [2月9日 {TALKS[1]}]({TALKS[0]})、[2月10日 {SIGNED[1]}]({SIGNED[0]})" in md


@pytest.mark.slow
def test_an_entry_with_a_thread_is_tagged_in_every_format_and_on_the_site(thread):
    tag = "持续关注"
    assert entry(thread, DAYS[2], CLOSED[0])["tags"][0] == tag
    assert tag not in entry(thread, DAYS[0], TALKS[0])["tags"]  # the story's first day is no thread yet
    reports = thread / "reports"
    txt = (reports / f"{DAYS[2]}.txt").read_text(encoding="utf-8")
    assert f"   🏷️ 标签: {tag}, 融资" in txt
    assert f"   🏷️ 标签: {tag}, 融资" in (reports / f"{DAYS[2]}.md").read_text(encoding="utf-8")
    assert f"<li>{tag}</li>" in (reports / f"{DAYS[2]}.html").read_text(encoding="utf-8")
    page = (thread / "site" / DAYS[2] / "index.html").read_text(encoding="utf-8")
    assert f"<li>{tag}</li>" in page and "2月9日 " + TALKS[1] in page
    first = (thread / "site" / DAYS[0] / "index.html").read_text(encoding="utf-8")
    assert f"<li>{tag}</li>" not in first
    for txt_day in (DAYS[0], DAYS[3]):
        assert tag not in (reports / f"{txt_day}.txt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_html_links_to_the_earlier_entries(thread):
    html = (thread / "reports" / f"{DAYS[2]}.html").read_text(encoding="utf-8")
    assert f'<a href="{TALKS[0]}"' in html and f'<a href="{SIGNED[0]}"' in html
    page = (thread / "site" / DAYS[2] / "index.html").read_text(encoding="utf-8")
    for day, earlier in ((DAYS[0], TALKS), (DAYS[1], SIGNED)):
        href = f"../{day}/index.html#{entry_anchor(earlier[0])}"
        assert f'href="{href}"' in page
        assert f'id="{entry_anchor(earlier[0])}"' in (thread / "site" / day / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_week_shows_the_thread_once(thread):
    week = (thread / "site" / "weekly" / "2026-W07" / "index.html").read_text(encoding="utf-8")
    titles = re.findall(r'<a class="title"[^>]*>([^<]*)</a>', week)
    assert titles.count(CLOSED[1]) == 1 and TALKS[1] not in titles and SIGNED[1] not in titles
    assert "持续 <strong>3</strong> 天" in week


@pytest.mark.parametrize(
    ("earlier", "later", "news"),
    [
        (
            ("Nvidia Nears Deal to Invest $20 Billion in OpenAI", ""),
            ("Nvidia, OpenAI Sign $20 Billion Deal", ""),
            {"stage:2"},
        ),
        (("英伟达与OpenAI签署投资协议", ""), ("英伟达洽谈向OpenAI追加投资", ""), set()),  # a step back is no news
        (("英伟达与OpenAI签署投资协议", ""), ("英伟达与OpenAI签约", ""), set()),
        (("据知情人士透露，苹果拟收购某公司", ""), ("苹果官宣收购某公司", ""), {"official"}),
        (
            ("Apple reportedly plans to buy a startup, people familiar said", ""),
            ("Apple confirms it bought a startup", ""),
            {"official"},
        ),
        (("寒武纪公告，拟定增募资", ""), ("寒武纪公告拟定增募资40亿元", ""), set()),
        (("OpenAI完成400亿美元融资", ""), ("OpenAI完成400亿美元融资交割", ""), set()),
        (("模拟训练平台发布", ""), ("Markets closed higher on AI", ""), set()),
    ],
)
def test_developments_that_count_as_new_facts(earlier, later, news):
    assert new_facts(development_keys(*later), development_keys(*earlier)) == news
