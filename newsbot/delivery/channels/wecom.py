"""WeCom group robot (企业微信群机器人): markdown messages of at most 4096 bytes of UTF-8 content."""

from __future__ import annotations

from newsbot.delivery.channels.webhook import Dialect, WebhookChannel, markdown_part


class WeComChannel(WebhookChannel):
    """WeCom (企业微信) group robot, markdown messages."""

    type = "wecom"
    default_limit = 4096
    dialect = Dialect(title="### {}", heading="**{}**", rank="**{}.**", line="\n", gap="\n\n")
    platform = "WeCom"
    code_keys = ("errcode",)
    # 45009: API frequency limit; -1: system busy.
    retry_codes = frozenset({45009, -1})

    def report_payload(self, report, part, previous):
        text = markdown_part(report, part, previous, self.dialect, titled=True)
        return {"msgtype": "markdown", "markdown": {"content": text}}

    def alert_payload(self, part, previous):
        return {
            "msgtype": "markdown",
            "markdown": {"content": markdown_part(None, part, previous, self.dialect, titled=True)},
        }

    def fits(self, payload):
        # The limit is on the markdown content itself, in UTF-8 bytes.
        return len(payload["markdown"]["content"].encode("utf-8")) <= self.limit
