"""Delivery channels: chat webhooks (DingTalk, Feishu/Lark, WeCom, Slack, generic JSON) and email.

Each channel turns the report JSON into its own payloads, split into numbered parts under its
size limit, and sends them one after another with retries. Limits, from the platforms' docs and
their error messages:
- DingTalk custom robot: request body within 20000 bytes (errcode 460101 otherwise); 20 messages/min.
- Feishu/Lark custom bot: request body within 20 KB (cards are refused past 30 KB, code 19036).
- WeCom group robot: markdown content at most 4096 bytes of UTF-8.
- Slack incoming webhook: at most 50 blocks, 3000 characters per section; long block messages are
  refused well before the 40000-character text limit (msg_blocks_too_long), so 12000 in total.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import json
import logging
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import quote_plus, urlsplit, urlunsplit

import httpx

from newsbot.delivery import messages as m
from newsbot.delivery.secrets import ChannelConfigError, env_name, from_env, mask_url, redact, secret_fragments

logger = logging.getLogger("newsbot.delivery")


@dataclass(frozen=True)
class Policy:
    retries: int = 3
    backoff: float = 2.0
    backoff_max: float = 60.0
    timeout: float = 20.0

    @classmethod
    def from_settings(cls, settings) -> Policy:
        return cls(
            retries=max(0, settings.getint("NEWSBOT_PUSH_RETRIES", 3)),
            backoff=max(0.0, settings.getfloat("NEWSBOT_PUSH_BACKOFF", 2.0)),
            backoff_max=max(0.0, settings.getfloat("NEWSBOT_PUSH_BACKOFF_MAX", 60.0)),
            timeout=settings.getfloat("NEWSBOT_PUSH_TIMEOUT", 20.0),
        )

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Exponential backoff for the n-th retry (1-based); a server's Retry-After wins, capped."""
        wait = self.backoff * 2 ** (retry - 1)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.backoff_max)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    retry: bool = False
    message: str = ""
    retry_after: float | None = None


@dataclass
class ChannelResult:
    name: str
    type: str
    kind: str = "report"  # report | alert
    parts: int = 0
    sent: int = 0
    attempts: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.sent == self.parts


class Channel:
    type = ""

    def __init__(self, name: str, config: dict, policy: Policy):
        self.name = name
        self.config = config
        self.policy = policy
        self.fragments: list[str] = []

    def describe(self) -> str:
        return f"{self.type} channel {self.name!r}"

    def report_messages(self, report: dict, files: dict) -> list:
        raise NotImplementedError

    def alert_messages(self, text: str) -> list:
        raise NotImplementedError

    async def send_one(self, message, client: httpx.AsyncClient) -> Outcome:
        raise NotImplementedError

    def safe(self, text: str) -> str:
        return redact(text, self.fragments)

    async def deliver(self, messages: list, client: httpx.AsyncClient, kind: str) -> ChannelResult:
        """Send every part in order; each is retried with backoff, then counted as failed. A failed
        part does not stop the later ones: readers get as much of the day as can be delivered. Once
        a part has failed for good, the later ones get a single attempt each, so a dead endpoint
        costs one backoff sequence, not one per part."""
        result = ChannelResult(self.name, self.type, kind=kind, parts=len(messages))
        retries = self.policy.retries
        for index, message in enumerate(messages, 1):
            retry = 0
            while True:
                result.attempts += 1
                try:
                    outcome = await self.send_one(message, client)
                except Exception as exc:  # a channel bug must not cost the other parts or channels
                    outcome = Outcome(False, retry=False, message=f"{type(exc).__name__}: {exc}")
                if outcome.ok:
                    result.sent += 1
                    break
                label = f"part {index}/{len(messages)}" if len(messages) > 1 else "message"
                reason = self.safe(outcome.message)[:300]
                if outcome.retry and retry < retries:
                    retry += 1
                    result.retries += 1
                    wait = self.policy.delay(retry, outcome.retry_after)
                    logger.warning(
                        "Push of %s %s to %s failed (%s); retry %d/%d in %.1fs",
                        kind,
                        label,
                        self.describe(),
                        reason,
                        retry,
                        retries,
                        wait,
                    )
                    await asyncio.sleep(wait)
                    continue
                attempts = f"after {retry + 1} attempt(s)" if outcome.retry else "(not retryable)"
                logger.error("Push of %s %s to %s failed %s: %s", kind, label, self.describe(), attempts, reason)
                result.errors.append(f"{label}: {reason}")
                retries = 0
                break
        return result


# -- chat webhooks ----------------------------------------------------------------------------------
def _json_body(payload: dict) -> bytes:
    # UTF-8, not \\u escapes: the platforms' limits count bytes, and escapes triple a Chinese text.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class Dialect:
    """How one platform's markdown writes a title, a heading, a link and a line break."""

    title: str = "### {}"
    heading: str = "**{}**"
    rank: str = "**{}.**"
    line: str = "\n"
    gap: str = "\n\n"

    def link(self, text: str, url: str) -> str:
        return f"[{text}]({m.md_url(url)})" if url else text


def markdown_part(report: dict | None, part: m.Part, previous: str | None, d: Dialect, *, titled: bool) -> str:
    chunks = []
    if titled:
        head = m.title(report) if report is not None else ALERT_TITLE
        chunks.append(d.title.format(head + part.label))
    if report is not None and part.index == 1:
        chunks.append(m.header_line(report))
    for heading, block in m.sections_with_headings(part, previous):
        if heading:
            chunks.append(d.heading.format(heading))
        if block.entry is not None:
            chunks.append(d.line.join(m.entry_lines(block.entry, d.link, m.md_text, rank_format=d.rank)))
        else:
            chunks.append(m.md_text(block.text))
    return d.gap.join(chunks)


ALERT_TITLE = "newsbot 告警"


class WebhookChannel(Channel):
    default_limit = 20_000
    dialect = Dialect()

    def __init__(self, name: str, config: dict, policy: Policy):
        super().__init__(name, config, policy)
        what = f"{self.type} channel {name!r}"
        self.url = from_env(config.get("url_env") or env_name(name, "URL"), what=what)
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ChannelConfigError(f"{what}: the webhook URL must be http(s)")
        self.limit = int(config.get("max_bytes") or self.default_limit)
        self.fragments = secret_fragments(self.url)

    def describe(self) -> str:
        return f"{self.type} channel {self.name!r} ({mask_url(self.url)})"

    # Subclasses build payloads; `fits` measures one against the platform's limit.
    def report_payload(self, report: dict, part: m.Part, previous: str | None) -> dict:
        raise NotImplementedError

    def alert_payload(self, part: m.Part, previous: str | None) -> dict:
        raise NotImplementedError

    def fits(self, payload: dict) -> bool:
        return len(self.body(payload)) <= self.limit

    def report_messages(self, report: dict, files: dict) -> list[dict]:
        blocks = m.report_blocks(report)
        parts = m.pack(blocks, lambda part, prev: self.fits(self.report_payload(report, part, prev)))
        return [self.report_payload(report, p, prev) for p, prev in zip(parts, m.previous_sections(parts), strict=True)]

    def alert_messages(self, text: str) -> list[dict]:
        blocks = [m.Block("alert", text=line) for line in text.splitlines() if line.strip()]
        parts = m.pack(blocks, lambda part, prev: self.fits(self.alert_payload(part, prev)))
        return [self.alert_payload(p, prev) for p, prev in zip(parts, m.previous_sections(parts), strict=True)]

    def body(self, payload: dict) -> bytes:
        return _json_body(payload)

    def request_url(self) -> str:
        return self.url

    async def send_one(self, payload: dict, client: httpx.AsyncClient) -> Outcome:
        try:
            response = await client.post(
                self.request_url(),
                content=self.body(payload),
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
        except httpx.HTTPError as exc:
            return Outcome(False, retry=True, message=f"{type(exc).__name__}: {exc}")
        return self.check(response)

    def check(self, response: httpx.Response) -> Outcome:
        status = response.status_code
        if status == 429 or status >= 500:
            return Outcome(False, True, f"HTTP {status} {response.text[:200]!r}", _retry_after(response))
        if status >= 400:
            return Outcome(False, False, f"HTTP {status} {response.text[:200]!r}")
        return self.check_body(response)

    def check_body(self, response: httpx.Response) -> Outcome:
        return Outcome(True)

    @staticmethod
    def api_code(response: httpx.Response, *keys: str) -> tuple[int | None, str]:
        try:
            data = response.json()
        except ValueError:
            return None, f"not JSON: {response.text[:200]!r}"
        if not isinstance(data, dict):
            return None, f"unexpected answer {str(data)[:200]!r}"
        for key in keys:
            if key in data:
                try:
                    return int(data[key]), str(data)[:300]
                except (TypeError, ValueError):
                    break
        return None, f"unexpected answer {str(data)[:200]!r}"


class DingTalkChannel(WebhookChannel):
    """Custom robot, markdown messages; "加签" signing when a secret is configured."""

    type = "dingtalk"
    default_limit = 20_000
    dialect = Dialect(title="### {}", heading="#### {}", rank="**{}.**", line="\n\n", gap="\n\n")
    # 130101: sending too fast; -1: system busy. Anything else (bad keyword, signature, IP) is permanent.
    retry_codes = frozenset({130101, -1})

    def __init__(self, name: str, config: dict, policy: Policy):
        super().__init__(name, config, policy)
        self.secret = from_env(
            config.get("secret_env") or env_name(name, "SECRET"), what=self.describe(), required=False
        )
        self.fragments = secret_fragments(self.url, self.secret)

    def report_payload(self, report, part, previous):
        text = markdown_part(report, part, previous, self.dialect, titled=True)
        return {"msgtype": "markdown", "markdown": {"title": m.title(report) + part.label, "text": text}}

    def alert_payload(self, part, previous):
        text = markdown_part(None, part, previous, self.dialect, titled=True)
        return {"msgtype": "markdown", "markdown": {"title": ALERT_TITLE + part.label, "text": text}}

    def request_url(self) -> str:
        if not self.secret:
            return self.url
        # A fresh signature per attempt: DingTalk rejects timestamps more than an hour old.
        timestamp, sign = dingtalk_sign(self.secret)
        parts = urlsplit(self.url)
        query = f"{parts.query}&" if parts.query else ""
        query += f"timestamp={timestamp}&sign={sign}"
        return urlunsplit(parts._replace(query=query))

    def check_body(self, response):
        code, detail = self.api_code(response, "errcode")
        if code == 0:
            return Outcome(True)
        return Outcome(False, code in self.retry_codes, f"DingTalk answered {detail}")


def dingtalk_sign(secret: str, timestamp_ms: int | None = None) -> tuple[str, str]:
    """DingTalk's signature: HmacSHA256(key=secret, "timestamp\\nsecret"), Base64, then URL-encoded."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return timestamp, quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int | None = None) -> tuple[str, str]:
    """Feishu's signature: HmacSHA256 keyed with "timestamp\\nsecret" over an empty message, Base64."""
    timestamp = str(timestamp_s if timestamp_s is not None else int(time.time()))
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return timestamp, base64.b64encode(digest).decode()


class FeishuChannel(WebhookChannel):
    """Feishu/Lark custom bot: an interactive card with a markdown element; optional signing."""

    type = "feishu"
    default_limit = 20_000
    dialect = Dialect(title="**{}**", heading="**{}**", rank="**{}.**", line="\n", gap="\n\n")
    # 9499 and 11232: frequency limited.
    retry_codes = frozenset({9499, 11232})

    def __init__(self, name: str, config: dict, policy: Policy):
        super().__init__(name, config, policy)
        self.secret = from_env(
            config.get("secret_env") or env_name(name, "SECRET"), what=self.describe(), required=False
        )
        self.fragments = secret_fragments(self.url, self.secret)

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
        return self.card(ALERT_TITLE + part.label, text, "red")

    def signed(self, payload: dict) -> dict:
        if not self.secret:
            return payload
        timestamp, sign = feishu_sign(self.secret)
        return {"timestamp": timestamp, "sign": sign, **payload}

    def body(self, payload):
        return _json_body(self.signed(payload))

    def check_body(self, response):
        code, detail = self.api_code(response, "code", "StatusCode")
        if code == 0:
            return Outcome(True)
        return Outcome(False, code in self.retry_codes, f"Feishu answered {detail}")


class WeComChannel(WebhookChannel):
    """WeCom (企业微信) group robot, markdown messages."""

    type = "wecom"
    default_limit = 4096
    dialect = Dialect(title="### {}", heading="**{}**", rank="**{}.**", line="\n", gap="\n\n")
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

    def check_body(self, response):
        code, detail = self.api_code(response, "errcode")
        if code == 0:
            return Outcome(True)
        return Outcome(False, code in self.retry_codes, f"WeCom answered {detail}")


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
        head = (m.title(report) if report is not None else ALERT_TITLE) + part.label
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


class JsonChannel(WebhookChannel):
    """Generic JSON POST: the report JSON itself, split by entries when it exceeds max_bytes."""

    type = "json"
    default_limit = 1_000_000

    def __init__(self, name: str, config: dict, policy: Policy):
        super().__init__(name, config, policy)
        # {"Authorization": "ENV_VAR"}: header values are secrets too.
        self.headers = {
            header: from_env(var, what=f"{self.describe()} header {header}")
            for header, var in (config.get("headers_env") or {}).items()
        }
        self.fragments = secret_fragments(self.url, *self.headers.values())

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

    async def send_one(self, payload, client):
        try:
            response = await client.post(
                self.url,
                content=self.body(payload),
                headers={"Content-Type": "application/json; charset=utf-8", **self.headers},
            )
        except httpx.HTTPError as exc:
            return Outcome(False, retry=True, message=f"{type(exc).__name__}: {exc}")
        return self.check(response)


# -- email ------------------------------------------------------------------------------------------
class EmailChannel(Channel):
    """SMTP with STARTTLS (or implicit TLS), credentials from the environment; one message with the
    text version and the HTML version as alternatives. Mail has no practical size limit at a
    report's size (~100 KB), so it is never split."""

    type = "email"

    def __init__(self, name: str, config: dict, policy: Policy):
        super().__init__(name, config, policy)
        what = f"email channel {name!r}"
        self.host = config.get("host") or ""
        if not self.host:
            raise ChannelConfigError(f"{what}: no SMTP host configured")
        self.ssl = bool(config.get("ssl", False))
        self.starttls = bool(config.get("starttls", not self.ssl))
        self.port = int(config.get("port") or (465 if self.ssl else 587))
        self.sender = config.get("from") or ""
        recipients = config.get("to") or []
        self.to = [
            r.strip() for r in (recipients.split(",") if isinstance(recipients, str) else recipients) if r.strip()
        ]
        if not self.sender or not self.to:
            raise ChannelConfigError(f"{what}: 'from' and 'to' are required")
        self.subject = config.get("subject") or "{title}"
        self.cafile = config.get("cafile")
        self.username = from_env(config.get("username_env") or env_name(name, "USERNAME"), what=what, required=False)
        self.password = from_env(
            config.get("password_env") or env_name(name, "PASSWORD"), what=what, required=bool(self.username)
        )
        self.fragments = secret_fragments(self.password)

    def describe(self) -> str:
        return f"email channel {self.name!r} (smtp://{self.host}:{self.port})"

    def envelope(self, subject: str) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = subject
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        return msg

    def report_messages(self, report: dict, files: dict) -> list[EmailMessage]:
        text = _read(files.get("txt")) or plain_report(report)
        page = _read(files.get("html")) or html_report(report)
        msg = self.envelope(self.subject.format(title=m.title(report), date=report.get("date", "")))
        # The text part first: mail clients show the last alternative they can render.
        msg.set_content(text)
        msg.add_alternative(page, subtype="html")
        return [msg]

    def alert_messages(self, text: str) -> list[EmailMessage]:
        msg = self.envelope(f"[{ALERT_TITLE}] {text.splitlines()[0][:120] if text else ''}".strip())
        msg.set_content(text)
        return [msg]

    async def send_one(self, message: EmailMessage, client) -> Outcome:
        return await asyncio.to_thread(self._send, message)

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile) if self.cafile else ssl.create_default_context()

    def _send(self, message: EmailMessage) -> Outcome:
        try:
            if self.ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.policy.timeout, context=self.tls_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.policy.timeout)
            with smtp:
                smtp.ehlo()
                if self.starttls:
                    # Raises SMTPNotSupportedError when the server offers no STARTTLS: never send in clear.
                    smtp.starttls(context=self.tls_context())
                    smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(message, from_addr=self.sender, to_addrs=self.to)
            if refused:
                return Outcome(False, False, f"recipients refused: {', '.join(refused)}")
            return Outcome(True)
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError) as exc:
            return Outcome(False, False, f"{type(exc).__name__}: {exc}")
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            return Outcome(False, False, f"{type(exc).__name__}: {exc}")
        except smtplib.SMTPResponseException as exc:
            # 4xx is "try again later"; 5xx is final.
            return Outcome(False, 400 <= exc.smtp_code < 500, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}")
        except (smtplib.SMTPException, OSError) as exc:
            return Outcome(False, True, f"{type(exc).__name__}: {exc}")


def _read(path) -> str:
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        logger.warning("Cannot read report file %s for email (%s); building it from the JSON", path, exc)
        return ""


def plain_report(report: dict) -> str:
    """A plain-text report from the JSON, for when the rendered .txt is not at hand."""
    lines = [m.title(report), m.header_line(report), ""]
    for region in ("domestic", "international"):
        entries = report.get(region) or []
        if entries:
            lines.append(m.SECTION_TITLES[region])
            for entry in entries:
                lines += m.entry_lines(entry, lambda t, u: f"{t} {u}".strip(), lambda v: " ".join(str(v or "").split()))
                lines.append("")
    if report.get("overview"):
        lines += [m.SECTION_TITLES["overview"], str(report["overview"]), ""]
    lines += m.report_footer(report)
    return "\n".join(lines).rstrip() + "\n"


def html_report(report: dict) -> str:
    """A minimal HTML report from the JSON, for when the rendered .html is not at hand."""
    esc = html.escape

    def link(text: str, url: str) -> str:
        return f'<a href="{esc(url)}">{text}</a>' if url else text

    body = [f"<h1>{esc(m.title(report))}</h1>", f"<p>{esc(m.header_line(report))}</p>"]
    for region in ("domestic", "international"):
        entries = report.get(region) or []
        if entries:
            body.append(f"<h2>{esc(m.SECTION_TITLES[region])}</h2>")
            for entry in entries:
                lines = m.entry_lines(entry, link, lambda v: esc(" ".join(str(v or "").split())))
                body.append("<p>" + "<br>".join(lines) + "</p>")
    if report.get("overview"):
        body.append(f"<h2>{esc(m.SECTION_TITLES['overview'])}</h2><p>{esc(str(report['overview']))}</p>")
    body += [f"<p>{esc(line)}</p>" for line in m.report_footer(report)]
    return '<!doctype html><html><head><meta charset="utf-8"></head><body>' + "".join(body) + "</body></html>"


CHANNEL_TYPES: dict[str, type[Channel]] = {
    cls.type: cls for cls in (DingTalkChannel, FeishuChannel, WeComChannel, SlackChannel, JsonChannel, EmailChannel)
}
# Lark is Feishu's international edition: same bot API on another host.
CHANNEL_TYPES["lark"] = FeishuChannel


def make_channel(name: str, config: dict, policy: Policy) -> Channel:
    kind = str(config.get("type") or name).lower()
    cls = CHANNEL_TYPES.get(kind)
    if cls is None:
        raise ChannelConfigError(f"channel {name!r}: unknown type {kind!r} (known: {', '.join(sorted(CHANNEL_TYPES))})")
    return cls(name, config, policy)
