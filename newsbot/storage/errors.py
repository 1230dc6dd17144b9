"""What the storage layer raises, and how its errors read in one line."""

from __future__ import annotations

from pymongo.errors import PyMongoError as StoreError

from newsbot.text.urls import mask_uri_password

__all__ = ["StoreError", "StoreUnavailable", "short_error"]


class StoreUnavailable(RuntimeError):
    """The database cannot be reached; the message is one line and safe to print."""


def short_error(exc: Exception) -> str:
    """pymongo's first clause, without the topology dump that follows it."""
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    for cut in (" (configured timeouts", ", Timeout:", ", Topology Description"):
        text = text.split(cut)[0]
    return mask_uri_password(text[:200])
