"""Whether a text carries a link: summaries and reasons never may."""

from __future__ import annotations

import re

# A scheme, a www. host, or a dotted host followed by a path. A bare "Pony.ai" or "JD.com" is a
# company name in a sentence, not a link, so a host alone does not count.
URL_RE = re.compile(r"(?i)(?:https?://|ftp://|www\.)\S+|(?<![a-z0-9.-])[a-z0-9-]+(?:\.[a-z0-9-]+)+/[^\s，。]*")


def has_url(text: str | None) -> bool:
    return bool(URL_RE.search(text or ""))
