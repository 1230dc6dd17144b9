"""A DNS resolver that refuses names whose answer is not a public address (TWISTED_DNS_RESOLVER).

A host name can point anywhere, so the address is checked where the connection is made: after
resolution, before the socket opens. A refused name is remembered, so the downloader middleware can
tell a policy refusal from a name that does not resolve (that one stays a network error)."""

from __future__ import annotations

import logging

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from newsbot.fetch.policy import PrivateAllowList, allow_hint, parse_ip, resolved_address_refusal

logger = logging.getLogger(__name__)

# Host name -> the address that was refused. Read by newsbot.fetch.middlewares; one resolver per process.
REFUSED_NAMES: dict[str, str] = {}


class PrivateAnswerRefused(DNSLookupError):
    pass


class PublicAddressResolver(CachingThreadedResolver):
    allow = PrivateAllowList()

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow = PrivateAllowList.from_settings(crawler.settings)
        return resolver

    def getHostByName(self, name, timeout=()):  # noqa: N802 - Twisted's interface
        deferred = super().getHostByName(name, timeout)
        deferred.addCallback(self._check, name)
        return deferred

    def _check(self, address: str, name: str) -> str:
        if parse_ip(name) is not None:
            return address  # a literal address: AddressPolicyMiddleware judged it, port included, before sending
        if resolved_address_refusal(name, address, self.allow) is None:
            return address
        if name not in REFUSED_NAMES:
            why = "it resolves to %s, which is not a public address; %s"
            logger.error("Refusing %s: " + why, name, address, allow_hint(name))
        REFUSED_NAMES[name] = address
        raise PrivateAnswerRefused(f"{name} resolves to non-public address {address}")
