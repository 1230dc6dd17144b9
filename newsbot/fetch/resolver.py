"""A DNS resolver that refuses names whose answer is not a public address (TWISTED_DNS_RESOLVER).

A host name can point anywhere, so the address is checked where the connection is made: after
resolution, before the socket opens. A refused name is remembered, so the downloader middleware can
tell a policy refusal from a name that does not resolve (that one stays a network error)."""

from __future__ import annotations

import logging

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from newsbot.fetch.policy import PrivateAllowList, allow_hint, parse_ip, resolved_address_refusal
from newsbot.runtime.resources import resources_of

logger = logging.getLogger(__name__)


class PrivateAnswerRefused(DNSLookupError):
    pass


class PublicAddressResolver(CachingThreadedResolver):
    allow = PrivateAllowList()

    @classmethod
    def from_crawler(cls, crawler, reactor):
        # Scrapy passes the CrawlerProcess here: one resolver serves every crawler of the process, and
        # the names it refuses are the process's (newsbot.runtime.resources), read by the middleware.
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow = PrivateAllowList.from_settings(crawler.settings)
        resolver.refused = resources_of(crawler).refused_names
        return resolver

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused: dict[str, str] = {}

    def getHostByName(self, name, timeout=()):  # noqa: N802 - Twisted's interface
        deferred = super().getHostByName(name, timeout)
        deferred.addCallback(self._check, name)
        return deferred

    def _check(self, address: str, name: str) -> str:
        if parse_ip(name) is not None:
            return address  # a literal address: AddressPolicyMiddleware judged it, port included, before sending
        if resolved_address_refusal(name, address, self.allow) is None:
            return address
        if name not in self.refused:
            why = "it resolves to %s, which is not a public address; %s"
            logger.error("Refusing %s: " + why, name, address, allow_hint(name))
        self.refused[name] = address
        raise PrivateAnswerRefused(f"{name} resolves to non-public address {address}")
