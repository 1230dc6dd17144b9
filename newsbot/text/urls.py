"""URL canonicalisation: one article, one key, however the feed decorated the link."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters feeds add to say where a click came from; they never change the page.
TRACKING_PARAMS = frozenset(
    {
        "f",  # 36kr: ?f=rss
        "fbclid",
        "gclid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "cmpid",
        "__source",
        "srnd",
        "leadsource",
        "taid",
        "yptr",
        "ncid",
        "sr_share",
        "mod",
    }
)
_TRACKING_PREFIXES = ("utm_", "at_", "mkt_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lname = name.lower()
    return lname in TRACKING_PARAMS or lname.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Tracking parameters and the fragment removed; scheme, host and query order normalised."""
    url = url.strip()
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    netloc = parts.hostname or ""
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        netloc = f"{netloc}:{parts.port}"
    cleaned = urlunsplit((parts.scheme.lower(), netloc.lower(), parts.path or "/", urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def mask_uri_password(uri: str) -> str:
    """mongodb://user:secret@host -> mongodb://user:***@host, so a URI can be logged."""
    return re.sub(r"(?<=://)([^:/@]+):[^/]*@", r"\1:***@", uri)
