"""The LLM path: LangChain ChatOpenAI against any OpenAI-compatible endpoint.

- Structured output is a setting (json_schema | json_mode | function_calling), because providers
  differ: with_structured_output(pydantic) always sends strict json_schema, which DeepSeek, Qwen
  and Kimi in thinking mode reject. We bind the response format ourselves and validate the reply
  with pydantic and our own checks, whatever the method.
- Every request passes a gate shared by the process (all crawlers of a `scrapy digest`): at most
  NEWSBOT_LLM_CONCURRENCY in flight and, optionally, NEWSBOT_LLM_RPS starts per second.
- 429, 5xx, timeouts and connection errors are retried with exponential backoff (Retry-After is
  honoured); other HTTP errors are not, since asking again cannot fix a bad key or a bad request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from newsbot.analysis.schema import (
    REASON_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    Category,
    Importance,
    ModelJudgement,
    Region,
)
from newsbot.config import config_for
from newsbot.runs import stat_keys as keys
from newsbot.text.dates import strip_date_prefix
from newsbot.text.lang import is_chinese
from newsbot.text.links import has_url

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage, HumanMessage

logger = logging.getLogger(__name__)

# The longest date prefix ("12月31日消息，") is 8 characters; the stored summary_zh stays within the cap.
MODEL_SUMMARY_MAX = SUMMARY_MAX_CHARS - 8
MAX_RETRY_AFTER = 30.0


@dataclass
class LLMConfig:
    model: str = "gpt-4o-mini"
    method: str = "json_schema"
    base_url: str | None = None
    api_key: str | None = None
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0
    concurrency: int = 8
    rps: float = 0.0
    temperature: float = 0.0
    max_output_tokens: int = 800
    # llama.cpp's Python server constrains json_object output with a schema given next to it.
    json_mode_schema: bool = False

    @classmethod
    def from_settings(cls, settings) -> LLMConfig:
        a = config_for(settings).analysis
        return cls(
            model=a.llm_model,
            method=a.llm_method,
            base_url=os.environ.get("OPENAI_BASE_URL") or None,
            api_key=os.environ.get("OPENAI_API_KEY") or None,
            timeout=a.llm_timeout,
            retries=a.llm_retries,
            backoff=a.llm_backoff,
            concurrency=a.llm_concurrency,
            rps=a.llm_rps,
            temperature=a.llm_temperature,
            max_output_tokens=a.llm_max_output_tokens,
            json_mode_schema=a.llm_json_mode_schema,
        )


# --- the gate: concurrency and rate, shared by every analyzer in the process -----------------------
class Gate:
    def __init__(self, concurrency: int, rps: float):
        self.semaphore = asyncio.Semaphore(concurrency)
        self.interval = 1.0 / rps if rps > 0 else 0.0
        self._next_start = 0.0
        self._lock = asyncio.Lock()

    async def __aenter__(self):
        await self.semaphore.acquire()
        if self.interval:
            try:
                async with self._lock:
                    now = time.monotonic()
                    start = max(now, self._next_start)
                    self._next_start = start + self.interval
                if start > now:
                    await asyncio.sleep(start - now)
            except BaseException:
                self.semaphore.release()
                raise
        return self

    async def __aexit__(self, *exc):
        self.semaphore.release()


# --- errors --------------------------------------------------------------------------------------
class LLMCallError(RuntimeError):
    """The endpoint could not give an answer (after retries, or a non-retryable error)."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


def _transient() -> tuple[type[BaseException], ...]:
    import openai  # about a second to import: only a run that talks to a model pays for it

    return (
        openai.RateLimitError,
        openai.InternalServerError,
        openai.APITimeoutError,
        openai.APIConnectionError,
        asyncio.TimeoutError,
    )


def _error_kind(exc: BaseException) -> str:
    import openai

    if isinstance(exc, openai.RateLimitError):
        return "rate_limited"
    if isinstance(exc, openai.APITimeoutError | asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if isinstance(exc, openai.APIStatusError):
        return f"http_{exc.status_code}"
    return type(exc).__name__.lower()


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None


# --- the reply -----------------------------------------------------------------------------------
@dataclass
class Reply:
    text: str  # the JSON the model produced (content, or the forced tool call's arguments)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False


class ChatClient:
    """One ChatOpenAI per analyzer; retries, backoff and the gate are ours (max_retries=0)."""

    def __init__(self, cfg: LLMConfig, stats_hook=None, gate: Gate | None = None, breaker=None):
        import httpx
        from langchain_openai import ChatOpenAI

        self.cfg = cfg
        # Shared by the clients of every crawler of the process (newsbot.runtime.resources), so the
        # endpoint's rate limit holds across them; a client on its own has its own.
        self.gate = gate or Gate(cfg.concurrency, cfg.rps)
        self.stats_hook = stats_hook or (lambda key, value=1: None)
        # newsbot.analysis.breaker: fed every attempt's outcome; once open, no call is made or retried.
        self.breaker = breaker
        # Our own HTTP client: langchain-openai's default one is cached process-wide and would
        # outlive the event loop it was first used on (tests and `evalprompts` run several loops).
        self.http = httpx.AsyncClient(
            timeout=cfg.timeout,
            limits=httpx.Limits(max_connections=cfg.concurrency + 4, max_keepalive_connections=cfg.concurrency),
        )
        self.chat = ChatOpenAI(
            http_async_client=self.http,
            model=cfg.model,
            # Local servers (Ollama, llama.cpp, vLLM) take any key; the client insists on one.
            api_key=cfg.api_key or "not-needed",
            base_url=cfg.base_url,
            timeout=cfg.timeout,
            max_retries=0,
            temperature=cfg.temperature,
            max_tokens=cfg.max_output_tokens,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    def _check_breaker(self) -> None:
        if self.breaker is not None and self.breaker.open:
            raise LLMCallError(f"the LLM breaker is open ({self.breaker.endpoint} is down)", "breaker_open")

    def _failed(self, exc: BaseException, call_over: bool) -> str:
        kind = _error_kind(exc)
        self.stats_hook(keys.under(keys.LLM_ERRORS, kind))
        if self.breaker is not None:
            self.breaker.failure(kind, call_over)
        return kind

    async def _wait(self, delay: float) -> None:
        """The backoff before a retry, cut short when the breaker opens meanwhile (checked every 0.1 s:
        the breaker is shared across event loops, so it holds no asyncio event to wait on)."""
        end = time.monotonic() + delay
        while (left := end - time.monotonic()) > 0:
            self._check_breaker()
            await asyncio.sleep(min(0.1, left))

    def _bound(self, name: str, schema: dict, strict_schema: dict):
        method = self.cfg.method
        if method == "json_schema":
            fmt = {"type": "json_schema", "json_schema": {"name": name, "schema": strict_schema, "strict": True}}
            return self.chat.bind(response_format=fmt)
        if method == "json_mode":
            fmt = {"type": "json_object"}
            if self.cfg.json_mode_schema:
                fmt["schema"] = schema
            return self.chat.bind(response_format=fmt)
        tool = {
            "type": "function",
            "function": {"name": name, "description": "Record the judgement.", "parameters": strict_schema},
        }
        # A forced call of the one "record" function is the structured-output channel, not a tool.
        return self.chat.bind_tools([tool], tool_choice={"type": "function", "function": {"name": name}})

    async def complete(
        self, messages: list[BaseMessage], name: str, schema: dict, strict_schema: dict, *, max_output_tokens: int = 0
    ) -> Reply:
        runnable = self._bound(name, schema, strict_schema)
        if max_output_tokens:
            runnable = runnable.bind(max_tokens=max_output_tokens)
        import openai

        gate = self.gate
        transient = _transient()
        attempts = 1 + max(0, self.cfg.retries)
        for attempt in range(1, attempts + 1):
            self._check_breaker()
            try:
                async with gate:
                    self._check_breaker()
                    self.stats_hook(keys.LLM_CALLS)
                    message = await asyncio.wait_for(runnable.ainvoke(messages), timeout=self.cfg.timeout + 5)
            except transient as exc:
                kind = self._failed(exc, attempt == attempts)
                if attempt == attempts:
                    raise LLMCallError(f"{kind} after {attempts} attempts", kind) from exc
                self.stats_hook(keys.LLM_RETRIES)
                delay = _retry_after(exc)
                if delay is None:
                    delay = self.cfg.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
                logger.debug("LLM %s (attempt %d/%d); retrying in %.2fs", kind, attempt, attempts, delay)
                await self._wait(delay)
                continue
            except openai.APIError as exc:
                kind = self._failed(exc, True)
                raise LLMCallError(f"{kind}: {str(exc).splitlines()[0][:200]}", kind) from exc
            if self.breaker is not None:
                self.breaker.success()
            usage = message.usage_metadata or {}
            reply = Reply(
                text=_reply_text(message),
                prompt_tokens=int(usage.get("input_tokens", 0) or 0),
                completion_tokens=int(usage.get("output_tokens", 0) or 0),
            )
            self.stats_hook(keys.LLM_PROMPT_TOKENS, reply.prompt_tokens)
            self.stats_hook(keys.LLM_COMPLETION_TOKENS, reply.completion_tokens)
            return reply
        raise AssertionError("unreachable")


def _reply_text(message) -> str:
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        return json.dumps(calls[0].get("args") or {}, ensure_ascii=False)
    invalid = getattr(message, "invalid_tool_calls", None) or []
    if invalid:
        return invalid[0].get("args") or ""
    content = message.content
    if isinstance(content, list):
        content = "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return content or ""


# --- schemas the model sees ----------------------------------------------------------------------
def judgement_schema(*, strict: bool) -> dict:
    """The model-facing schema, fields in the order a model should think: summary first.
    strict=True leaves out keywords OpenAI's strict mode rejects; the pydantic check covers them."""
    props: dict = {
        "summary": {"type": "string", "description": "一句中文摘要，不含日期前缀与网址"},
        "ai_relevant": {"type": "boolean"},
        "region": {"type": "string", "enum": [r.value for r in Region]},
        "category": {"type": "string", "enum": [c.value for c in Category]},
        "importance": {"type": "string", "enum": [i.value for i in Importance]},
        "score": {"type": "integer", "description": "0-100, within the band of the importance"},
        "reason": {"type": "string", "description": "入选理由，一句中文"},
        "tags": {"type": "array", "items": {"type": "string"}, "description": "3-6 short tags"},
    }
    if not strict:
        # No maxLength: grammar-constrained servers (llama.cpp) expand it into one rule per
        # character, which makes sampling crawl; the length cap is checked in code instead.
        props["score"].update(minimum=0, maximum=100)
        props["tags"].update(minItems=3, maxItems=6)
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def batch_schema(*, strict: bool) -> dict:
    """Several judgements in one reply, wrapped in an object (json_mode and function calling want an
    object at the top). Each element names its article by the fence's random token, so a reordered,
    shortened or padded array can never pin one article's judgement on another."""
    one = judgement_schema(strict=strict)
    item_id = {"type": "string", "description": "该条新闻的 id（分隔标记中的随机串），原样抄写"}
    item = {**one, "properties": {"id": item_id, **one["properties"]}, "required": ["id", *one["required"]]}
    items = {"type": "array", "items": item}
    return {"type": "object", "properties": {"items": items}, "required": ["items"], "additionalProperties": False}


def overview_schema(*, strict: bool, max_chars: int) -> dict:
    props: dict = {
        "highlights": {"type": "string", "description": f"以“重点关注：”开头的一到两句中文，不超过{max_chars}字"}
    }
    return {"type": "object", "properties": props, "required": ["highlights"], "additionalProperties": False}


# --- validation ----------------------------------------------------------------------------------
_FENCE_RE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


def parse_json_object(text: str) -> dict:
    """The reply's JSON object. A Markdown code fence around it is tolerated; anything else is not."""
    body = _FENCE_RE.sub("", text or "").strip()
    value = json.loads(body)
    if not isinstance(value, dict):
        raise ValueError("the reply is JSON but not an object")
    return value


def validate_judgement(text: str, fill_tags: list[str] | None = None) -> tuple[ModelJudgement | None, list[str]]:
    """The model's judgement, or None and the reasons it is invalid (they go into the re-ask)."""
    try:
        data = parse_json_object(text)
    except ValueError as exc:
        return None, [f"not a JSON object ({str(exc)[:80]})"]
    errors: list[str] = []
    summary = strip_date_prefix(str(data.get("summary", "")).strip().strip('"“”'))
    data["summary"] = summary
    reason = str(data.get("reason", "")).strip()
    data["reason"] = reason
    if not is_chinese(summary):
        errors.append("summary must be written in Chinese")
    if len(summary) > MODEL_SUMMARY_MAX:
        errors.append(f"summary is {len(summary)} characters; the limit is {MODEL_SUMMARY_MAX}")
    if not is_chinese(reason):
        errors.append("reason must be Chinese")
    if len(reason) > REASON_MAX_CHARS:
        errors.append(f"reason is {len(reason)} characters; the limit is {REASON_MAX_CHARS}")
    score = data.get("score")
    if isinstance(score, int | float) and not isinstance(score, bool):
        # The score only orders entries within a level and is clamped into the level's band later;
        # an out-of-range number is not worth a second paid call (grammar-constrained local models
        # cannot be held to minimum/maximum).
        data["score"] = max(0, min(100, int(score)))
    tags = data.get("tags")
    if isinstance(tags, list):
        clean: list[str] = []
        for tag in tags:
            tag = str(tag).strip().lstrip("#")
            if tag and len(tag) <= 20 and tag not in clean:
                clean.append(tag)
        # Too few tags is a small flaw, not a reason to pay for another call: pad from the evidence.
        for tag in fill_tags or []:
            if len(clean) >= 3:
                break
            if tag not in clean:
                clean.append(tag)
        data["tags"] = clean[:6]
    if any(has_url(v) for v in (summary, reason, *[str(t) for t in data.get("tags") or []])):
        errors.append("no URL may appear in summary, reason or tags")
    try:
        judgement = ModelJudgement.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            errors.append(f"{loc}: {err['msg']}")
        return None, errors
    return (None, errors) if errors else (judgement, [])


def reask_message(errors: list[str], previous: str) -> HumanMessage:
    from langchain_core.messages import HumanMessage

    shown = previous if len(previous) <= 600 else previous[:600] + "…"
    return HumanMessage(
        "上一次的输出无效，原因："
        + "；".join(errors)
        + "。\n上一次的输出是：\n"
        + shown
        + "\n请修正以上问题，只输出完整、合法的 JSON 对象。"
    )


def analysis_messages(system: str, user: str) -> list[BaseMessage]:
    # LangChain's message types import in about 0.3 s; a heuristic run never builds one.
    from langchain_core.messages import HumanMessage, SystemMessage

    return [SystemMessage(system), HumanMessage(user)]
