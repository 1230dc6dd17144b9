"""Crawl extensions, one per module as in scrapy.extensions: run statistics, the report on close."""
