"""A generic JSON POST of the report itself, for your own endpoint."""

from __future__ import annotations

from newsbot.delivery import messages as m
from newsbot.delivery.channels.base import Policy
from newsbot.delivery.channels.webhook import WebhookChannel
from newsbot.delivery.secrets import from_env, secret_fragments


class JsonChannel(WebhookChannel):
    """Generic JSON POST: the report JSON itself, split by entries when it exceeds max_bytes."""

    type = "json"
    default_limit = 1_000_000

    def __init__(self, name: str, config: dict, policy: Policy):
        super().__init__(name, config, policy)
        # {"Authorization": "ENV_VAR"}: header values are secrets too.
        self.secret_headers = {
            header: from_env(var, what=f"{self.describe()} header {header}")
            for header, var in (config.get("headers_env") or {}).items()
        }
        self.fragments = secret_fragments(self.url, *self.secret_headers.values())

    def headers(self) -> dict[str, str]:
        return self.secret_headers

    def report_payload(self, report, part, previous):
        body = {k: v for k, v in report.items() if k not in ("domestic", "international")}
        if part.index != 1:
            body.pop("stats", None)
            body.pop("overview", None)
        for region in ("domestic", "international"):
            body[region] = [b.entry for b in part.blocks if b.section == region and b.entry is not None]
        return {"type": "newsbot.report", "part": part.index, "parts": part.total, "report": body}

    def report_messages(self, report, files):
        # Entries only: the overview and stats ride in part 1, whole.
        blocks = [b for b in m.report_blocks(report) if b.entry is not None]
        parts = m.pack(blocks, lambda part, prev: self.fits(self.report_payload(report, part, prev)))
        return [self.report_payload(report, p, None) for p in parts]

    def alert_payload(self, part, previous):
        return {
            "type": "newsbot.alert",
            "part": part.index,
            "parts": part.total,
            "text": "\n".join(b.text for b in part.blocks),
        }
