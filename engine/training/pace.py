"""The speed limit of a playing session: at most `training.speed` epochs a second, counted in
optimiser steps from an anchor, so a slow speed still moves a step at a time. A session (or a
batched group) that fell behind does not race to catch up: it is held to at most MAX_LAG_S of
steps beyond where it is."""
from __future__ import annotations

import math

MAX_LAG_S = 0.25


class Pace:
    def __init__(self):
        self._anchor: tuple[float, int] | None = None     # (clock, steps done then)

    def restart(self) -> None:
        """Count afresh from the next call (after play, a speed change, a reset)."""
        self._anchor = None

    def allowed(self, speed: float, steps_per_epoch: int, steps_done: int, now: float):
        """How many more steps may run now; None when there is no limit (speed 0)."""
        if not speed:
            return None
        rate = speed * steps_per_epoch                     # steps a second
        if self._anchor is None:
            self._anchor = (now, steps_done)
        t0, s0 = self._anchor
        budget = s0 + math.floor((now - t0) * rate)
        lag = math.floor(rate * MAX_LAG_S)
        if budget - steps_done > lag:                      # starved: do not burst to catch up
            self._anchor = (now - MAX_LAG_S, steps_done)
            budget = steps_done + lag
        return max(0, budget - steps_done)
