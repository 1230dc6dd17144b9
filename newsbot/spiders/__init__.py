"""One thin spider per site. Shared feed handling lives in newsbot.spiders.base.FeedSpider;
each module holds only its site's quirks."""
