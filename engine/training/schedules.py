"""Learning-rate schedules: what multiplies the learning rate at each optimiser step.

The rate used by step t (t = 0 for the first step after a reset; a continued saved run goes on
from its step count) is

    learning_rate × warm_up(t) × schedule(t)

where `learning_rate` is the spec's live field (changing it mid-run rescales the curve at once,
the position on it stays). Positions are counted in optimiser steps; one epoch is
`steps_per_epoch = ceil(training examples / batch size)` steps at the current batch size, so
`schedule_epochs` E spans T = E × steps_per_epoch steps and `warmup` W epochs span
W × steps_per_epoch steps. Each factor is the closed form of a torch.optim.lr_scheduler
stepped once per batch (its tests use them as the oracle):
- constant: 1.
- step: gamma ** (t // T)                                   StepLR(step_size=T, gamma)
- cosine: (1 + cos(π t / T)) / 2, then 0 from step T on      CosineAnnealingLR(T_max=T)
- one_cycle: from 1/25 up to 1 over the first 30 % of T, then down to 1/25/10⁴ at T − 1 (cosine
  annealing both ways), then held                           OneCycleLR(max_lr=lr, total_steps=T)
- warm-up: (t + 1) / Wₛ for t < Wₛ steps, then 1             LinearLR(1/Wₛ, 1, total_iters=Wₛ − 1)
Pure arithmetic on floats: the exported model.py lifts `lr_factor` and computes the same rates.
"""
from __future__ import annotations

import math


ONE_CYCLE_PCT = 0.3            # OneCycleLR's defaults: the rise takes 30 % of the cycle,
ONE_CYCLE_DIV = 25.0           # starts at max_lr / 25
ONE_CYCLE_FINAL_DIV = 1e4      # and ends at that / 10⁴
CURVE_POINTS = 120             # points of the curve drawn beside the learning-rate control


def _anneal_cos(start: float, end: float, pct: float) -> float:
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def lr_factor(kind: str, t: int, steps_per_epoch: int, epochs: int, gamma: float,
              warmup: int) -> float:
    """The factor that multiplies the learning rate at optimiser step t (module docstring)."""
    total = max(1, epochs * steps_per_epoch)
    if kind == "step":
        factor = gamma ** (t // total)
    elif kind == "cosine":
        factor = (1 + math.cos(math.pi * t / total)) / 2 if t < total else 0.0
    elif kind == "one_cycle":
        low = 1.0 / ONE_CYCLE_DIV
        rise_end = ONE_CYCLE_PCT * total - 1
        if t <= rise_end:
            factor = _anneal_cos(low, 1.0, t / rise_end if rise_end > 0 else 1.0)
        else:
            fall = min(1.0, (t - rise_end) / max(total - 1 - rise_end, 1e-12))
            factor = _anneal_cos(1.0, low / ONE_CYCLE_FINAL_DIV, fall)
    else:
        factor = 1.0
    warm = warmup * steps_per_epoch
    if warm > 1 and t < warm:
        factor *= (t + 1) / warm
    return factor


def is_constant(training) -> bool:
    """Whether a training spec's rate never changes by itself (no schedule, no warm-up)."""
    return training.schedule == "constant" and not training.warmup


def steps_per_epoch(train_examples: int, batch_size: int) -> int:
    return max(1, math.ceil(train_examples / batch_size))


def curve(training, points: int = CURVE_POINTS) -> dict | None:
    """The schedule's shape over epochs, for the page: {"epoch": [...], "factor": [...],
    "marks": [{"epoch", "label"}]} sampled at `points` positions (as if an epoch were many
    steps), or None when the rate is constant."""
    if is_constant(training):
        return None
    kind, length, warm = training.schedule, training.schedule_epochs, training.warmup
    if kind == "step":
        span = max(length * 3, warm)
    else:
        span = max(length, warm) if kind != "constant" else warm
    span = max(1, span)
    fine = max(1, points // span)                  # steps per epoch for the drawing
    epochs = [span * i / (points - 1) for i in range(points)]
    factor = [lr_factor(kind, round(e * fine), fine, length, training.gamma, warm)
              for e in epochs]
    marks = []
    if warm:
        marks.append({"epoch": warm, "label": "warm-up ends"})
    if kind == "step":
        marks += [{"epoch": length * k, "label": f"× {training.gamma:g}"} for k in (1, 2)]
    elif kind in ("cosine", "one_cycle"):
        marks.append({"epoch": length, "label": "schedule ends"})
    return {"epoch": [round(e, 4) for e in epochs], "factor": [round(f, 6) for f in factor],
            "marks": marks}
