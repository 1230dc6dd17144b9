"""The storage layer: every MongoDB collection (articles, runs, reports, llm_cache) and its
indexes, behind small named functions. No module outside this package issues a query.

    connection.py  which server (MONGO_URI or the embedded daemon), Store, crawler_store, sync_db
    embedded.py    the SecantusDB daemon owned by NEWSBOT_DATA_DIR (`python -m newsbot.storage stop`)
    indexes.py     every collection's indexes
    articles.py  runs.py  reports.py  llm_cache.py   one module per collection
"""
