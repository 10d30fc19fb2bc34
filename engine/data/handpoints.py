"""Points placed by hand on the 2-D playground's plane (the "Your points" and "Your values" sets).

A hand set has no generator: its points travel in the spec (`data.points`, a list of
[x1, x2, label]) so saved experiments and share links carry them. This module owns their
limits, the starter set a new hand set opens with, and the (X, y) arrays a session trains on.
The spec parser checks points against these limits (engine.spec.handpoints).
"""
from __future__ import annotations

import numpy as np

HAND_EXTENT = 6.0               # the plane the output view draws: [-6, 6]² (frames.points.EXTENT)
MAX_HAND_POINTS = 500           # ~7 KB in a URL hash at 2 decimals; a click each is plenty
MIN_HAND_POINTS = 2             # one to train on, one to test on
HAND_DECIMALS = 2               # coordinates and values kept to 0.01: a URL round-trips exactly
HAND_VALUE_MAX = 1.0            # a regression point's value lies in [-1, 1], the colour scale
MAX_HAND_CLASSES = 4            # the class picker's colours

# The set a new hand-placed dataset opens with: two clusters of three (class 0 and 1), or
# the same places valued -1 and +1. Enough to train at once; "clear" empties the plane.
STARTER = (
    (-3.0, -3.0, 0), (-2.0, -3.5, 0), (-3.5, -2.0, 0),
    (3.0, 3.0, 1), (2.0, 3.5, 1), (3.5, 2.0, 1),
)


def starter(regression: bool) -> tuple[tuple[float, float, float], ...]:
    """The starter points: labels 0/1 as classes, or -1/+1 as values."""
    return tuple((x, y, (2.0 * c - 1.0) if regression else float(c)) for x, y, c in STARTER)


def arrays(points, regression: bool) -> tuple[np.ndarray, np.ndarray]:
    """X float32 [n, 2] and y (int64 classes, or float32 values) of validated points."""
    table = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    labels = table[:, 2].astype(np.float32 if regression else np.int64)
    return table[:, :2].astype(np.float32), labels
