"""Input features: the catalogue of derived inputs (TF Playground's plus cos) and the
function that turns raw points [n, 2] into the network's input matrix."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

RAW_DIMS = 2    # raw inputs per point: x1, x2


@dataclass(frozen=True)
class FeatureInfo:
    name: str
    label: str
    dims: tuple[int, ...]   # raw inputs the feature reads: (0,), (1,) or (0, 1)
    column: Callable[[np.ndarray, np.ndarray], np.ndarray]   # of raw x1, x2
    code: str               # the same as a numpy expression of x1, x2 (the exported script's)


# In canonical order: the spec lists features in this order whatever order they came in.
FEATURES: dict[str, FeatureInfo] = {f.name: f for f in (
    FeatureInfo("x1", "X₁", (0,), lambda a, b: a, "x1"),
    FeatureInfo("x2", "X₂", (1,), lambda a, b: b, "x2"),
    FeatureInfo("x1sq", "X₁²", (0,), lambda a, b: a * a, "x1 * x1"),
    FeatureInfo("x2sq", "X₂²", (1,), lambda a, b: b * b, "x2 * x2"),
    FeatureInfo("x1x2", "X₁X₂", (0, 1), lambda a, b: a * b, "x1 * x2"),
    FeatureInfo("sinx1", "sin(X₁)", (0,), lambda a, b: np.sin(a), "np.sin(x1)"),
    FeatureInfo("sinx2", "sin(X₂)", (1,), lambda a, b: np.sin(b), "np.sin(x2)"),
    FeatureInfo("cosx1", "cos(X₁)", (0,), lambda a, b: np.cos(a), "np.cos(x1)"),
    FeatureInfo("cosx2", "cos(X₂)", (1,), lambda a, b: np.cos(b), "np.cos(x2)"),
)}


def feature_matrix(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Columns `names` (in that order) computed from raw points X [n, 2]: float32 [n, len(names)]."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2 or X.shape[1] != RAW_DIMS:
        raise ValueError(f"X must have shape [n, {RAW_DIMS}], got {list(X.shape)}")
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"unknown features {unknown}; known: {', '.join(FEATURES)}")
    out = np.empty((X.shape[0], len(names)), dtype=np.float32)
    for col, name in enumerate(names):
        out[:, col] = FEATURES[name].column(X[:, 0], X[:, 1])
    return out
