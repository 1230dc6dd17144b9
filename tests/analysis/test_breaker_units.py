"""The LLM breaker's rules (newsbot/analysis/breaker.py): what counts toward tripping it, what its one
line may show of the endpoint, and that it closes again after its cool-down."""

from __future__ import annotations

import logging

from newsbot.analysis import breaker as breaker_mod
from newsbot.analysis.breaker import TRIP_AFTER, Breaker, breaker_for, open_in_process, public_endpoint


def test_the_endpoint_shown_has_no_credentials_query_or_fragment():
    shown = public_endpoint("https://user:s3cret@llm.example.com:8443/v1?api-key=k3y#frag")
    assert shown == "https://llm.example.com:8443/v1"
    assert public_endpoint(None) == "https://api.openai.com/v1"
    assert public_endpoint("http://[::1]:8080/v1") == "http://[::1]:8080/v1"


def test_unreachable_attempts_trip_it_and_http_errors_count_per_failed_call(caplog):
    down = Breaker("http://127.0.0.1:9/v1", "m")
    with caplog.at_level(logging.ERROR, logger="newsbot.analysis.breaker"):
        for _ in range(TRIP_AFTER):
            down.failure("connection", call_over=False)
    assert down.open and down.trips == 1
    [record] = caplog.records
    assert "http://127.0.0.1:9/v1" in record.getMessage() and "offline" in record.getMessage()

    # One article's 500s, retried, are one failure; a success in between starts the count again.
    flaky = Breaker("http://x/v1", "m")
    for _ in range(TRIP_AFTER * 3):
        flaky.failure("http_500", call_over=False)
    assert not flaky.open
    for _ in range(TRIP_AFTER - 1):
        flaky.failure("http_500", call_over=True)
    flaky.success()
    flaky.failure("http_500", call_over=True)
    assert not flaky.open and flaky.failures == 1


def test_it_is_shared_per_endpoint_and_closes_after_the_cool_down(monkeypatch):
    one = breaker_for("http://a/v1", "m")
    assert breaker_for("http://a/v1", "m") is one and breaker_for("http://b/v1", "m") is not one
    for _ in range(TRIP_AFTER):
        one.failure("timeout", call_over=False)
    assert one.open and open_in_process()  # a render now is offline: a draft
    monkeypatch.setattr(breaker_mod, "COOL_DOWN", 0.0)
    assert not one.open and one.failures == 0
    assert not open_in_process()  # a long-lived process (the desk) renders from the model again
