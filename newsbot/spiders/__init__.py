"""Spiders. Every source in newsbot/sources.toml (and the user's NEWSBOT_SOURCES_FILE) is a spider
made at load time from the generic newsbot.spiders.base.FeedSpider (newsbot.spiders.loader); a
module here holds only the quirks of one site that data cannot describe."""
