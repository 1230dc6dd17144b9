"""Push the day's report (and source alerts) to every channel configured in NEWSBOT_CHANNELS.

    result = push_report(settings, report, files, stats)   # blocking; channels are served concurrently
    result = push_alert(settings, text, stats)

Commands call these directly; the report extension calls them on a worker thread, as it renders.
Nothing here raises into the caller: each failure is retried with backoff, then logged (without
secrets) and counted, both in the returned PushResult and, given a Scrapy stats collector, in
newsbot/push/* stats. The report files are written before any of this runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import httpx
from scrapy.settings import BaseSettings, Settings

from newsbot.config import config_for
from newsbot.delivery.channels import ChannelResult, Policy, make_channel
from newsbot.delivery.secrets import ChannelConfigError, guard_logs
from newsbot.runs import stat_keys as keys

__all__ = ["ChannelResult", "PushResult", "push_alert", "push_report"]

logger = logging.getLogger("newsbot.delivery")


@dataclass
class PushResult:
    kind: str  # report | alert | notice
    channels: list[ChannelResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.channels)

    @property
    def failed(self) -> int:
        """Channels that did not receive every part."""
        return sum(not c.ok for c in self.channels)

    @property
    def sent(self) -> int:
        return sum(c.sent for c in self.channels)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "failed": self.failed,
            "channels": {
                c.name: {"type": c.type, "parts": c.parts, "sent": c.sent, "retries": c.retries, "errors": c.errors}
                for c in self.channels
            },
        }


def _settings(settings) -> BaseSettings:
    if isinstance(settings, BaseSettings):
        return settings
    return Settings(dict(settings or {}))


async def _push(settings, kind: str, build, stats, only: Iterable[str] | None) -> PushResult:
    result = PushResult(kind)
    try:
        delivery = config_for(_settings(settings)).delivery
        if not delivery.enabled:
            logger.info("Push disabled (NEWSBOT_PUSH_ENABLED=False): %s not sent", kind)
            return result
        if kind == "alert" and not delivery.alerts:
            logger.info("Alerts disabled (NEWSBOT_PUSH_ALERTS=False): alert not sent")
            return result
        configs: Mapping[str, dict] = delivery.channels
        wanted = set(only) if only is not None else None
        chosen = {n: c for n, c in configs.items() if wanted is None or n in wanted}
        if kind in ("alert", "notice"):
            chosen = {n: c for n, c in chosen.items() if (c or {}).get("alerts", True)}
        if wanted is not None and (unknown := wanted - set(configs)):
            for name in sorted(unknown):
                result.channels.append(ChannelResult(name, "?", kind, errors=["no such channel in NEWSBOT_CHANNELS"]))
        if not chosen:
            logger.debug("No delivery channels configured: %s not pushed", kind)
            return _count(result, stats)
        policy = Policy.from_settings(settings)
        async with httpx.AsyncClient(timeout=policy.timeout, follow_redirects=False) as client:
            jobs = [_deliver(name, dict(config or {}), policy, client, kind, build) for name, config in chosen.items()]
            result.channels += await asyncio.gather(*jobs)
    except Exception as exc:  # never into the crawl
        logger.exception("Push of %s failed unexpectedly: %s", kind, type(exc).__name__)
        result.channels.append(ChannelResult("*", "?", kind, errors=[f"unexpected {type(exc).__name__}"]))
    return _count(result, stats)


async def _deliver(name: str, config: dict, policy: Policy, client, kind: str, build) -> ChannelResult:
    ctype = str(config.get("type") or name)
    try:
        channel = make_channel(name, config, policy)
    except ChannelConfigError as exc:
        logger.error("Cannot push %s: %s", kind, exc)
        return ChannelResult(name, ctype, kind, errors=[str(exc)])
    guard_logs(channel.fragments)
    try:
        messages = build(channel)
    except Exception as exc:
        logger.exception("Cannot build the %s for %s", kind, channel.describe())
        return ChannelResult(name, channel.type, kind, errors=[f"building messages: {type(exc).__name__}"])
    result = await channel.deliver(messages, client, kind)
    if result.ok:
        parts = f"{result.sent} parts" if result.sent > 1 else "1 message"
        logger.info("Pushed %s to %s (%s)", kind, channel.describe(), parts)
    return result


def _count(result: PushResult, stats) -> PushResult:
    if stats is None:
        return result
    try:
        prefix = keys.under(keys.PUSH, result.kind)
        for c in result.channels:
            stats.inc_value(f"{prefix}/messages_sent", c.sent)
            stats.inc_value(f"{prefix}/retries", c.retries)
            stats.inc_value(f"{prefix}/{c.name}/{'ok' if c.ok else 'failed'}")
            if not c.ok:
                stats.inc_value(f"{prefix}/failed")
    except Exception:
        logger.exception("Could not record push stats")
    return result


def _run(coro):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise RuntimeError("push_report/push_alert block: call them on a worker thread (asyncio.to_thread)")


def push_report(settings, report: dict, files: Mapping | None = None, stats=None, *, channels=None) -> PushResult:
    """Push one day's report. `report` is the D.json content; `files` maps format -> path
    (txt and html feed the email); `channels` limits the push to these channel names."""
    files = dict(files or {})
    return _run(_push(settings, "report", lambda ch: ch.report_messages(report, files), stats, channels))


def push_alert(settings, text: str, stats=None, *, channels=None) -> PushResult:
    """Push a short alert (one line per problem, e.g. newsbot.runs.health.alert_text) to every channel
    that takes alerts. An empty text sends nothing."""
    if not (text or "").strip():
        return PushResult("alert")
    return _run(_push(settings, "alert", lambda ch: ch.alert_messages(text), stats, channels))


def push_notice(settings, text: str, stats=None) -> PushResult:
    """Push one line in place of the report (NEWSBOT_REQUIRE_APPROVAL's "draft ready") to every channel
    that takes alerts, whether or not source alerts (NEWSBOT_PUSH_ALERTS) are on."""
    return _run(_push(settings, "notice", lambda ch: ch.alert_messages(text), stats, None))
