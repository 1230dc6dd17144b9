"""The editorial desk's whole loop in headless Chromium on the bundled day (issue 22): `scrapy digest`
with NEWSBOT_REQUIRE_APPROVAL pushes only "draft ready"; in the desk the editor drops an entry with a
reason, promotes a story that missed the cut, edits a summary and approves; the four report files, the
published site and the push to a local endpoint carry the edits; a second digest keeps them; and
`evalprompts --from-edits` prints figures for them. No console error, no CSP violation on the way."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
import uvicorn
from pymongo import MongoClient

from newsbot.archive.site import publish
from newsbot.desk.serve import desk_app
from tests.conftest import SNAPSHOT_DAY, run_scrapy, scrapy_env
from tests.desk.test_desk_http import free_port
from tests.ops.conftest import LocalHTTPServer
from tests.report.conftest import day_settings
from tests.report.test_html_browser import CHROMIUM, CHROMIUM_ARGS, record_problems

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
    pytest.mark.skipif(not (SNAPSHOT_DAY / "manifest.jsonl").exists(), reason="bundled day missing"),
]

DAY = "2026-02-04"
HOOK_ENV = "NEWSBOT_WECOM_URL"
NEW_SUMMARY = "编辑台改写：这是编辑亲自写的一句摘要。"


def digest(db_name: str, mongo_uri: str, out, hook_url: str):
    settings = {
        "MONGO_DATABASE": db_name,
        "TELNETCONSOLE_ENABLED": "False",
        "NEWSBOT_ANALYZER": "heuristic",
        "NEWSBOT_WORKER_PROCESSES": "1",
        "NEWSBOT_REQUIRE_APPROVAL": "True",
        "NEWSBOT_CHANNELS": json.dumps({"wecom": {"type": "wecom"}}),
        "NEWSBOT_PUSH_RETRIES": "0",
        "NEWSBOT_PUSH_ALERTS": "False",
    }
    flags = [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
    env = scrapy_env(MONGO_URI=mongo_uri, **{HOOK_ENV: hook_url})
    args = ("digest", "--snapshot", str(SNAPSHOT_DAY), "--date", DAY, "--output-dir", str(out))
    return run_scrapy(*args, *flags, env=env)


def pushed(hook) -> list[str]:
    return [json.dumps(r.json(), ensure_ascii=False) for r in hook.requests]


def story(page, url: str):
    return page.locator("article.story").filter(has=page.locator(f'input[name="url"][value="{url}"]'))


def test_desk_loop_in_chromium(mongo_uri, tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    db_name = f"t_{uuid.uuid4().hex[:12]}"
    out = tmp_path / "reports"
    hook = LocalHTTPServer(lambda request: (200, {"Content-Type": "application/json"}, '{"errcode": 0}'))
    hook_url = f"{hook.url}/cgi-bin/webhook/send?key=tok0123456789secret"
    monkeypatch.setenv(HOOK_ENV, hook_url)
    client = MongoClient(mongo_uri, tz_aware=True)
    db = client[db_name]
    server = None
    try:
        first = digest(db_name, mongo_uri, out, hook_url)
        assert first.returncode == 0, first.stderr[-3000:]
        assert len(hook.requests) == 1 and "草稿已就绪" in pushed(hook)[0]
        before = json.loads((out / f"{DAY}.json").read_text(encoding="utf-8"))
        entries = before["international"] + before["domestic"]
        dropped, edited = entries[0], entries[1]

        settings = day_settings(
            MONGO_URI=mongo_uri,
            MONGO_DATABASE=db_name,
            NEWSBOT_OUTPUT_DIR=str(out),
            NEWSBOT_REQUIRE_APPROVAL="True",
            NEWSBOT_CHANNELS=json.dumps({"wecom": {"type": "wecom"}}),
            NEWSBOT_PUSH_RETRIES="0",
            NEWSBOT_PUSH_ALERTS="False",
        )
        port = free_port()
        app, app_client = desk_app(settings, "127.0.0.1", port, "editor-ann", env={})
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)

        problems: list[str] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page()
                record_problems(page, problems)
                page.goto(f"http://127.0.0.1:{port}/")
                assert page.locator("#status").inner_text() == "draft"

                card = story(page, dropped["url"])
                card.locator('select[name="drop_reason"]').select_option("not_ai")
                card.get_by_role("button", name="删除").click()
                page.wait_for_load_state("load")
                assert "not_ai" in page.locator("section.dropped").inner_text()
                assert (
                    not page.locator("section.entries")
                    .filter(has=page.locator(f'input[name="url"][value="{dropped["url"]}"]'))
                    .count()
                )

                # The bundled day's eligible stories all make the cut: the editor promotes one judged not AI.
                missed = page.locator("section.missed input[name='url']")
                if not missed.count():
                    page.locator("details.not-ai > summary").click()
                    missed = page.locator("details.not-ai input[name='url']")
                promoted_url = missed.first.get_attribute("value")
                story(page, promoted_url).get_by_role("button", name="提升").click()
                page.wait_for_load_state("load")
                assert (
                    page.locator("section.entries")
                    .filter(has=page.locator(f'input[name="url"][value="{promoted_url}"]'))
                    .count()
                )

                card = story(page, edited["url"])
                card.locator('textarea[name="summary"]').fill(NEW_SUMMARY)
                card.get_by_role("button", name="保存").click()
                page.wait_for_load_state("load")
                assert NEW_SUMMARY in story(page, edited["url"]).locator(".summary").inner_text()

                page.get_by_role("button", name="批准发布").click()
                page.wait_for_load_state("load")
                assert "已批准" in page.locator(".notice").first.inner_text()
                assert page.locator("#status").inner_text() == "approved"
            finally:
                browser.close()
        assert problems == []
        app_client.close()

        for fmt in ("txt", "md", "html", "json"):
            text = (out / f"{DAY}.{fmt}").read_text(encoding="utf-8")
            assert NEW_SUMMARY in text and dropped["url"] not in text, fmt
        assert promoted_url in (out / f"{DAY}.json").read_text(encoding="utf-8")
        site = tmp_path / "site"
        publish(settings, db, site)
        day_page = (site / DAY / "index.html").read_text(encoding="utf-8")
        assert NEW_SUMMARY in day_page and dropped["url"] not in day_page
        approval_push = "".join(pushed(hook)[1:])  # the report, split to the channel's message size
        assert NEW_SUMMARY in approval_push and "草稿" not in approval_push

        again = digest(db_name, mongo_uri, out, hook_url)
        assert again.returncode == 0, again.stderr[-3000:]
        after = json.loads((out / f"{DAY}.json").read_text(encoding="utf-8"))
        urls = [e["url"] for e in after["international"] + after["domestic"]]
        assert dropped["url"] not in urls and promoted_url in urls
        assert NEW_SUMMARY in [e["summary"] for e in after["international"] + after["domestic"]]
        assert db.reports.find_one({"date": DAY})["status"] == "approved"

        evaluated = run_scrapy(
            "evalprompts", "--from-edits", "--analyzer", "heuristic", "-s", f"MONGO_DATABASE={db_name}",
            env=scrapy_env(MONGO_URI=mongo_uri),
        )  # fmt: skip
        assert evaluated.returncode == 0, evaluated.stderr[-2000:]
        figures = json.loads(evaluated.stdout)
        assert figures["rows"] == 2 and "ai_relevant" in figures
    finally:
        if server is not None:
            server.should_exit = True
        hook.close()
        client.drop_database(db_name)
        client.close()
