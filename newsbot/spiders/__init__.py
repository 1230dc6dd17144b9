"""Spiders. Every source in newsbot/sources.toml (and the user's NEWSBOT_SOURCES_FILE) is a spider
made at load time from the generic newsbot.spiders.base.FeedSpider (newsbot.spiders.loader); the
quirks of a site that data cannot describe live in its package under newsbot.sites."""
