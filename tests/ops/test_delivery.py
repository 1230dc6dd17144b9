"""Webhook channels against a local HTTP server: payload format, signing, splitting, retries,
failures counted and secrets never logged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import unquote_plus

import pytest
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from newsbot.delivery import push_alert, push_report
from tests.conftest import SNAPSHOT_DAY
from tests.ops.conftest import sample_report

DING_SECRET = "SEC0123456789abcdef0123456789abcdef"
FEISHU_SECRET = "feishu-signing-secret-42"
TOKEN = "tok0123456789secret"


def settings(channels: dict, **extra) -> Settings:
    s = Settings()
    s.setmodule("newsbot.settings")
    s.set("NEWSBOT_CHANNELS", channels)
    # Real backoff is seconds; the tests keep the doubling but not the wait.
    s.set("NEWSBOT_PUSH_BACKOFF", 0.01)
    s.set("NEWSBOT_PUSH_TIMEOUT", 5)
    for key, value in extra.items():
        s.set(key, value)
    return s


def stats() -> MemoryStatsCollector:
    class _Crawler:
        settings = Settings()

    return MemoryStatsCollector(_Crawler())


def ok_json(body: dict):
    return lambda request: (200, {"Content-Type": "application/json"}, json.dumps(body))


def verify_dingtalk(request) -> bool:
    timestamp = request.query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    fresh = abs(int(timestamp) - time.time() * 1000) < 3_600_000
    # parse_qs already URL-decoded the sign once, as DingTalk's server does.
    return fresh and hmac.compare_digest(request.query["sign"][0], expected)


def test_dingtalk_signed_markdown(http_server, monkeypatch):
    def handler(request):
        if request.query.get("access_token") != [TOKEN] or not verify_dingtalk(request):
            return 200, {}, json.dumps({"errcode": 310000, "errmsg": "sign not match"})
        return 200, {}, json.dumps({"errcode": 0, "errmsg": "ok"})

    server = http_server(handler)
    monkeypatch.setenv("NEWSBOT_DING_URL", f"{server.url}/robot/send?access_token={TOKEN}")
    monkeypatch.setenv("NEWSBOT_DING_SECRET", DING_SECRET)
    report = sample_report()
    result = push_report(settings({"ding": {"type": "dingtalk"}}), report, {})

    assert result.ok, result.as_dict()
    [request] = server.requests
    assert request.headers["Content-Type"].startswith("application/json")
    payload = request.json()
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == "AI每日动态 - 2026-02-04"
    text = payload["markdown"]["text"]
    for entry in report["domestic"] + report["international"]:
        # Brackets in a title are neutralised so they cannot end the link early.
        assert entry["url"] in text
        assert entry["summary"] in text
    assert "国内动态" in text and "国际动态" in text and "今日总结" in text
    assert "Financial Times Tech（连续 2 次运行被拦截）" in text
    # The body is UTF-8, not \u escapes: DingTalk's 20000-byte limit counts bytes.
    assert "英伟达".encode() in request.body


def test_dingtalk_wrong_secret_is_a_counted_failure_without_retry(http_server, monkeypatch, caplog):
    def handler(request):
        if not verify_dingtalk(request):
            return 200, {}, json.dumps({"errcode": 310000, "errmsg": "sign not match"})
        return 200, {}, json.dumps({"errcode": 0, "errmsg": "ok"})

    server = http_server(handler)
    monkeypatch.setenv("NEWSBOT_DING_URL", f"{server.url}/robot/send?access_token={TOKEN}")
    monkeypatch.setenv("NEWSBOT_DING_SECRET", "SECwrong-secret-value")
    collector = stats()
    with caplog.at_level(logging.DEBUG):
        result = push_report(settings({"ding": {"type": "dingtalk"}}), sample_report(), {}, collector)

    assert not result.ok and result.failed == 1
    assert len(server.requests) == 1, "a signature error is permanent: no retry"
    assert "310000" in result.channels[0].errors[0]
    assert collector.get_value("newsbot/push/report/failed") == 1
    assert collector.get_value("newsbot/push/report/ding/failed") == 1
    logs = caplog.text
    assert TOKEN not in logs and "SECwrong-secret-value" not in logs
    assert f"127.0.0.1:{server.port}/***" in logs


def test_feishu_signed_card(http_server, monkeypatch):
    def handler(request):
        body = request.json()
        key = f"{body['timestamp']}\n{FEISHU_SECRET}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        if body.get("sign") != expected:
            return 200, {}, json.dumps({"code": 19021, "msg": "sign match fail"})
        return 200, {}, json.dumps({"code": 0, "msg": "success", "data": {}})

    server = http_server(handler)
    monkeypatch.setenv("NEWSBOT_LARK_URL", f"{server.url}/open-apis/bot/v2/hook/{TOKEN}")
    monkeypatch.setenv("NEWSBOT_LARK_SECRET", FEISHU_SECRET)
    result = push_report(settings({"lark": {"type": "feishu"}}), sample_report(), {})

    assert result.ok, result.as_dict()
    body = server.requests[0].json()
    assert body["msg_type"] == "interactive"
    assert body["card"]["header"]["title"]["content"] == "AI每日动态 - 2026-02-04"
    [element] = body["card"]["elements"]
    assert element["tag"] == "markdown"
    assert (
        "[domestic story 1: Nvidia nears $20bn OpenAI deal ［exclusive］](https://example.com/domestic/1?id=1)"
        in (element["content"])
    )


def test_feishu_api_error_in_a_200_answer_is_a_failure(http_server, monkeypatch):
    server = http_server(ok_json({"code": 19024, "msg": "Key Words Not Found"}))
    monkeypatch.setenv("NEWSBOT_F_URL", f"{server.url}/hook/{TOKEN}")
    result = push_report(settings({"f": {"type": "feishu"}}), sample_report(), {})
    assert not result.ok
    assert "19024" in result.channels[0].errors[0]


def test_slack_blocks(http_server, monkeypatch):
    server = http_server(lambda request: (200, {"Content-Type": "text/plain"}, "ok"))
    monkeypatch.setenv("NEWSBOT_SLACK_URL", f"{server.url}/services/T000/B000/{TOKEN}")
    report = sample_report()
    report["domestic"][0]["title"] = "A <script> & <b>bold</b> title"
    result = push_report(settings({"slack": {}}), report, {})

    assert result.ok, result.as_dict()
    body = server.requests[0].json()
    assert body["text"] == "AI每日动态 - 2026-02-04"
    blocks = body["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "AI每日动态 - 2026-02-04"}}
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert "*国内动态*" in sections
    first = next(s for s in sections if "domestic/1" in s)
    assert first.startswith("*1.* 📌 <https://example.com/domestic/1?id=1|A &lt;script&gt; &amp; &lt;b&gt;bold")
    assert len(blocks) <= 50 and all(len(s) <= 3000 for s in sections)


def test_wecom_markdown(http_server, monkeypatch):
    server = http_server(ok_json({"errcode": 0, "errmsg": "ok"}))
    monkeypatch.setenv("NEWSBOT_WECOM_URL", f"{server.url}/cgi-bin/webhook/send?key={TOKEN}")
    result = push_report(settings({"wecom": {"type": "wecom"}}), sample_report(), {})
    assert result.ok, result.as_dict()
    body = server.requests[0].json()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["content"].startswith("### AI每日动态 - 2026-02-04\n\n从 172 条原始信息中精选")


def test_weekly_push_is_titled_as_a_week_with_its_own_summary_heading(http_server, monkeypatch):
    from datetime import datetime

    from newsbot.archive.weekly import WeekReport, push_week

    daily = sample_report()
    week = WeekReport(
        week="2026-W06", start="2026-02-02", end="2026-02-08", generated_at=datetime(2026, 2, 8, 20, 0),
        days=["2026-02-04"], raw_count=172, domestic=daily["domestic"], international=daily["international"],
        counts={}, summary="本周共 3 天、5 个事件。重点关注：英伟达投资OpenAI。",
    )  # fmt: skip
    wecom = http_server(ok_json({"errcode": 0, "errmsg": "ok"}))
    monkeypatch.setenv("NEWSBOT_WECOM_URL", f"{wecom.url}/cgi-bin/webhook/send?key={TOKEN}")
    assert push_week(settings({"wecom": {"type": "wecom"}}), week, [])
    content = wecom.requests[0].json()["markdown"]["content"]
    assert content.startswith("### AI每周动态 - 2026-W06")
    assert "本周总结" in content and "今日总结" not in content
    assert "重点关注：英伟达投资OpenAI" in content


def test_generic_json_with_secret_header(http_server, monkeypatch):
    server = http_server(lambda request: (204, {}, b""))
    monkeypatch.setenv("NEWSBOT_ARCHIVE_URL", f"{server.url}/ingest")
    monkeypatch.setenv("ARCHIVE_TOKEN", "Bearer s3cr3t-archive-token")
    report = sample_report()
    channels = {"archive": {"type": "json", "headers_env": {"Authorization": "ARCHIVE_TOKEN"}}}
    result = push_report(settings(channels), report, {})

    assert result.ok, result.as_dict()
    request = server.requests[0]
    assert request.headers["Authorization"] == "Bearer s3cr3t-archive-token"
    body = request.json()
    assert body["type"] == "newsbot.report" and body["part"] == 1 and body["parts"] == 1
    assert body["report"] == report


# -- splitting --------------------------------------------------------------------------------------
def entry_marker(entry: dict) -> str:
    return entry["url"]


@pytest.mark.parametrize(
    ("kind", "limit_of"),
    [
        ("dingtalk", lambda body: len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())),
        ("feishu", lambda body: len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())),
        ("wecom", lambda body: len(body["markdown"]["content"].encode())),
    ],
)
def test_big_report_is_split_into_numbered_parts_without_cutting_an_entry(http_server, monkeypatch, kind, limit_of):
    answer = {"feishu": {"code": 0, "msg": "success"}}.get(kind, {"errcode": 0, "errmsg": "ok"})
    server = http_server(ok_json(answer))
    monkeypatch.setenv("NEWSBOT_BIG_URL", f"{server.url}/hook?key={TOKEN}")
    report = sample_report(40, 40, summary_chars=160)
    result = push_report(settings({"big": {"type": kind}}), report, {})

    assert result.ok, result.as_dict()
    parts = [r.json() for r in server.requests]
    total = len(parts)
    assert total > 1
    limit = {"dingtalk": 20_000, "feishu": 20_000, "wecom": 4096}[kind]
    texts = []
    for i, body in enumerate(parts, 1):
        assert limit_of(body) <= limit
        if kind == "dingtalk":
            assert body["markdown"]["title"].endswith(f"({i}/{total})")
            texts.append(body["markdown"]["text"])
        elif kind == "feishu":
            assert body["card"]["header"]["title"]["content"].endswith(f"({i}/{total})")
            texts.append(body["card"]["elements"][0]["content"])
        else:
            assert body["markdown"]["content"].startswith(f"### AI每日动态 - 2026-02-04 ({i}/{total})")
            texts.append(body["markdown"]["content"])
    for entry in report["domestic"] + report["international"]:
        holders = [t for t in texts if entry_marker(entry) in t]
        assert len(holders) == 1, f"{entry['url']} is in {len(holders)} parts"
        # The whole entry is in that part: its summary, its source line and its "also reported by".
        assert entry["summary"] in holders[0]
        assert f"({entry['also_reported_by'][0]['url']})" in holders[0]
    # Parts are in order, and one that starts mid-region repeats the region heading.
    joined = "".join(texts)
    assert joined.index("domestic/40?") < joined.index("international/1?")
    assert any("国内动态（续）" in t or "国际动态（续）" in t for t in texts[1:])
    assert "今日总结" in texts[-1]


def test_slack_split_respects_block_count(http_server, monkeypatch):
    server = http_server(lambda request: (200, {}, "ok"))
    monkeypatch.setenv("NEWSBOT_S_URL", f"{server.url}/services/x/y/{TOKEN}")
    report = sample_report(60, 30, summary_chars=60)
    result = push_report(settings({"s": {"type": "slack"}}), report, {})
    assert result.ok
    bodies = [r.json() for r in server.requests]
    assert len(bodies) > 1
    seen = []
    for i, body in enumerate(bodies, 1):
        assert body["text"].endswith(f"({i}/{len(bodies)})")
        assert len(body["blocks"]) <= 50
        seen += [
            b["text"]["text"] for b in body["blocks"] if b["type"] == "section" and "example.com" in b["text"]["text"]
        ]
    assert len(seen) == 90


def test_generic_json_split_keeps_whole_entries(http_server, monkeypatch):
    server = http_server(lambda request: (200, {}, "{}"))
    monkeypatch.setenv("NEWSBOT_J_URL", f"{server.url}/in")
    report = sample_report(20, 20)
    result = push_report(settings({"j": {"type": "json", "max_bytes": 8000}}), report, {})
    assert result.ok
    bodies = [r.json() for r in server.requests]
    assert len(bodies) > 1 and all(len(r.body) <= 8000 for r in server.requests)
    assert bodies[0]["report"]["overview"] == report["overview"]
    assert [e for b in bodies for e in b["report"]["domestic"]] == report["domestic"]
    assert [e for b in bodies for e in b["report"]["international"]] == report["international"]


# -- retries and failures ---------------------------------------------------------------------------
def test_500_then_200_is_delivered_after_one_retry(http_server, monkeypatch):
    answers = iter([(500, {}, "upstream broke"), (200, {}, json.dumps({"errcode": 0, "errmsg": "ok"}))])
    server = http_server(lambda request: next(answers))
    monkeypatch.setenv("NEWSBOT_W_URL", f"{server.url}/send?key={TOKEN}")
    collector = stats()
    result = push_report(settings({"w": {"type": "wecom"}}), sample_report(), {}, collector)

    assert result.ok, result.as_dict()
    assert len(server.requests) == 2
    assert server.requests[0].body == server.requests[1].body
    assert result.channels[0].retries == 1
    assert collector.get_value("newsbot/push/report/retries") == 1
    assert collector.get_value("newsbot/push/report/w/ok") == 1
    assert collector.get_value("newsbot/push/report/failed") is None


def test_rate_limit_answers_are_retried(http_server, monkeypatch):
    answers = iter(
        [
            (429, {"Retry-After": "0"}, "slow down"),
            (200, {}, json.dumps({"errcode": 130101, "errmsg": "send too fast"})),
            (200, {}, json.dumps({"errcode": 0, "errmsg": "ok"})),
        ]
    )
    server = http_server(lambda request: next(answers))
    monkeypatch.setenv("NEWSBOT_D_URL", f"{server.url}/robot/send?access_token={TOKEN}")
    result = push_report(settings({"d": {"type": "dingtalk"}}), sample_report(), {})
    assert result.ok and result.channels[0].retries == 2 and len(server.requests) == 3


def test_persistent_failure_is_logged_counted_and_never_raises(http_server, monkeypatch, caplog):
    server = http_server(lambda request: (503, {}, f"no {request.path}"))
    monkeypatch.setenv("NEWSBOT_DOWN_URL", f"{server.url}/services/T1/B2/{TOKEN}")
    monkeypatch.setenv("NEWSBOT_GONE_URL", "http://127.0.0.1:9/never-listening")
    collector = stats()
    with caplog.at_level(logging.INFO):
        result = push_report(
            settings({"down": {"type": "slack"}, "gone": {"type": "json"}}, NEWSBOT_PUSH_RETRIES=2),
            sample_report(),
            {},
            collector,
        )

    assert result.failed == 2 and result.sent == 0
    assert len(server.requests) == 3  # one attempt and two retries
    assert collector.get_value("newsbot/push/report/failed") == 2
    assert TOKEN not in caplog.text, "the webhook token reached the log"
    assert "after 3 attempt(s)" in caplog.text


def test_misconfigured_channels_do_not_stop_the_others(http_server, monkeypatch):
    server = http_server(ok_json({"errcode": 0, "errmsg": "ok"}))
    monkeypatch.setenv("NEWSBOT_GOOD_URL", f"{server.url}/send?key={TOKEN}")
    monkeypatch.delenv("NEWSBOT_UNSET_URL", raising=False)
    channels = {"good": {"type": "wecom"}, "unset": {"type": "dingtalk"}, "odd": {"type": "carrier-pigeon"}}
    result = push_report(settings(channels), sample_report(), {})

    by_name = {c.name: c for c in result.channels}
    assert by_name["good"].ok
    assert "NEWSBOT_UNSET_URL is not set" in by_name["unset"].errors[0]
    assert "unknown type 'carrier-pigeon'" in by_name["odd"].errors[0]
    assert len(server.requests) == 1


def test_push_disabled_sends_nothing(http_server, monkeypatch):
    server = http_server(ok_json({"errcode": 0}))
    monkeypatch.setenv("NEWSBOT_GOOD_URL", f"{server.url}/send")
    result = push_report(settings({"good": {"type": "wecom"}}, NEWSBOT_PUSH_ENABLED=False), sample_report(), {})
    assert result.channels == [] and server.requests == []


def test_alert_goes_to_channels_that_take_alerts(http_server, monkeypatch):
    server = http_server(ok_json({"errcode": 0, "errmsg": "ok"}))
    monkeypatch.setenv("NEWSBOT_OPS_URL", f"{server.url}/ops?key={TOKEN}")
    monkeypatch.setenv("NEWSBOT_READERS_URL", f"{server.url}/readers?key={TOKEN}")
    channels = {"ops": {"type": "wecom"}, "readers": {"type": "wecom", "alerts": False}}
    text = "newsbot：1 个来源异常（2026-02-04）\n- 36氪（36kr）：连续 2 次运行被拦截"
    result = push_alert(settings(channels), text)
    assert result.ok and [c.name for c in result.channels] == ["ops"]
    [request] = server.requests
    assert request.path == "/ops"
    content = request.json()["markdown"]["content"]
    assert content.startswith("### newsbot 告警") and "36氪（36kr）：连续 2 次运行被拦截" in content


def test_dingtalk_sign_matches_the_documented_algorithm():
    """The worked example from DingTalk's docs, recomputed independently with quote_plus."""
    from newsbot.delivery.channels.dingtalk import dingtalk_sign

    timestamp, sign = dingtalk_sign("this is secret", 1577262236757)
    digest = hmac.new(b"this is secret", b"1577262236757\nthis is secret", hashlib.sha256).digest()
    assert timestamp == "1577262236757"
    assert unquote_plus(sign) == base64.b64encode(digest).decode()
    assert "+" not in sign and "/" not in sign and "=" not in sign


@pytest.mark.slow  # a real `scrapy crawl` process
def test_push_inside_a_crawl_never_fails_it(http_server, scrapy_runner):
    """push_report from spider_closed on the asyncio reactor (on a worker thread, as the report
    extension does): retried, counted in the crawl's stats, and a channel that stays down does not
    change the crawl's outcome."""
    answers = iter([(500, {}, "boom"), (200, {}, json.dumps({"errcode": 0, "errmsg": "ok"}))])
    good = http_server(lambda request: next(answers))
    down = http_server(lambda request: (502, {}, "bad gateway"))
    env = {"NEWSBOT_UP_URL": f"{good.url}/send?key={TOKEN}", "NEWSBOT_DOWN_URL": f"{down.url}/hook/{TOKEN}"}
    channels = {"up": {"type": "wecom"}, "down": {"type": "feishu"}}
    done = scrapy_runner(
        "crawl",
        "nvidia",
        env_extra=env,
        NEWSBOT_SNAPSHOT=str(SNAPSHOT_DAY),
        NEWSBOT_DATE="2026-02-04",
        NEWSBOT_ANALYZER="heuristic",
        NEWSBOT_REPORT_ON_CLOSE="False",
        NEWSBOT_CHANNELS=json.dumps(channels),
        NEWSBOT_PUSH_BACKOFF="0.01",
        NEWSBOT_PUSH_RETRIES="1",
        EXTENSIONS=json.dumps({"tests.ops.pushext.PushOnClose": 100}),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stderr.splitlines() if "PUSH RESULT" in x)
    result = json.loads(line.split("PUSH RESULT ", 1)[1])
    assert result["channels"]["up"]["sent"] == 1 and result["channels"]["up"]["retries"] == 1
    assert result["channels"]["down"]["errors"] and result["failed"] == 1
    assert len(down.requests) == 2
    assert "'newsbot/push/report/failed': 1" in done.stderr
    assert "'finish_reason': 'finished'" in done.stderr
    assert TOKEN not in done.stderr


def test_a_dead_endpoint_costs_one_backoff_sequence_not_one_per_part(http_server, monkeypatch):
    server = http_server(lambda request: (503, {}, "down"))
    monkeypatch.setenv("NEWSBOT_W_URL", f"{server.url}/send?key={TOKEN}")
    result = push_report(settings({"w": {"type": "wecom"}}, NEWSBOT_PUSH_RETRIES=2), sample_report(20, 20), {})
    [channel] = result.channels
    assert channel.parts > 2 and channel.sent == 0 and len(channel.errors) == channel.parts
    # Part 1: the first attempt and two retries; every later part: one attempt.
    assert len(server.requests) == 3 + (channel.parts - 1)
