"""Slack incoming webhook: at most 50 blocks and 3000 characters per section; long block messages
are refused well before the 40000-character text limit (msg_blocks_too_long), so 12000 in total."""

from __future__ import annotations

from newsbot.delivery import messages as m
from newsbot.delivery.channels.base import Outcome
from newsbot.delivery.channels.webhook import WebhookChannel


class SlackChannel(WebhookChannel):
    """Slack incoming webhook: a header block, then one mrkdwn section per entry."""

    type = "slack"
    max_blocks = 50
    max_section = 3000
    default_limit = 12_000  # characters of block text per message

    def section(self, text: str) -> dict:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text}}

    def slack_link(self, text: str, url: str) -> str:
        url = str(url or "").strip().replace("|", "%7C").replace(">", "%3E")
        return f"<{url}|{text}>" if url else text

    def blocks(self, report: dict | None, part: m.Part, previous: str | None) -> tuple[str, list[dict]]:
        head = (m.title(report) if report is not None else m.ALERT_TITLE) + part.label
        blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": head[:150]}}]
        if report is not None and part.index == 1:
            blocks.append(
                {"type": "context", "elements": [{"type": "mrkdwn", "text": m.slack_escape(m.header_line(report))}]}
            )
        for heading, block in m.sections_with_headings(part, previous):
            if heading:
                blocks.append(self.section(f"*{m.slack_escape(heading)}*"))
            if block.entry is not None:
                lines = m.entry_lines(block.entry, self.slack_link, m.slack_escape, rank_format="*{}.*")
                blocks.append(self.section("\n".join(lines)))
            else:
                blocks.append(self.section(m.slack_escape(block.text)))
        return head, blocks

    def report_payload(self, report, part, previous):
        head, blocks = self.blocks(report, part, previous)
        return {"text": head, "blocks": blocks}

    def alert_payload(self, part, previous):
        head, blocks = self.blocks(None, part, previous)
        lines = [b["text"]["text"] for b in blocks if b["type"] == "section"]
        return {"text": f"{head}: " + " ".join(lines)[:2000], "blocks": blocks}

    def fits(self, payload):
        blocks = payload["blocks"]
        texts = [b["text"]["text"] for b in blocks if "text" in b] + [
            e["text"] for b in blocks for e in b.get("elements", [])
        ]
        sections_ok = all(len(b["text"]["text"]) <= self.max_section for b in blocks if b["type"] == "section")
        return len(blocks) <= self.max_blocks and sections_ok and sum(map(len, texts)) <= self.limit

    def check_body(self, response):
        # Slack answers a plain "ok"; errors come as 4xx with a short code such as invalid_payload.
        if response.text.strip() == "ok":
            return Outcome(True)
        return Outcome(False, False, f"Slack answered {response.text[:200]!r}")
