"""Delivery channels, one module per kind: chat webhooks (DingTalk, Feishu/Lark, WeCom, Slack,
generic JSON) and email.

Each channel turns the report JSON into its own payloads, split into numbered parts under its
size limit (each module cites its platform's), and sends them one after another with retries.
"""

from __future__ import annotations

from newsbot.delivery.channels.base import Channel, ChannelResult, Policy
from newsbot.delivery.channels.dingtalk import DingTalkChannel
from newsbot.delivery.channels.feishu import FeishuChannel
from newsbot.delivery.channels.generic_json import JsonChannel
from newsbot.delivery.channels.mail import EmailChannel
from newsbot.delivery.channels.slack import SlackChannel
from newsbot.delivery.channels.wecom import WeComChannel
from newsbot.delivery.secrets import ChannelConfigError

__all__ = ["CHANNEL_TYPES", "Channel", "ChannelResult", "Policy", "make_channel"]

CHANNEL_TYPES: dict[str, type[Channel]] = {
    **{
        cls.type: cls for cls in (DingTalkChannel, FeishuChannel, WeComChannel, SlackChannel, JsonChannel, EmailChannel)
    },
    # Lark is Feishu's international edition: same bot API on another host.
    "lark": FeishuChannel,
}


def make_channel(name: str, config: dict, policy: Policy) -> Channel:
    kind = str(config.get("type") or name).lower()
    cls = CHANNEL_TYPES.get(kind)
    if cls is None:
        raise ChannelConfigError(f"channel {name!r}: unknown type {kind!r} (known: {', '.join(sorted(CHANNEL_TYPES))})")
    return cls(name, config, policy)
