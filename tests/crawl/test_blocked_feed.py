"""A captcha or anti-bot page served in place of a feed is a blocked source, whoever made the page:
the detector recognises the kind of page, the crawl counts it, `scrapy sources` shows it and the
report names the source among the missing ones."""

from __future__ import annotations

import json

import pytest

from newsbot.parsers.challenge import looks_like_challenge
from newsbot.parsers.feeds import read_feed
from tests.shared import realdays_file

# Bot walls of different makers, written here in the shape each kind takes (no real page copied).
CHALLENGES = {
    "recaptcha interstitial": """<html><head><title>Verify</title>
<script src="https://www.google.com/recaptcha/api.js" async defer></script></head>
<body><form method=post><div class="g-recaptcha" data-sitekey="x"></div></form></body></html>""",
    "hcaptcha widget": '<html><body><div class="h-captcha" data-sitekey="k"></div>'
    '<script src="https://js.hcaptcha.com/1/api.js"></script></body></html>',
    "slider captcha sdk": """<html><head></head><script src="https://cdn.example.net/sec/captcha/index.js"></script>
<script>window.SliderCaptcha.init({aid: 1, host: 'https://verify.example.net'});
window.SliderCaptcha.render({verify_data: '{"type":"verify","subtype":"slide"}'})</script></html>""",
    "geetest": "<html><body><div id=gt></div><script src='https://static.geetest.com/v4/gt4.js'></script>"
    "<script>initGeetest4({captchaId:'1'})</script></body></html>",
    "turnstile": '<html><body><div class="cf-turnstile" data-sitekey="0x"></div></body></html>',
    "cookie-setting reload": "<html><body><script>var t=compute();document.cookie='__tst_status='+t+';path=/';"
    "window.location.reload();</script></body></html>",
    "chinese captcha prompt": "<html><body><p>请输入验证码</p><img src='/code.png'></body></html>",
}

ARTICLE = "<p>" + "The company released a model that beats its rivals on coding benchmarks. " * 40 + "</p>"
NOT_CHALLENGES = {
    "article with a recaptcha comment form": f"<html><body><article>{ARTICLE}</article>"
    '<form><div class="g-recaptcha"></div></form><script src="https://www.google.com/recaptcha/api.js">'
    "</script></body></html>",
    "article about captchas": "<html><body><article><p>"
    + "研究人员发现，新一代多模态大模型已经可以破解常见的滑块验证码和图片验证码。" * 20
    + "</p></article></body></html>",
    "article that saves a cookie and links on": f"<html><body>{ARTICLE}<script>document.cookie='seen=1';"
    "function go(){location.href='/next'}</script></body></html>",
    "empty html page": "<html><body><p>Not found</p></body></html>",
}


@pytest.mark.parametrize("name", CHALLENGES)
def test_challenge_pages_of_any_maker_are_recognised(name):
    page = CHALLENGES[name]
    assert looks_like_challenge(page)
    assert read_feed(page.encode(), "text/html; charset=utf-8").status == "blocked"


@pytest.mark.parametrize("name", NOT_CHALLENGES)
def test_pages_with_text_of_their_own_are_not_challenges(name):
    assert not looks_like_challenge(NOT_CHALLENGES[name])


def test_a_real_captcha_served_for_a_feed_is_blocked(scrapy_runner, tmp_path):
    """The mixed day's 36kr newsflash feed is a real anti-bot captcha page: through a real crawl it is
    counted, `scrapy sources` shows the source blocked, and the report names it as missing."""
    mixed = realdays_file("mixed")
    out = tmp_path / "out"
    proc = scrapy_runner(
        "digest", "--snapshot", str(mixed), "--date", "2016-10-27", "--output-dir", str(out),
        NEWSBOT_SOURCES="36kr", NEWSBOT_ANALYZER="heuristic", NEWSBOT_WORKER_PROCESSES="1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "36kr: blocked: challenge page served instead of the feed at https://36kr.com/feed-newsflash" in proc.stderr
    report = json.loads((out / "2016-10-27.json").read_text(encoding="utf-8"))
    assert report["stats"]["sources"]["36kr"]["status"] == "blocked"
    assert report["stats"]["sources"]["36kr"]["blocked"] >= 1
    assert [m["source"] for m in report["stats"]["missing_sources"]] == ["36kr"]
    assert "⚠️ 本期缺失来源: 36氪（被拦截）" in (out / "2016-10-27.txt").read_text(encoding="utf-8")

    listed = scrapy_runner("sources", "--json", NEWSBOT_SOURCES="36kr")
    assert listed.returncode == 0, listed.stderr[-3000:]
    health = json.loads(listed.stdout)["36kr"]
    assert health["last_run"]["status"] == "blocked"
    assert health["last_run"]["blocked"] >= 1
    assert health["reason"].startswith("blocked")
    table = scrapy_runner("sources", NEWSBOT_SOURCES="36kr")
    row = next(line for line in table.stdout.splitlines() if line.startswith("36kr"))
    assert " blocked " in row
