"""Feishu / Lark custom bot (飞书自定义机器人): an interactive card with a markdown element, optional
signing. The request body must stay within 20 KB (cards are refused past 30 KB, code 19036)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from newsbot.delivery import messages as m
from newsbot.delivery.channels.webhook import Dialect, WebhookChannel, json_body, markdown_part


def feishu_sign(secret: str, timestamp_s: int | None = None) -> tuple[str, str]:
    """Feishu's signature: HmacSHA256 keyed with "timestamp\\nsecret" over an empty message, Base64."""
    timestamp = str(timestamp_s if timestamp_s is not None else int(time.time()))
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return timestamp, base64.b64encode(digest).decode()


class FeishuChannel(WebhookChannel):
    """Feishu/Lark custom bot: an interactive card with a markdown element; optional signing."""

    type = "feishu"
    signs = True
    default_limit = 20_000
    dialect = Dialect(title="**{}**", heading="**{}**", rank="**{}.**", line="\n", gap="\n\n")
    platform = "Feishu"
    code_keys = ("code", "StatusCode")
    # 9499 and 11232: frequency limited.
    retry_codes = frozenset({9499, 11232})

    def card(self, heading: str, text: str, template: str) -> dict:
        return {
            "msg_type": "interactive",
            "card": {
                "config": {"wide_screen_mode": True},
                "header": {"title": {"tag": "plain_text", "content": heading}, "template": template},
                "elements": [{"tag": "markdown", "content": text}],
            },
        }

    def report_payload(self, report, part, previous):
        text = markdown_part(report, part, previous, self.dialect, titled=False)
        return self.card(m.title(report) + part.label, text, "blue")

    def alert_payload(self, part, previous):
        text = markdown_part(None, part, previous, self.dialect, titled=False)
        return self.card(m.ALERT_TITLE + part.label, text, "red")

    def signed(self, payload: dict) -> dict:
        if not self.secret:
            return payload
        timestamp, sign = feishu_sign(self.secret)
        return {"timestamp": timestamp, "sign": sign, **payload}

    def body(self, payload):
        return json_body(self.signed(payload))
