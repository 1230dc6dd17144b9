"""Chat webhooks: JSON POSTs of markdown, packed into numbered parts under the platform's limit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from newsbot.delivery import messages as m
from newsbot.delivery.channels.base import Channel, Outcome, Policy
from newsbot.delivery.secrets import ChannelConfigError, env_name, from_env, mask_url, secret_fragments


def json_body(payload: dict) -> bytes:
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
        head = m.title(report) if report is not None else m.ALERT_TITLE
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


class WebhookChannel(Channel):
    default_limit = 20_000
    dialect = Dialect()
    signs = False
    # Platforms that answer HTTP 200 with an error code in the body: its name, the keys that hold
    # the code (0 is success), and the codes worth a retry.
    platform = ""
    code_keys: tuple[str, ...] = ()
    retry_codes: frozenset[int] = frozenset()

    def __init__(self, name: str, config: dict, policy: Policy):
        super().__init__(name, config, policy)
        what = f"{self.type} channel {name!r}"
        self.url = from_env(config.get("url_env") or env_name(name, "URL"), what=what)
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ChannelConfigError(f"{what}: the webhook URL must be http(s)")
        self.limit = int(config.get("max_bytes") or self.default_limit)
        # Platforms that sign requests take an optional secret (NEWSBOT_<NAME>_SECRET).
        self.secret = (
            from_env(config.get("secret_env") or env_name(name, "SECRET"), what=self.describe(), required=False)
            if self.signs
            else None
        )
        self.fragments = secret_fragments(self.url, self.secret)

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
        return json_body(payload)

    def request_url(self) -> str:
        return self.url

    def headers(self) -> dict[str, str]:
        return {}

    async def send_one(self, payload: dict, client: httpx.AsyncClient) -> Outcome:
        try:
            response = await client.post(
                self.request_url(),
                content=self.body(payload),
                headers={"Content-Type": "application/json; charset=utf-8", **self.headers()},
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
        if not self.code_keys:
            return Outcome(True)
        code, detail = self.api_code(response, *self.code_keys)
        if code == 0:
            return Outcome(True)
        return Outcome(False, code in self.retry_codes, f"{self.platform} answered {detail}")

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
