"""What to check when a provider refuses a push for a known reason: the raw answer ("sign not
match", errcode 310000) is correct but says nothing about which of our settings is wrong.

    hint = provider_hint("dingtalk", "ding", config, "DingTalk answered {'errcode': 310000, ...}")
"""

from __future__ import annotations

import re

from newsbot.delivery.secrets import env_name

# (channel types, pattern in the error text, hint template). {url}, {secret}, {username} and
# {password} are the environment variables the channel reads.
HINTS: list[tuple[tuple[str, ...], re.Pattern, str]] = [
    (
        ("dingtalk",),
        re.compile(r"sign not match|签名不匹配", re.I),
        "check {secret}: it must be the robot's 加签 secret (SEC...)",
    ),
    (
        ("dingtalk",),
        re.compile(r"keywords? not in content|关键词", re.I),
        "the robot's 自定义关键词 must include 'AI每日动态'",
    ),
    (
        ("dingtalk", "feishu", "lark"),
        re.compile(r"not in whitelist|ip not allowed|19022", re.I),
        "allow this machine's IP in the robot's security settings",
    ),
    (
        ("dingtalk",),
        re.compile(r"token is not exist|300001|400013", re.I),
        "check {url}: the access_token is wrong or the robot was removed",
    ),
    (
        ("feishu", "lark"),
        re.compile(r"sign match fail|19021", re.I),
        "check {secret}: it must be the bot's signature secret, and the clock must be right",
    ),
    (
        ("feishu", "lark"),
        re.compile(r"key ?words? not found|19024", re.I),
        "the bot's keyword must appear in the message, e.g. 'AI每日动态'",
    ),
    (
        ("feishu", "lark"),
        re.compile(r"token invalid|bot not exist|19001", re.I),
        "check {url}: the webhook is wrong or the bot was removed",
    ),
    (
        ("wecom",),
        re.compile(r"93000|invalid webhook url", re.I),
        "check {url}: the webhook key is wrong or the robot was removed",
    ),
    (
        ("slack",),
        re.compile(r"invalid_token|no_service|no_team|channel_not_found|channel_is_archived|HTTP 40[34]"),
        "check {url}: the incoming webhook was revoked or its channel is gone",
    ),
    (("email",), re.compile(r"SMTPAuthenticationError|\b535\b"), "check {username} and {password}"),
    (
        ("email",),
        re.compile(r"SSLCertVerificationError"),
        'the server\'s certificate is not trusted; set "cafile" for a private CA',
    ),
    (("json",), re.compile(r"HTTP 40[13]"), "check the endpoint's credentials in the headers_env variables"),
]


def provider_hint(ctype: str, name: str, config: dict, message: str) -> str | None:
    """One short hint for a known refusal, naming the setting or variable to check; None otherwise."""
    names = {
        "url": config.get("url_env") or env_name(name, "URL"),
        "secret": config.get("secret_env") or env_name(name, "SECRET"),
        "username": config.get("username_env") or env_name(name, "USERNAME"),
        "password": config.get("password_env") or env_name(name, "PASSWORD"),
    }
    for types, pattern, template in HINTS:
        if ctype in types and pattern.search(message):
            return template.format(**names)
    return None
