"""Tabular datasets: rows of named numeric features, for dense networks.

Owns reading iris from scikit-learn's bundled copy (nothing downloads). Features are returned
raw, in their own units; the registry in `engine.data` samples and shuffles, and the model's
input normalisation is the session's business.
"""
from __future__ import annotations

import functools

import numpy as np

IRIS_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
IRIS_SPECIES = ("setosa", "versicolor", "virginica")


@functools.cache
def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """All 150 flowers: X float32 [150, 4] (IRIS_FEATURES, cm), y int64 species 0..2.

    Read-only and cached: callers index it, which copies.
    """
    from sklearn.datasets import load_iris as sklearn_iris
    bunch = sklearn_iris()
    # Guard the names this module promises against a scikit-learn that reorders them.
    assert tuple(bunch.feature_names) == IRIS_FEATURES
    assert tuple(bunch.target_names) == IRIS_SPECIES
    X, y = bunch.data.astype(np.float32), bunch.target.astype(np.int64)
    X.flags.writeable = y.flags.writeable = False
    return X, y
