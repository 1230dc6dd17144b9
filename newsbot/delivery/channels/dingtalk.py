"""DingTalk custom robot (钉钉自定义机器人): markdown messages, "加签" signing when a secret is configured.
The request body must stay within 20000 bytes (errcode 460101 otherwise); 20 messages a minute."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus, urlsplit, urlunsplit

from newsbot.delivery import messages as m
from newsbot.delivery.channels.webhook import Dialect, WebhookChannel, markdown_part


class DingTalkChannel(WebhookChannel):
    """Custom robot, markdown messages; "加签" signing when a secret is configured."""

    type = "dingtalk"
    signs = True
    default_limit = 20_000
    dialect = Dialect(title="### {}", heading="#### {}", rank="**{}.**", line="\n\n", gap="\n\n")
    platform = "DingTalk"
    code_keys = ("errcode",)
    # 130101: sending too fast; -1: system busy. Anything else (bad keyword, signature, IP) is permanent.
    retry_codes = frozenset({130101, -1})

    def report_payload(self, report, part, previous):
        text = markdown_part(report, part, previous, self.dialect, titled=True)
        return {"msgtype": "markdown", "markdown": {"title": m.title(report) + part.label, "text": text}}

    def alert_payload(self, part, previous):
        text = markdown_part(None, part, previous, self.dialect, titled=True)
        return {"msgtype": "markdown", "markdown": {"title": m.ALERT_TITLE + part.label, "text": text}}

    def request_url(self) -> str:
        if not self.secret:
            return self.url
        # A fresh signature per attempt: DingTalk rejects timestamps more than an hour old.
        timestamp, sign = dingtalk_sign(self.secret)
        parts = urlsplit(self.url)
        query = f"{parts.query}&" if parts.query else ""
        query += f"timestamp={timestamp}&sign={sign}"
        return urlunsplit(parts._replace(query=query))


def dingtalk_sign(secret: str, timestamp_ms: int | None = None) -> tuple[str, str]:
    """DingTalk's signature: HmacSHA256(key=secret, "timestamp\\nsecret"), Base64, then URL-encoded."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return timestamp, quote_plus(base64.b64encode(digest).decode())
