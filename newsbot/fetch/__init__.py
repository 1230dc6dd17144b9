"""The fetch policy: what newsbot may request (see README, "Crawling").

- policy: which addresses and schemes are allowed, and the NEWSBOT_ALLOW_PRIVATE_HOSTS exceptions;
- resolver: a DNS resolver that refuses answers pointing inside (checked at connect time);
- middlewares: the scheme and literal-address check before a request is sent, and the source-domain
  filter built on Scrapy's OffsiteMiddleware.
"""
