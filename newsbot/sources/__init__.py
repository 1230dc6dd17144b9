"""Sources: the catalog of sites to crawl (built-ins plus the user's TOML), OPML in and out, and the
feed check that proposes a new entry."""
