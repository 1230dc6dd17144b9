"""Sites with quirks, one package each: `spider.py` holds its feed hooks (a FeedSpider subclass whose
`name` is the source's, found through SPIDER_MODULES by newsbot.spiders.loader) and `page.py`, when the
site needs one, its article-page parser (named by the source's `parser` key). The parser sits in a
module of its own because worker processes (newsbot.runtime.workers) import it without Scrapy."""
