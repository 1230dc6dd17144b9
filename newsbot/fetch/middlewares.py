"""Downloader middlewares of the fetch policy.

AddressPolicyMiddleware sits just before the download handler (and snapshot replay), so every
request is checked there, redirects and robots.txt included: only http(s), and no literal non-public
IP address. A host name refused by the resolver comes back as a DNS error; it is turned into the
same refusal here, before the retry middleware would try it again.

SourceDomainsMiddleware is Scrapy's OffsiteMiddleware with two changes: it checks at download time
rather than at scheduling, so a refused article request reaches its errback (the item keeps its feed
text instead of vanishing), and `dont_filter` (which article requests need, since two feeds may list
one article) does not exempt a request. Only `allow_offsite` does: the feeds the operator named.

RedirectLoopMiddleware ends a chain of redirects that comes back to an address it already visited.
"""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from newsbot.fetch.policy import (
    ALLOWED_SCHEMES,
    DNS_ERRORS,
    ForbiddenAddress,
    ForbiddenScheme,
    OffsiteRequest,
    PrivateAllowList,
    allow_hint,
    literal_address_refusal,
)
from newsbot.runs import stat_keys as keys
from newsbot.runtime.resources import resources_of

logger = logging.getLogger(__name__)


class AddressPolicyMiddleware:
    def __init__(self, crawler):
        self.stats = crawler.stats
        self.allow = PrivateAllowList.from_settings(crawler.settings)
        # What the process's DNS resolver refused (newsbot.fetch.resolver), told from names that do not resolve.
        self.refused_names = resources_of(crawler).refused_names

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _refuse(self, exc_class, request, why: str):
        logger.error("Refusing %s: %s", request.url, why)
        self.stats.inc_value(keys.under(keys.FETCH_REFUSED, exc_class.reason))
        raise exc_class(f"{why}: {request.url}")

    def process_request(self, request, spider=None):
        parts = urlparse_cached(request)
        if parts.scheme not in ALLOWED_SCHEMES:
            self._refuse(ForbiddenScheme, request, f"scheme {parts.scheme!r} is not http(s)")
        try:
            port = parts.port
        except ValueError:
            port = None
        why = literal_address_refusal(parts.hostname, port, self.allow)
        if why:
            self._refuse(ForbiddenAddress, request, why)

    def process_exception(self, request, exception, spider=None):
        host = urlparse_cached(request).hostname
        if isinstance(exception, DNS_ERRORS) and host in self.refused_names:
            why = f"{host} resolves to {self.refused_names[host]}, not a public address; {allow_hint(host)}"
            self._refuse(ForbiddenAddress, request, why)


class SourceDomainsMiddleware(OffsiteMiddleware):
    def request_scheduled(self, request, spider):
        pass  # checked in process_request, where a refusal reaches the request's errback

    def process_request(self, request, spider=None):
        spider = self.crawler.spider
        # robots.txt is only ever asked for a host whose request already passed this check.
        if request.meta.get("allow_offsite") or request.meta.get("dont_obey_robotstxt"):
            return
        if self.should_follow(request, spider):
            return
        domain = urlparse_cached(request).hostname
        if domain and domain not in self.domains_seen:
            self.domains_seen.add(domain)
            logger.info("%s: not fetching %s: %r is not one of the source's domains", spider.name, request.url, domain)
            self.stats.inc_value("offsite/domains")
        self.stats.inc_value("offsite/filtered")
        self.stats.inc_value(keys.under(keys.FETCH_REFUSED, OffsiteRequest.reason))
        raise OffsiteRequest(f"{domain!r} is not one of the source's domains")


class RedirectLoop(IgnoreRequest):
    """A redirect back to an address already visited in the same chain."""


class RedirectLoopMiddleware:
    """Scrapy's duplicate filter would drop such a redirect without a word (a feed then looked merely
    empty), and a request with `dont_filter` would go round until REDIRECT_MAX_TIMES: here it fails at
    once, into the request's errback. Feed and article requests are `dont_filter` for this reason."""

    def process_request(self, request, spider=None):
        visited = request.meta.get("redirect_urls") or ()
        if request.url in visited:
            chain = " -> ".join([*visited, request.url])
            raise RedirectLoop(f"redirect loop: {chain}")
