"""The speed limit: a playing session (or a batched group) takes at most `training.speed` epochs
a second, step by step, and never bursts to catch up; speed 0 is no limit."""
from __future__ import annotations

import pytest

from engine.spec.parse import parse_spec
from engine.training.batched import BatchedGroup
from engine.training.pace import MAX_LAG_S, Pace
from engine.training.session import Session


class Clock:
    """Time that moves only when told to (train_for reads it often)."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_no_limit_at_speed_zero():
    assert Pace().allowed(0, 25, 0, 0.0) is None


def test_steps_follow_the_clock_from_the_anchor():
    pace = Pace()
    assert pace.allowed(2, 25, 100, 10.0) == 0              # the anchor: nothing owed yet
    assert pace.allowed(2, 20, 100, 10.125) == 5            # 2 epochs/s × 20 steps × 1/8 s
    assert pace.allowed(2, 20, 104, 10.25) == 6             # 10 owed since the anchor, 4 done
    pace.restart()
    assert pace.allowed(2, 20, 110, 50.0) == 0


def test_a_starved_session_is_not_owed_a_burst():
    pace = Pace()
    pace.allowed(10, 10, 0, 0.0)
    late = pace.allowed(10, 10, 0, 5.0)                      # 500 steps owed after 5 s away
    assert late == int(10 * 10 * MAX_LAG_S)
    assert pace.allowed(10, 10, late, 5.0) == 0


def spec(speed, **training):
    return parse_spec({"data": {"dataset": "xor", "samples": 200},       # 100 train, 10 a batch
                       "training": {"speed": speed, "batch_size": 10, **training}})


@pytest.mark.parametrize("speed", [1, 5, 20])
def test_a_session_plays_at_its_speed(speed):
    s, clock = Session(spec(speed)), Clock()
    s.play()
    for _ in range(100):                                     # 2 s in rounds of 20 ms
        s.train_for(1.0, clock)
        clock.now += 0.02
    assert s.epoch == pytest.approx(2 * speed, abs=1)
    assert s.step == pytest.approx(2 * speed * 10, abs=10)


def test_speed_zero_trains_the_whole_slice():
    s = Session(spec(0))
    s.play()
    ticks = iter(range(10**6))
    s.train_for(0.5, lambda: next(ticks) * 0.001)          # a clock that runs 1 ms a reading
    assert s.step >= 400


def test_a_speed_change_counts_from_then():
    s, clock = Session(spec(1)), Clock()
    s.play()
    for _ in range(50):
        s.train_for(1.0, clock)
        clock.now += 0.02
    epochs = s.epoch
    s.configure(s.spec.with_training(speed=10))
    for _ in range(50):
        s.train_for(1.0, clock)
        clock.now += 0.02
    assert s.epoch - epochs == pytest.approx(10, abs=1)


def test_a_batched_group_plays_at_its_members_speed():
    members = [Session(spec(5, seed=seed)) for seed in (1, 2, 3)]
    for m in members:
        m.play()
    group, clock = BatchedGroup(members), Clock()
    for _ in range(100):
        group.train_for(1.0, clock)
        clock.now += 0.02
    group.release()
    assert all(m.epoch == pytest.approx(10, abs=1) for m in members)
