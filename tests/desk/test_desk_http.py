"""The desk through its real server over HTTP (uvicorn on a free port, in a thread): the token needed
off loopback, the Host header of the bound address only (DNS rebinding), every form's CSRF token, the
conflicting save refused with a visible notice and nothing lost, a hostile title inert under a strict
CSP, approval re-rendering the edited day, and the WeChat export's restricted HTML."""

from __future__ import annotations

import html
import re
import socket
import threading
import time
from html.parser import HTMLParser

import httpx
import pytest
import uvicorn
from pymongo import MongoClient

from newsbot.desk.guard import DeskRefused, Guard
from newsbot.desk.serve import desk_app
from tests.report.conftest import day_settings
from tests.report.factory import DAY, article, seed_like_day

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ALLOWED_TAGS = {"p", "section", "span", "strong", "a", "img", "br", "h1", "h2", "h3", "h4", "ul", "ol", "li"}
TOKENS = "ann:ann-secret-0123456789,bob:bob-secret-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def desk(mongo_uri, tmp_path_factory):
    """A desk on 127.0.0.1 for the bundled-like day plus one hostile title, editors ann and bob."""
    name = "t_desk_http"
    client = MongoClient(mongo_uri, tz_aware=True)
    client.drop_database(name)
    docs = seed_like_day()
    docs.append(article("https://hostile.example/a", HOSTILE, "36kr", "恶意标题的摘要。", score=99))
    client[name].articles.insert_many(docs)
    out = tmp_path_factory.mktemp("desk") / "reports"
    settings = day_settings(MONGO_URI=mongo_uri, MONGO_DATABASE=name, NEWSBOT_OUTPUT_DIR=str(out))
    port = free_port()
    app, app_client = desk_app(settings, "127.0.0.1", port, "local", env={"NEWSBOT_DESK_TOKEN": TOKENS})
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    yield base, client[name], out
    server.should_exit = True
    thread.join(10)
    app_client.close()
    client.drop_database(name)
    client.close()


def session(base: str, who: str) -> httpx.Client:
    http = httpx.Client(base_url=base, timeout=30)
    assert http.get(f"/login?token={who}-secret-0123456789").status_code in (200, 303)
    return http


def form_of(page: str, url: str) -> dict:
    """The hidden fields and current values of the story form for URL."""
    start = page.index(f'name="url" value="{html.escape(url)}"')
    chunk = page[page.rindex("<form", 0, start) : page.index("</form>", start)]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', chunk))
    return {k: html.unescape(v) for k, v in fields.items()}


def test_off_loopback_needs_a_token():
    with pytest.raises(DeskRefused, match="NEWSBOT_DESK_TOKEN"):
        Guard.for_bind("0.0.0.0", 8765, "ed", env={})
    assert Guard.for_bind("0.0.0.0", 8765, "ed", env={"NEWSBOT_DESK_TOKEN": "x" * 20}).tokens
    assert Guard.for_bind("127.0.0.1", 8765, "ed", env={}).tokens == {}


def test_without_a_token_nothing_is_shown(desk):
    base, _, _ = desk
    answer = httpx.get(base + "/", timeout=30)
    assert answer.status_code == 403 and "摘要" not in answer.text
    wrong = httpx.get(base + "/", headers={"Authorization": "Bearer not-the-secret-000000"}, timeout=30)
    assert wrong.status_code == 403


def test_a_foreign_host_header_is_refused(desk):
    base, _, _ = desk
    http = session(base, "ann")
    assert http.get("/", headers={"Host": "evil.example:80"}).status_code == 421
    assert http.get("/", headers={"Host": "attacker.example"}).status_code == 421
    assert http.get("/").status_code == 200


def test_cross_site_forms_are_refused(desk):
    base, db, _ = desk
    http = session(base, "ann")
    page = http.get("/").text
    url = db.articles.find_one({"url": "https://hostile.example/a"})["url"]
    fields = form_of(page, url)
    before = db.edits.count_documents({})
    for csrf in (None, "forged"):
        data = {**fields, "action": "drop", "drop_reason": "junk"}
        data.pop("csrf")
        if csrf:
            data["csrf"] = csrf
        assert http.post("/edit", data=data).status_code == 403
    good = {**fields, "action": "save"}
    foreign = http.post("/edit", data=good, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert db.edits.count_documents({}) == before


def test_hostile_title_is_inert(desk):
    base, _, _ = desk
    http = session(base, "ann")
    answer = http.get("/")
    assert "script-src" not in answer.headers["content-security-policy"]  # no script source at all
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert "<script" not in answer.text and "<img" not in answer.text
    assert html.escape(HOSTILE, quote=False) in answer.text or "&lt;script&gt;" in answer.text


def test_conflicting_save_is_refused_and_nothing_lost(desk):
    base, db, _ = desk
    ann, bob = session(base, "ann"), session(base, "bob")
    url = "https://hostile.example/a"
    ann_form, bob_form = form_of(ann.get("/").text, url), form_of(bob.get("/").text, url)
    saved = ann.post("/edit", data={**ann_form, "action": "save", "summary": "安的摘要", **_rest(ann_form)})
    assert saved.status_code == 303  # back to the page
    refused = bob.post("/edit", data={**bob_form, "action": "save", "summary": "鲍勃的摘要", **_rest(bob_form)})
    assert refused.status_code == 409
    assert "冲突" in refused.text and "ann" in refused.text and "鲍勃的摘要" in refused.text
    summaries = [e["value"] for e in db.edits.find({"url": url, "field": "summary"})]
    assert summaries == ["安的摘要"]


def _rest(fields: dict) -> dict:
    """The visible fields as the page showed them (so only the one changed is saved)."""
    return {name: fields[f"was_{name}"] for name in ("importance", "region", "reason", "tags", "order")}


def test_approve_renders_the_edited_day_and_wechat_export(desk):
    base, db, out = desk
    http = session(base, "ann")
    url = "https://hostile.example/a"
    fields = form_of(http.get("/").text, url)
    http.post("/edit", data={**fields, "action": "drop", "drop_reason": "junk"})
    approved = http.post("/approve", data={"csrf": fields["csrf"], "action": "approve"})
    assert approved.status_code == 200 and "已批准" in approved.text
    doc = db.reports.find_one({"date": DAY})
    assert doc["status"] == "approved" and doc["approved_by"] == "ann"
    assert url not in (out / f"{DAY}.json").read_text(encoding="utf-8")
    wechat = http.get("/wechat").text
    tags = _tags(wechat)
    assert tags and tags <= ALLOWED_TAGS
    assert not re.search(r"\s(class|id)=", wechat)
    first = next(e for e in doc["payload"]["international"] + doc["payload"]["domestic"])
    assert f"原文：{html.escape(first['url'], quote=True)}" in wechat or f"原文：{first['url']}" in wechat


def _tags(text: str) -> set[str]:
    found: set[str] = set()

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.add(tag)

    Collect().feed(text)
    return found
