"""Stable anchors for report entries, so other pages (a later day's 前情, the site's search) can link
to one entry of a day's page. Built from the entry's URL, not its rank, which changes on re-render."""

from __future__ import annotations

import hashlib


def entry_anchor(url: str) -> str:
    return "e-" + hashlib.sha1(str(url or "").encode("utf-8")).hexdigest()[:12]
