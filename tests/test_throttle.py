"""Flood control per citizen (bots.throttle): bursts pass, then messages are spaced in order."""

from __future__ import annotations

import pytest

from bots.throttle import Limits, Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_messages_are_spaced_in_order() -> None:
    clock = Clock()
    t = Throttle(Limits(rate=5, burst=20, max_delay=60), clock)
    waits = [t.delay("flood@citizens.d") for _ in range(25)]
    assert waits[:20] == [0.0] * 20
    assert waits[20:] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert t.delay("calm@citizens.d") == 0.0  # nobody else waits for the flooder


def test_beyond_the_longest_delay_messages_are_refused_without_pushing_others_back() -> None:
    clock = Clock()
    t = Throttle(Limits(rate=10, burst=5, max_delay=1.05), clock)
    waits = [t.delay("f@c") for _ in range(20)]
    assert waits[:5] == [0.0] * 5
    assert max(w for w in waits if w is not None) <= 1.05
    refused = waits.count(None)
    assert refused == 20 - 5 - 10  # 10 fit in the one second of allowed delay
    clock.now += 10
    assert t.delay("f@c") == 0.0  # quiet for a while: a fresh burst


def test_the_sender_is_told_once_a_minute() -> None:
    clock = Clock()
    t = Throttle(Limits(), clock)
    assert t.should_tell("f@c") and not t.should_tell("f@c")
    clock.now += 61
    assert t.should_tell("f@c")


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [("DAMRONGDHAM_FLOOD_RATE", "fast", "not a number"),
     ("DAMRONGDHAM_FLOOD_BURST", "0", "positive"),
     ("DAMRONGDHAM_FLOOD_MAX_DELAY", "-1", "positive")],
)  # fmt: skip
def test_bad_settings_name_the_variable(monkeypatch, name: str, value: str, words: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"{name}.*{words}|{words}"):
        Limits.from_env()


def test_settings_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("DAMRONGDHAM_FLOOD_RATE", "2.5")
    monkeypatch.setenv("DAMRONGDHAM_FLOOD_BURST", "7")
    assert Limits.from_env() == Limits(rate=2.5, burst=7, max_delay=60.0)


def test_a_burst_of_refused_messages_is_one_notice() -> None:
    clock = Clock()
    t = Throttle(Limits(rate=10, burst=5, max_delay=1.0), clock)
    notices = 0
    for _ in range(1000):  # a thousand in one instant: 15 pass or wait, the rest refused
        if t.delay("f@c") is None and t.should_tell("f@c", "refused"):
            notices += 1
        clock.now += 0.001
    assert notices == 1
    assert t.should_tell("f@c", "slowed")  # a kind of its own: at most two notices in all
    clock.now += 61
    assert t.delay("f@c") == 0.0 and t.should_tell("f@c", "refused")  # a new window


def test_anonymous_sessions_share_one_budget() -> None:
    clock = Clock()
    t = Throttle(Limits(rate=5, burst=20, max_delay=1.05, anon_rate=10, anon_burst=30), clock)
    # a hundred sessions, five messages each, at once: the pool lets 30 + 10 through
    waits = [t.delay(f"s{i}@anon.d", pool="pool") for i in range(100) for _ in range(5)]
    taken = [w for w in waits if w is not None]
    assert len(taken) == 30 + 10
    assert max(taken) <= 1.05
    assert t.delay("calm@citizens.d") == 0.0  # registered citizens are not in the pool
    one = Throttle(Limits(rate=5, burst=20, max_delay=1.05, anon_rate=10, anon_burst=30), clock)
    alone = [one.delay("s@anon.d", pool="pool") for _ in range(100)]
    assert len([w for w in alone if w is not None]) == 20 + 5  # and each session its own


def test_anonymous_pool_settings(monkeypatch) -> None:
    monkeypatch.setenv("DAMRONGDHAM_FLOOD_ANON_RATE", "12")
    monkeypatch.setenv("DAMRONGDHAM_FLOOD_ANON_BURST", "40")
    assert Limits.from_env() == Limits(anon_rate=12, anon_burst=40)
