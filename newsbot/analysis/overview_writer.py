"""今日总结: the report's closing overview.

    今日从172条原始信息中精选出15条国内动态和13条国际动态，其中12条为高重要性。 重点关注：…

The counts sentence is always written in code (numbers are facts, not prose). The "重点关注" part
comes from the LLM when one is configured, checked so that it names no organisation, person or
number absent from the entries, and cached in MongoDB (`llm_cache`) so re-rendering a report is
free; offline, or when the model's text fails the checks twice, it names the top three entries in
Chinese (`highlight`): a Chinese title, else the opening clause of a Chinese summary, else the
Chinese names of the entry's main entities and its category ("英伟达与OpenAI的融资动态"); never an
English title.

    from newsbot.analysis.overview_writer import compose_overview, compose_overview_sync
    result = await compose_overview(entries, raw_count=172, settings=settings, db=async_db)
    result = compose_overview_sync(entries, raw_count=172, settings=settings, db=pymongo_db)
    result.text  # the full overview line

`entries` are the selected report entries, ranked: dicts with title, summary (summary_zh),
source_name, region and importance.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsbot.analysis.analyzer_support import AnalysisConfig
from newsbot.analysis.breaker import breaker_for
from newsbot.analysis.lexicon import gazetteer
from newsbot.analysis.llm import (
    ChatClient,
    LLMCallError,
    analysis_messages,
    overview_schema,
    parse_json_object,
    reask_message,
)
from newsbot.analysis.prompts import load_prompts, make_fence
from newsbot.analysis.schema import Category, Importance
from newsbot.analysis.summary import lead_text
from newsbot.storage.errors import StoreError
from newsbot.storage.llm_cache import cache_answer, cached_answer
from newsbot.text.lang import is_chinese
from newsbot.text.links import has_url

logger = logging.getLogger(__name__)

OVERVIEW_MAX_CHARS = 200
HIGHLIGHT_PREFIX = "重点关注："
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
# Latin names ("OpenAI", "Kimi K2.5", "SenseCore"): each must occur in the entries.
_LATIN_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*[A-Za-z0-9]|[A-Z]")
_REGION_ZH = {"domestic": "国内", "international": "国际"}
_LEVEL_ZH = {"high": "高", "medium": "中", "low": "低"}


@dataclass
class OverviewResult:
    text: str
    analyzer: str  # llm | heuristic | heuristic-fallback
    cached: bool = False
    model: str | None = None
    prompt_version: str | None = None
    errors: list[str] | None = None
    # Tokens this call spent (zero when cached or offline).
    usage: dict = field(default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0})


def counts_sentence(entries: list[dict], raw_count: int) -> str:
    domestic = sum(1 for e in entries if e.get("region") == "domestic")
    international = sum(1 for e in entries if e.get("region") == "international")
    high = sum(1 for e in entries if e.get("importance") == "high")
    return (
        f"今日从{raw_count}条原始信息中精选出{domestic}条国内动态和{international}条国际动态，其中{high}条为高重要性。"
    )


HIGHLIGHT_MAX_CHARS = 40
HIGHLIGHT_ENTITIES = 2


def highlight(entry: dict) -> str:
    """One entry for 重点关注, in Chinese: its title when Chinese, else the opening clause of its Chinese
    summary, else its main entities' Chinese names and its category; "" when none of these exists."""
    title = (entry.get("title") or "").strip().rstrip("。")
    if is_chinese(title):
        return title
    lead = lead_text(entry.get("summary") or "")
    if is_chinese(lead):
        clause = re.split(r"[。；;！？]", lead, maxsplit=1)[0]
        cut = max((m.end() for m in re.finditer("，", clause[: HIGHLIGHT_MAX_CHARS + 1])), default=0)
        return (clause[: cut - 1] if len(clause) > HIGHLIGHT_MAX_CHARS and cut > 10 else clause)[:HIGHLIGHT_MAX_CHARS]
    names = gazetteer().names(title)
    actors = list(dict.fromkeys(names["organizations"] + names["people"]))[:HIGHLIGHT_ENTITIES]
    if not actors:
        return ""
    category = entry.get("category") or Category.other.value
    topic = "行业动态" if category == Category.other.value else category
    return f"{'与'.join(actors)}的{topic}" + ("" if topic.endswith("动态") else "动态")


def top_highlights(entries: list[dict], n: int = 3) -> list[str]:
    """The n most important entries that can be named in Chinese, in report order within a level."""
    ranked = sorted(entries, key=lambda e: Importance.order(e.get("importance")))
    return [h for h in (highlight(e) for e in ranked) if h][:n]


def heuristic_overview(entries: list[dict], raw_count: int) -> str:
    highlights = top_highlights(entries)
    text = counts_sentence(entries, raw_count)
    if highlights:
        text += f" {HIGHLIGHT_PREFIX}" + "；".join(highlights) + "。"
    return text


def check_highlights(text: str, entries: list[dict]) -> list[str]:
    """Problems with a model-written highlight: every name and number must come from the entries."""
    errors = []
    if not is_chinese(text):
        errors.append("highlights must be Chinese")
    if len(text) > OVERVIEW_MAX_CHARS:
        errors.append(f"highlights are {len(text)} characters; the limit is {OVERVIEW_MAX_CHARS}")
    if has_url(text):
        errors.append("no URL may appear")
    source = "\n".join(f"{e.get('title', '')}\n{e.get('summary', '')}\n{e.get('source_name', '')}" for e in entries)
    gaz = gazetteer()
    known = {m.entity.name for m in gaz.find(source)}
    for m in gaz.find(text):
        if m.entity.kind != "place" and m.entity.name not in known:
            errors.append(f"names {m.alias}, which no entry mentions")
    source_numbers = set(_NUMBER_RE.findall(source))
    for number in _NUMBER_RE.findall(text):
        if number not in source_numbers:
            errors.append(f"states the number {number}, which no entry contains")
    lowered = source.lower()
    for name in _LATIN_NAME_RE.findall(text):
        if len(name) > 1 and name.lower() not in lowered:
            errors.append(f"names {name}, which no entry mentions")
    return errors


def _entry_lines(entries: list[dict]) -> str:
    lines = []
    for i, e in enumerate(entries, 1):
        fields = (
            f"{i}.",
            _REGION_ZH.get(e.get("region", ""), ""),
            (e.get("title") or "").replace("|", "｜"),
            (e.get("summary") or "").replace("|", "｜"),
            (e.get("source_name") or "").replace("|", "｜"),
            _LEVEL_ZH.get(e.get("importance", ""), ""),
        )
        lines.append(" | ".join(fields))
    return "\n".join(lines)


def overview_messages(prompts, entries: list[dict]) -> list:
    """The exact system and user messages the overview model gets for these entries."""
    body = _entry_lines(entries)
    fence = make_fence(body)
    schema = overview_schema(strict=False, max_chars=OVERVIEW_MAX_CHARS)
    system = prompts.render_system(
        max_chars=OVERVIEW_MAX_CHARS, schema=json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
    )
    user = prompts.render_user(fence_open=fence.open, fence_close=fence.close, entries=body)
    return analysis_messages(system, user)


def cache_key(entries: list[dict], raw_count: int, model: str, version: str, counts: str | None = None) -> str:
    keep = [[e.get(k) for k in ("title", "summary", "source_name", "region", "importance")] for e in entries]
    parts = ["overview", model, version, raw_count, keep]
    # The cached text opens with the counts sentence: a caller's own (the week's) is part of the key.
    payload = json.dumps(parts + [counts] if counts else parts, ensure_ascii=False)
    return "overview-" + hashlib.sha256(payload.encode()).hexdigest()


async def compose_overview(
    entries: list[dict],
    *,
    raw_count: int,
    settings=None,
    config: AnalysisConfig | None = None,
    db=None,
    task: str = "overview",
    counts: str | None = None,
) -> OverviewResult:
    """The overview line. `db` may be an async (AsyncMongoClient) or a blocking (pymongo) database.
    `task` names the prompt pair ("weekly" for the 本周总结) and `counts` replaces the daily counts
    sentence the highlights follow."""
    config = config or AnalysisConfig.from_settings(settings)
    if not entries:
        return OverviewResult(heuristic_overview(entries, raw_count), "heuristic")
    # The factory imports the analyzers, which use this module's pieces.
    from newsbot.analysis.factory import make_analyzer

    analyzer = make_analyzer(config)
    try:
        return await analyzer.overview(entries, raw_count, db=db, task=task, counts=counts)
    finally:
        await analyzer.aclose()


async def llm_overview(
    config: AnalysisConfig, entries: list[dict], raw_count: int, *, db=None, task: str = "overview", counts=None
) -> OverviewResult:
    """The overview with the model's highlights (cached in `db`), or the heuristic's when they fail."""
    prompts = load_prompts(task, config.prompts_dir)
    key = cache_key(entries, raw_count, config.llm.model, prompts.version, counts)
    if db is not None:
        try:
            hit = await cached_answer(db, key)
        except StoreError as exc:
            logger.warning("overview cache unavailable: %s", str(exc).splitlines()[0])
            hit = None
        if hit:
            return OverviewResult(hit["text"], "llm", True, hit.get("model"), hit.get("prompt_version"))
    # The analyzers' breaker: a dead endpoint is one ERROR line for the whole process, and an overview
    # asked after it tripped goes offline at once instead of waiting out its retries.
    breaker = breaker_for(config.llm.base_url, config.llm.model)
    client = ChatClient(config.llm, breaker=breaker)
    errors: list[str] = []
    usage = [0, 0]
    try:
        schema = overview_schema(strict=False, max_chars=OVERVIEW_MAX_CHARS)
        messages = overview_messages(prompts, entries)
        highlights = None
        for attempt in (0, 1):
            reply = await client.complete(
                messages, "overview", schema, overview_schema(strict=True, max_chars=OVERVIEW_MAX_CHARS)
            )
            usage[0] += reply.prompt_tokens
            usage[1] += reply.completion_tokens
            try:
                candidate = str(parse_json_object(reply.text).get("highlights", "")).strip()
                errors = check_highlights(candidate, entries) if candidate else ["highlights are empty"]
            except ValueError as exc:
                candidate, errors = "", [f"not a JSON object ({str(exc)[:80]})"]
            if not errors:
                highlights = candidate
                break
            if attempt == 0:
                messages = [*messages, reask_message(errors, reply.text)]
    except LLMCallError as exc:
        errors = [str(exc)]
    finally:
        await client.aclose()
    if highlights is None:
        # Once the breaker is open its ERROR line has said why; one more line per overview would repeat it.
        log = logger.info if breaker.open else logger.warning
        log("LLM overview rejected (%s); using the heuristic overview", "; ".join(errors))
        return OverviewResult(
            heuristic_overview(entries, raw_count),
            "heuristic-fallback",
            errors=errors,
            usage={"prompt_tokens": usage[0], "completion_tokens": usage[1]},
        )
    if not highlights.startswith(HIGHLIGHT_PREFIX):
        highlights = HIGHLIGHT_PREFIX + highlights
    text = f"{counts or counts_sentence(entries, raw_count)} {highlights}"
    if db is not None:
        doc = {
            "task": task,
            "text": text,
            "model": config.llm.model,
            "prompt_version": prompts.version,
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1]},
            "created_at": datetime.now(UTC),
        }
        try:
            await cache_answer(db, key, doc)
        except StoreError as exc:
            logger.warning("could not cache the overview: %s", str(exc).splitlines()[0])
    return OverviewResult(
        text,
        "llm",
        False,
        config.llm.model,
        prompts.version,
        usage={"prompt_tokens": usage[0], "completion_tokens": usage[1]},
    )


def compose_overview_sync(entries: list[dict], *, raw_count: int, settings=None, config=None, db=None, **kwargs):
    """compose_overview for blocking callers (a report renderer) with a pymongo database. Called from
    inside a running event loop (a spider_closed handler), it runs the coroutine on a worker thread
    with a loop of its own, since asyncio.run cannot nest."""
    coro = compose_overview(entries, raw_count=raw_count, settings=settings, config=config, db=db, **kwargs)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="overview") as pool:
        return pool.submit(asyncio.run, coro).result()
