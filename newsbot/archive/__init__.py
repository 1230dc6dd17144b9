"""The archive of stored reports: a static site (site.py) with client-side search (search.py) and an
Atom feed (feed.py), and the weekly report (weekly.py), all built from the `reports` collection;
`scrapy publish` writes the site."""
