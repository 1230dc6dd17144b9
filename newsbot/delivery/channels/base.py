"""What every channel shares: the retry policy, one send's outcome, a channel's result, and
Channel.deliver, which sends the parts in order with retries."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import httpx

from newsbot.config import config_for
from newsbot.delivery.hints import provider_hint
from newsbot.delivery.secrets import redact

logger = logging.getLogger("newsbot.delivery")


@dataclass(frozen=True)
class Policy:
    retries: int = 3
    backoff: float = 2.0
    backoff_max: float = 60.0
    timeout: float = 20.0

    @classmethod
    def from_settings(cls, settings) -> Policy:
        d = config_for(settings).delivery
        return cls(retries=d.retries, backoff=d.backoff, backoff_max=d.backoff_max, timeout=d.timeout)

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
                if hint := provider_hint(self.type, self.name, self.config, reason):
                    reason += f" (hint: {hint})"
                attempts = f"after {retry + 1} attempt(s)" if outcome.retry else "(not retryable)"
                logger.error("Push of %s %s to %s failed %s: %s", kind, label, self.describe(), attempts, reason)
                result.errors.append(f"{label}: {reason}")
                retries = 0
                break
        return result
