"""Input features: catalogue and the feature matrix."""
import math

import numpy as np
import pytest

from engine.data.features import FEATURES, FeatureInfo, feature_matrix


ALL = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2", "cosx1", "cosx2"]


def test_catalogue_order_labels_dims():
    assert list(FEATURES) == ALL
    assert [f.label for f in FEATURES.values()] == [
        "X₁", "X₂", "X₁²", "X₂²", "X₁X₂", "sin(X₁)", "sin(X₂)", "cos(X₁)", "cos(X₂)"]
    dims = {n: f.dims for n, f in FEATURES.items()}
    assert dims == {"x1": (0,), "x2": (1,), "x1sq": (0,), "x2sq": (1,), "x1x2": (0, 1),
                    "sinx1": (0,), "sinx2": (1,), "cosx1": (0,), "cosx2": (1,)}
    assert all(isinstance(f, FeatureInfo) and f.name == n for n, f in FEATURES.items())


def test_values_by_hand():
    X = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, -math.pi / 2]])
    M = feature_matrix(X, ALL)
    assert M.dtype == np.float32 and M.shape == (3, 9)
    expected = [
        [1, 2, 1, 4, 2, math.sin(1), math.sin(2), math.cos(1), math.cos(2)],
        [-3, 0.5, 9, 0.25, -1.5, math.sin(-3), math.sin(0.5), math.cos(-3), math.cos(0.5)],
        [0, -math.pi / 2, 0, math.pi ** 2 / 4, 0, 0, -1, 1, 0],
    ]
    np.testing.assert_allclose(M, expected, atol=1e-6)


def test_order_follows_names():
    X = np.array([[2.0, 3.0]])
    np.testing.assert_allclose(feature_matrix(X, ["x1x2", "x2", "x1sq"]), [[6, 3, 4]])
    np.testing.assert_allclose(feature_matrix(X, ["x1sq", "x1x2"]), [[4, 6]])


def test_empty_and_repeated_names():
    X = np.zeros((4, 2), np.float32)
    assert feature_matrix(X, []).shape == (4, 0)
    assert feature_matrix(X, ["cosx1", "cosx1"]).tolist() == [[1, 1]] * 4


def test_float32_input_float32_output_large_batch():
    rng = np.random.default_rng(0)
    X = rng.uniform(-6, 6, (10000, 2)).astype(np.float32)
    M = feature_matrix(X, ALL)
    assert M.dtype == np.float32 and M.shape == (10000, 9)
    np.testing.assert_allclose(M[:, 4], X[:, 0] * X[:, 1], rtol=1e-6)
    np.testing.assert_allclose(M[:, 8], np.cos(X[:, 1]), atol=1e-6)


@pytest.mark.parametrize("X,names", [
    (np.zeros((3, 2)), ["x3"]),
    (np.zeros((3, 3)), ["x1"]),
    (np.zeros(3), ["x1"]),
])
def test_bad_input_raises(X, names):
    with pytest.raises(ValueError):
        feature_matrix(X, names)
