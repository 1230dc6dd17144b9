"""The LLM breaker: after a few failed calls in a row the endpoint is taken as down, and the run goes on
with the offline judgement instead of waiting out every article's retries.

One breaker per endpoint and model, shared by every analyzer of the process (all the crawlers of a
`scrapy digest`, and its report's overview), so that a dead endpoint is reported once. It holds plain
data, no asyncio primitive, so it outlives the event loops a process runs. An open breaker closes again
after COOL_DOWN seconds: a long-lived process gets one more try, and trips again at once if still down.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger(__name__)

# Failures in a row, with no success between them. An endpoint that cannot be reached (refused, DNS,
# timeout) is down whatever the article: each attempt counts, so it trips within one call's retries
# rather than after several articles' worth of them. An HTTP error may be one article's (a 500 on odd
# input), so it counts only once its call has failed for good.
TRIP_AFTER = 4
UNREACHABLE = frozenset({"connection", "timeout"})
COOL_DOWN = 600.0
DEFAULT_ENDPOINT = "https://api.openai.com/v1"


def public_endpoint(base_url: str | None) -> str:
    """The endpoint as a log line may show it: no user, password, query or fragment (keys travel there)."""
    parts = urlsplit(base_url or DEFAULT_ENDPOINT)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass
class Breaker:
    endpoint: str  # already public (see public_endpoint)
    model: str
    failures: int = 0
    opened_at: float | None = None
    trips: int = 0
    kinds: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        if self.opened_at is None:
            return False
        if time.monotonic() - self.opened_at >= COOL_DOWN:
            self.opened_at, self.failures = None, 0
            return False
        return True

    def success(self) -> None:
        self.failures = 0
        self.kinds.clear()

    def failure(self, kind: str, call_over: bool) -> None:
        if self.open or not (call_over or kind in UNREACHABLE):
            return
        self.failures += 1
        self.kinds.append(kind)
        if self.failures >= TRIP_AFTER:
            self.opened_at = time.monotonic()
            self.trips += 1
            why = ", ".join(sorted(set(self.kinds)))
            logger.error(
                "LLM endpoint %s (model %s) failed %d times in a row (%s): the rest of this run is analysed "
                "offline (heuristic fallback); allow this with NEWSBOT_LLM_FALLBACK_OK=True",
                self.endpoint,
                self.model,
                self.failures,
                why,
            )


_breakers: dict[tuple[str, str], Breaker] = {}


def breaker_for(base_url: str | None, model: str) -> Breaker:
    endpoint = public_endpoint(base_url)
    key = (base_url or DEFAULT_ENDPOINT, model)
    if key not in _breakers:
        _breakers[key] = Breaker(endpoint, model)
    return _breakers[key]


def open_in_process() -> bool:
    """Whether a breaker of this process is open: a render right after its own LLM calls (`scrapy
    report`'s catch-up and overview) then went offline. Open, not "ever tripped": a long-lived process
    (`scrapy desk`) renders from the model again once the breaker's cool-down has let it back in."""
    return any(b.open for b in _breakers.values())


def reset_breakers() -> None:
    """Forget every endpoint's failures: a process that runs several independent jobs (the tests) starts
    each with closed breakers."""
    _breakers.clear()
