"""newsbot: crawl AI news from nine sites, analyse it, and render the daily AI每日动态 briefing."""
