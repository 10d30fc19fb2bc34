"""A classifier that training broke without a non-finite loss: too large a step threw its
weights far from where they started and every unit died or saturated, so it predicts one class
for ever (a deep ReLU net at learning rate 10 sits at chance with a finite loss). `Collapse`
watches for that: accuracy at chance for PATIENCE epochs in a row while the largest weight has
grown GROWTH times its starting size. Session pauses it as "diverged", with the same advice as
a non-finite loss.
"""
from __future__ import annotations

import numpy as np
import torch

PATIENCE = 10            # epochs at chance in a row (a healthy net may start there a while)
MARGIN = 0.02            # accuracy this close to chance counts as chance
GROWTH = 5.0             # the largest |weight| this many times its starting size: thrown off
FLOOR = 0.1              # starting size of a net that starts at zero (init "zero")


def largest_weight(params) -> float:
    with torch.no_grad():
        return max((float(p.detach().abs().max()) for p in params if p.numel()), default=0.0)


class Collapse:
    def __init__(self, labels: np.ndarray, params):
        """`labels`: the training split's class indices; `params`: the model's, as initialised."""
        counts = np.bincount(np.asarray(labels, dtype=np.int64)) if len(labels) else [1]
        self.chance = float(max(counts) / max(1, sum(counts)))   # always the commonest class
        self.start = max(FLOOR, largest_weight(params))
        self.epochs = 0

    def update(self, accuracy: float | None, params) -> str | None:
        """After an epoch: why training has collapsed, or None."""
        if accuracy is None or accuracy > self.chance + MARGIN:
            self.epochs = 0
            return None
        self.epochs += 1
        if self.epochs < PATIENCE:
            return None
        grown = largest_weight(params) / self.start
        if grown < GROWTH:
            return None
        times = "over a million times" if grown >= 1e6 else f"{grown:,.0f} times"
        return (f"accuracy has stayed at chance ({accuracy:.0%}) for {self.epochs} epochs and "
                f"the largest weight grew {times} its starting size")
