"""The resources a process's crawlers share (newsbot.runtime.resources): one set per CrawlerProcess,
handed to each crawler it makes; a crawler nobody shared with has its own."""

from __future__ import annotations

import asyncio
import json

from scrapy.utils.test import get_crawler

from newsbot.analysis.llm import LLMConfig
from newsbot.fetch.middlewares import AddressPolicyMiddleware
from newsbot.fetch.snapshot import load_snapshot
from newsbot.runtime.resources import ProcessResources, resources_of, share_resources


class Process:
    """Stands for a CrawlerProcess: anything the resources can hang on."""


def test_crawlers_of_one_process_share_its_resources_and_others_do_not():
    process = Process()
    first, second, alone = get_crawler(), get_crawler(), get_crawler()
    share_resources(process, first)
    share_resources(process, second)
    assert resources_of(first) is resources_of(second) is resources_of(process)
    assert resources_of(alone) is resources_of(alone) is not resources_of(process)


def test_the_middleware_sees_the_names_the_process_resolver_refused():
    process, crawler = Process(), get_crawler()
    share_resources(process, crawler)
    middleware = AddressPolicyMiddleware.from_crawler(crawler)
    resources_of(process).refused_names["intranet.example"] = "10.0.0.1"  # what the resolver records
    assert middleware.refused_names == {"intranet.example": "10.0.0.1"}


def test_slots_and_gates_are_one_per_stage_or_endpoint_and_per_event_loop():
    shared = ProcessResources()
    cfg = LLMConfig.from_settings(get_crawler().settings)

    async def take():
        return shared.analysis_slots("judge", 2), shared.analysis_slots("judge", 9), shared.gate(cfg), shared.gate(cfg)

    judge, again, gate, same_gate = asyncio.run(take())
    assert judge is again and gate is same_gate
    first_loop_resources = shared._loop_resources
    later, _, other_loop_gate, _ = asyncio.run(take())
    assert later is not judge and other_loop_gate is not gate  # asyncio objects never cross loops
    assert shared._loop_resources is not first_loop_resources  # the first loop's left with it


def test_a_new_loop_that_reuses_a_dead_loops_id_still_gets_its_own_objects():
    """CPython hands a freed loop's address (its id()) to the next loop often: keying by id() gave
    the second loop the first one's semaphore, which then failed as bound to another loop."""
    shared = ProcessResources()

    async def take():
        return shared.analysis_slots("judge", 2), None

    slots = [asyncio.run(take())[0] for _ in range(20)]  # the list keeps every semaphore alive
    assert all(a is not b for a, b in zip(slots, slots[1:], strict=False))


def test_a_snapshot_is_parsed_once_per_cache_while_its_manifest_is_unchanged(tmp_path):
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(json.dumps({"url": "https://a.example/", "status": 200, "body": "a.html"}) + "\n")
    (tmp_path / "a.html").write_text("a")
    cache: dict = {}
    first = load_snapshot(tmp_path, cache)
    assert load_snapshot(tmp_path, cache) is first
    assert load_snapshot(tmp_path) is not first  # another cache (another process) parses its own
    manifest.write_text(
        manifest.read_text() + json.dumps({"url": "https://b.example/", "status": 200, "body": "a.html"}) + "\n"
    )
    assert len(load_snapshot(tmp_path, cache).entries) == 2 and len(cache) == 1
