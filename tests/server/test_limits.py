"""Token buckets and windows (server.limits): what passes, what is refused, and for how long."""
from __future__ import annotations

import pytest

from server.errors import SlowDown
from server.limits import MAX_KEYS, RATES, Connections, Limits, Rate


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def passes(limits: Limits, kind: str, tries: int, **keys) -> int:
    ok = 0
    for _ in range(tries):
        try:
            limits.take(kind, **keys)
            ok += 1
        except SlowDown:
            pass
    return ok


def test_a_bucket_allows_its_burst_then_its_rate_and_says_how_long_to_wait():
    clock = Clock()
    limits = Limits({"x": {"browser": Rate(3, 0.5, "testing")}}, clock=clock)
    assert passes(limits, "x", 10, browser="a") == 3
    with pytest.raises(SlowDown) as info:
        limits.take("x", browser="a")
    assert info.value.retry_after == 2 and "try again in 2 s" in info.value.errors[0]["message"]
    assert "too much testing" in info.value.errors[0]["message"]
    clock.now += 2
    assert passes(limits, "x", 10, browser="a") == 1
    assert passes(limits, "x", 10, browser="b") == 3          # another browser: its own bucket


def test_every_scope_must_have_a_token_and_a_refusal_spends_none():
    clock = Clock()
    limits = Limits({"x": {"browser": Rate(5, 1, "t"), "address": Rate(2, 1, "t")}}, clock=clock)
    assert passes(limits, "x", 5, browser="a", address="ip") == 2
    assert passes(limits, "x", 5, browser="b", address="ip") == 0    # the address is spent
    clock.now += 1
    assert passes(limits, "x", 5, browser="b", address="other") == 2    # b spent nothing before


def test_room_guesses_are_at_most_10_in_any_minute_per_address():
    clock = Clock()
    limits = Limits(clock=clock)
    allowed = []
    for second in range(600):                     # a guess every second for ten minutes
        clock.now = 1000.0 + second
        try:
            limits.take("room_guess", address="ip")
            allowed.append(second)
        except SlowDown:
            pass
    for start in range(600):
        assert sum(start <= t < start + 60 for t in allowed) <= 10, start
    assert len(allowed) >= 90                    # and 10 a minute do get through


def test_check_spends_nothing():
    limits = Limits({"x": {"address": Rate(1, 0.01, "t")}}, clock=Clock())
    for _ in range(5):
        limits.take("x", spend=False, address="ip")
    limits.take("x", address="ip")
    with pytest.raises(SlowDown):
        limits.take("x", spend=False, address="ip")


def test_a_flood_of_fresh_keys_does_not_grow_the_tables_without_bound():
    clock = Clock()
    limits = Limits({"x": {"browser": Rate(2, 0.001, "t")}}, clock=clock)
    for i in range(MAX_KEYS + 5000):
        limits.take("x", browser=f"b{i}")
    assert len(limits.buckets[("x", "browser")]) <= MAX_KEYS


def test_every_limit_has_a_burst_and_a_rate():
    for kind, scopes in RATES.items():
        for scope, rate in scopes.items():
            assert rate.burst >= 1 and rate.per_s > 0 and rate.what, (kind, scope)


def test_connections_per_address_and_browser():
    c = Connections(per_address=3, per_browser=2)
    assert c.admit("s1", "ip", "a") is None and c.admit("s2", "ip", "a") is None
    assert "browser" in c.admit("s3", "ip", "a")
    assert c.admit("s3", "ip", "b") is None
    assert "address" in c.admit("s4", "ip", "c")
    c.leave("s1")
    assert c.admit("s4", "ip", "c") is None
