"""CNBC: story pages (JSON-LD and div.ArticleBody-articleBody); video items are not fetched."""
