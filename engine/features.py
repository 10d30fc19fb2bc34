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


# name -> (label, dims, column function of x1, x2), in canonical order.
_TABLE: dict[str, tuple[str, tuple[int, ...], Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "x1": ("X₁", (0,), lambda a, b: a),
    "x2": ("X₂", (1,), lambda a, b: b),
    "x1sq": ("X₁²", (0,), lambda a, b: a * a),
    "x2sq": ("X₂²", (1,), lambda a, b: b * b),
    "x1x2": ("X₁X₂", (0, 1), lambda a, b: a * b),
    "sinx1": ("sin(X₁)", (0,), lambda a, b: np.sin(a)),
    "sinx2": ("sin(X₂)", (1,), lambda a, b: np.sin(b)),
    "cosx1": ("cos(X₁)", (0,), lambda a, b: np.cos(a)),
    "cosx2": ("cos(X₂)", (1,), lambda a, b: np.cos(b)),
}

FEATURES: dict[str, FeatureInfo] = {
    name: FeatureInfo(name, label, dims) for name, (label, dims, _) in _TABLE.items()
}


def feature_matrix(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Columns `names` (in that order) computed from raw points X [n, 2]: float32 [n, len(names)]."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2 or X.shape[1] != RAW_DIMS:
        raise ValueError(f"X must have shape [n, {RAW_DIMS}], got {list(X.shape)}")
    unknown = [n for n in names if n not in _TABLE]
    if unknown:
        raise ValueError(f"unknown features {unknown}; known: {', '.join(_TABLE)}")
    out = np.empty((X.shape[0], len(names)), dtype=np.float32)
    for col, name in enumerate(names):
        out[:, col] = _TABLE[name][2](X[:, 0], X[:, 1])
    return out
