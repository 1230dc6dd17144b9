"""Values more than one part of newsbot names: declared here once, read everywhere."""

from __future__ import annotations

import re
from datetime import time

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_CUTOFF = "09:00"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
REPORT_FORMATS = ("txt", "md", "html", "json")
CHANNEL_TYPES = ("dingtalk", "feishu", "lark", "wecom", "slack", "json", "email")
LLM_METHODS = ("json_schema", "json_mode", "function_calling")
ANALYZERS = ("auto", "llm", "heuristic")
# What every request says it is. It names no web site of ours: NEWSBOT_CONTACT adds the operator's.
USER_AGENT_BASE = "newsbot/1.0 (AI news digest bot)"

_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def parse_hhmm(text: str) -> time:
    """A time such as "09:00"; ValueError when it is not HH:MM."""
    match = _HHMM.fullmatch(str(text).strip())
    if not match:
        raise ValueError("a local time as HH:MM, e.g. 09:00")
    return time(int(match.group(1)), int(match.group(2)))


def user_agent(contact: str | None) -> str:
    """The User-Agent for an operator contact (a URL or an e-mail address), or without one."""
    return f"{USER_AGENT_BASE[:-1]}; +{contact})" if contact else USER_AGENT_BASE
