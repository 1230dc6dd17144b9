"""Batched upserts (newsbot.storage.bulk) against the real embedded database: items written
together in bulk, each answered with its own outcome; an outage fails the batch, never half-acknowledges it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from newsbot.storage.articles import as_stored
from newsbot.storage.bulk import AnalysisWriter, ArticleBatcher, ArticleReader


def upsert_doc(title: str) -> dict:
    return {"title": title}


def test_concurrent_upserts_are_batched_and_each_gets_its_outcome(mongo_uri, db_name, mongo_db):
    writes = []

    async def main():
        client = AsyncMongoClient(mongo_uri)
        coll = client[db_name].articles
        await coll.create_index("url", unique=True)
        await coll.insert_one({"url": "u/0", "title": "old", "first_seen": 0})
        batcher = ArticleBatcher(client[db_name], max_size=100, max_delay=0.05)
        original = batcher.collection.bulk_write

        async def counting(ops, **kwargs):
            writes.append(len(ops))
            return await original(ops, **kwargs)

        batcher.collection = type("Counted", (), {"bulk_write": staticmethod(counting)})()
        # u/1 twice in one batch: the first inserts, the second updates, as one write after another would.
        urls = [f"u/{i}" for i in range(250)] + ["u/1"]
        outcomes = await asyncio.gather(*(batcher.upsert(u, upsert_doc(f"t{n}")) for n, u in enumerate(urls)))
        await batcher.close()
        await client.close()
        return urls, outcomes

    urls, outcomes = asyncio.run(main())
    assert writes == [100, 100, 51]
    assert outcomes[0] is False and outcomes[1] is True and outcomes[-1] is False and sum(outcomes) == 249
    assert mongo_db.articles.count_documents({}) == 250
    assert mongo_db.articles.find_one({"url": "u/0"})["first_seen"] == 0  # an update keeps first_seen
    assert mongo_db.articles.find_one({"url": "u/1"})["title"] == "t250"


def test_a_bad_document_fails_alone_and_an_outage_fails_the_whole_batch(mongo_uri, db_name, mongo_db):
    async def main():
        client = AsyncMongoClient(mongo_uri)
        coll = client[db_name].articles
        await coll.create_index("url", unique=True)
        batcher = ArticleBatcher(client[db_name], max_size=10, max_delay=0.01)
        bad = {"title": "x", "title.sub": 1}  # two paths that conflict: the server refuses this one write
        results = await asyncio.gather(
            batcher.upsert("a", upsert_doc("a")), batcher.upsert("b", bad), batcher.upsert("c", upsert_doc("c")),
            return_exceptions=True,
        )  # fmt: skip
        await client.close()
        # The client is closed: the next batch cannot be written, and none of it is acknowledged.
        down = ArticleBatcher(client[db_name], max_size=2, max_delay=0.01)
        lost = await asyncio.gather(
            down.upsert("d", upsert_doc("d")), down.upsert("e", upsert_doc("e")), return_exceptions=True
        )
        return results, lost

    results, lost = asyncio.run(main())
    assert results[0] is True and results[2] is True and isinstance(results[1], PyMongoError)
    assert all(isinstance(x, Exception) for x in lost)
    assert sorted(d["url"] for d in mongo_db.articles.find()) == ["a", "c"]


@pytest.mark.parametrize("size", [1, 3])
def test_close_writes_what_is_pending(mongo_uri, db_name, mongo_db, size):
    async def main():
        client = AsyncMongoClient(mongo_uri)
        batcher = ArticleBatcher(client[db_name], max_size=100, max_delay=60)
        tasks = [asyncio.ensure_future(batcher.upsert(f"p/{i}", upsert_doc("p"))) for i in range(size)]
        await asyncio.sleep(0)
        await batcher.close()
        done = await asyncio.gather(*tasks)
        await client.close()
        return done

    assert asyncio.run(main()) == [True] * size
    assert mongo_db.articles.count_documents({}) == size


def test_analyses_read_and_write_articles_in_batches(mongo_uri, db_name, mongo_db):
    """The analysis stage reads each stored article back and writes its record: concurrent requests
    share one find and one bulk write, each answered with its own document or its own outcome."""
    calls = []

    async def main():
        client = AsyncMongoClient(mongo_uri)
        db = client[db_name]
        await db.articles.insert_many([{"url": f"a/{i}", "title": f"t{i}"} for i in range(30)])
        reader = ArticleReader(db, max_size=100, max_delay=0.05)
        writer = AnalysisWriter(db, max_size=100, max_delay=0.05)
        find, bulk_write = db.articles.find, db.articles.bulk_write

        def counting_find(query, *args, **kwargs):
            calls.append(("find", len(query["url"]["$in"])))
            return find(query, *args, **kwargs)

        async def counting_write(ops, **kwargs):
            calls.append(("write", len(ops)))
            return await bulk_write(ops, **kwargs)

        reader.collection = type("Counted", (), {"find": staticmethod(counting_find)})()
        writer.collection = type("Counted", (), {"bulk_write": staticmethod(counting_write)})()
        urls = [f"a/{i}" for i in range(30)] + ["missing"]
        docs = await asyncio.gather(*(reader.find(u) for u in urls))
        await asyncio.gather(*(writer.store(u, {"score": n}) for n, u in enumerate(urls)))
        await reader.close()
        await writer.close()
        await client.close()
        assert reader.absent == {"missing"}  # what the article batcher will insert rather than upsert
        return docs

    docs = asyncio.run(main())
    assert calls == [("find", 31), ("write", 31)]
    assert [d["title"] for d in docs[:30]] == [f"t{i}" for i in range(30)] and docs[30] is None
    assert [d["analysis"]["score"] for d in mongo_db.articles.find().sort("title", 1)][:2] == [0, 1]
    assert mongo_db.articles.count_documents({"analysis.score": {"$gte": 0}}) == 30
    assert mongo_db.articles.count_documents({"url": "missing"}) == 0  # an analysis never creates an article


def test_a_read_outage_fails_every_waiting_request(mongo_uri, db_name):
    async def main():
        client = AsyncMongoClient(mongo_uri, serverSelectionTimeoutMS=500)
        reader = ArticleReader(client[db_name], max_size=10, max_delay=0.01)
        await client.close()
        return await asyncio.gather(reader.find("x"), reader.find("y"), return_exceptions=True)

    assert all(isinstance(x, Exception) for x in asyncio.run(main()))


def test_what_is_analysed_before_a_write_is_what_a_read_after_it_gives(mongo_uri, db_name, mongo_db):
    """as_stored: dates at the database's millisecond precision and in UTC; a projected read brings only
    the named fields (and the url)."""
    local = timezone(timedelta(hours=8))
    doc = {"url": "d/1", "title": "t", "published_at": datetime(2026, 2, 4, 7, 30, 1, 123999, tzinfo=local),
           "fetched_at": datetime(2026, 2, 4, 0, 0, 0, 999, tzinfo=UTC), "analysis": {"score": 1}}  # fmt: skip
    mongo_db.articles.insert_one(dict(doc))
    read = mongo_db.articles.find_one({"url": "d/1"}, {"_id": 0})
    assert as_stored(doc) == read
    assert (
        as_stored(doc)["published_at"].isoformat()
        == read["published_at"].isoformat()
        == "2026-02-03T23:30:01.123000+00:00"
    )

    async def main():
        client = AsyncMongoClient(mongo_uri, tz_aware=True)
        reader = ArticleReader(client[db_name], projection={"analysis": 1}, max_size=10, max_delay=0.01)
        found = await asyncio.gather(reader.find("d/1"), reader.find("d/2"))
        await client.close()
        return found

    found = asyncio.run(main())
    assert [{k: v for k, v in d.items() if k != "_id"} for d in found if d] == [
        {"url": "d/1", "analysis": {"score": 1}}
    ]
    assert found[1] is None


def test_an_article_read_as_new_is_inserted_as_its_upsert_would_create_it(mongo_uri, db_name, mongo_db):
    """A URL in `absent` (a read found no article of it) is inserted; if another write stored the URL in
    the meantime (or the same batch holds it twice), that one is upserted after all: never a duplicate,
    first_seen kept."""

    async def main():
        client = AsyncMongoClient(mongo_uri, tz_aware=True)
        coll = client[db_name].articles
        await coll.create_index("url", unique=True)
        await coll.insert_one({"url": "n/taken", "title": "old", "first_seen": 0})
        absent = {"n/inserted", "n/taken", "n/twice"}
        batcher = ArticleBatcher(client[db_name], absent=absent, max_size=100, max_delay=0.05)
        fields = {"title": "t", "content": "c", "published_at": datetime(2026, 2, 4, tzinfo=UTC)}
        outcomes = await asyncio.gather(
            batcher.upsert("n/inserted", dict(fields)),
            batcher.upsert("n/upserted", dict(fields)),
            batcher.upsert("n/taken", dict(fields)),
            batcher.upsert("n/twice", {**fields, "title": "first"}),
            batcher.upsert("n/twice", {**fields, "title": "second"}),
        )
        assert not absent  # each URL is inserted at most once on the strength of one read
        await batcher.close()
        await client.close()
        return outcomes

    outcomes = asyncio.run(main())
    assert outcomes == [True, True, False, True, False]
    docs = {d["url"]: d for d in mongo_db.articles.find({}, {"_id": 0})}
    assert len(docs) == 4
    inserted, upserted = docs["n/inserted"], docs["n/upserted"]
    assert inserted["first_seen"] == inserted["last_seen"]
    same = {k: v for k, v in inserted.items() if k not in ("url", "first_seen", "last_seen")}
    assert same == {k: v for k, v in upserted.items() if k not in ("url", "first_seen", "last_seen")}
    assert set(inserted) == set(upserted)
    assert docs["n/taken"]["first_seen"] == 0 and docs["n/taken"]["title"] == "t"
    assert docs["n/twice"]["title"] == "second"
