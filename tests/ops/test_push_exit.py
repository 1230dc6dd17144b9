"""`scrapy report --push` tells the truth in its exit status: a push that reached no channel, or had
no channel to go to, exits 1 with one line; a known provider refusal comes with a hint."""

from __future__ import annotations

import json

import pytest

from newsbot.delivery.hints import provider_hint


def report_push(scrapy_runner, channels: dict | None, env: dict | None = None):
    settings = {"NEWSBOT_PUSH_RETRIES": "0", "NEWSBOT_ANALYZER": "heuristic"}
    if channels is not None:
        settings["NEWSBOT_CHANNELS"] = json.dumps(channels)
    return scrapy_runner(
        "report", "--date", "2026-02-04", "--allow-empty", "--push", env_extra=env, timeout=120, **settings
    )


@pytest.mark.slow  # a real `scrapy report` process
def test_push_with_no_channel_exits_1_before_rendering(scrapy_runner, tmp_path):
    done = report_push(scrapy_runner, None)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "newsbot: error: --push: no channel is configured; set NEWSBOT_CHANNELS (docs/operations.md)"
    ]
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow  # a real `scrapy report` process
def test_push_delivered_nowhere_exits_1_with_the_providers_hint(scrapy_runner, http_server):
    robot = http_server(lambda r: (200, {}, json.dumps({"errcode": 310000, "errmsg": "sign not match, more: [..]"})))
    env = {"NEWSBOT_DING_URL": f"{robot.url}/robot/send?access_token=t0k3n", "NEWSBOT_DING_SECRET": "SECwrong"}
    done = report_push(scrapy_runner, {"ding": {"type": "dingtalk"}}, env)
    assert done.returncode == 1
    [line] = [x for x in done.stderr.splitlines() if x.startswith("newsbot: error: ")]
    assert line.startswith("newsbot: error: the report was delivered to no channel (ding: message: DingTalk answered")
    assert "(hint: check NEWSBOT_DING_SECRET: it must be the robot's 加签 secret (SEC...))" in line
    assert "t0k3n" not in done.stderr and "SECwrong" not in done.stderr


@pytest.mark.slow  # a real `scrapy report` process
def test_push_that_reached_one_of_two_channels_names_the_other(scrapy_runner, http_server):
    good = http_server(lambda r: (200, {}, json.dumps({"errcode": 0, "errmsg": "ok"})))
    bad = http_server(lambda r: (200, {}, json.dumps({"errcode": 93000, "errmsg": "invalid webhook url"})))
    env = {"NEWSBOT_A_URL": f"{good.url}/send?key=k1", "NEWSBOT_B_URL": f"{bad.url}/send?key=k2"}
    done = report_push(scrapy_runner, {"a": {"type": "wecom"}, "b": {"type": "wecom"}}, env)
    assert done.returncode == 1
    [line] = [x for x in done.stderr.splitlines() if x.startswith("newsbot: error: ")]
    assert line.startswith("newsbot: error: the report was delivered not to b (b: ")
    assert "hint: check NEWSBOT_B_URL" in line
    assert good.requests


@pytest.mark.slow  # a real `scrapy report` process
def test_push_that_reached_every_channel_exits_0(scrapy_runner, http_server):
    good = http_server(lambda r: (200, {}, json.dumps({"errcode": 0, "errmsg": "ok"})))
    done = report_push(scrapy_runner, {"a": {"type": "wecom"}}, {"NEWSBOT_A_URL": f"{good.url}/send?key=k1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(good.requests) >= 1


@pytest.mark.parametrize(
    ("ctype", "config", "message", "expected"),
    [
        ("dingtalk", {}, "DingTalk answered {'errcode': 310000, 'errmsg': 'sign not match'}", "check NEWSBOT_X_SECRET"),
        ("dingtalk", {}, "DingTalk answered {'errcode': 310000, 'errmsg': 'keywords not in content'}", "AI每日动态"),
        (
            "feishu",
            {"secret_env": "FS_SECRET"},
            "Feishu answered {'code': 19021, 'msg': 'sign match fail'}",
            "FS_SECRET",
        ),
        ("slack", {"url_env": "HOOK"}, "Slack answered 'no_service'", "check HOOK"),
        ("email", {}, "SMTPAuthenticationError: (535, b'bad')", "NEWSBOT_X_USERNAME and NEWSBOT_X_PASSWORD"),
        ("wecom", {}, "HTTP 503 'busy'", None),
    ],
)
def test_provider_hints(ctype, config, message, expected):
    hint = provider_hint(ctype, "x", config, message)
    assert (hint is None) if expected is None else (expected in hint)
