"""The 2-D dataset registry and generators: shapes, determinism, and TF Playground semantics."""
import math

import numpy as np
import pytest

from engine.data.registry import POINT_DATASETS as DATASETS
from engine.data.registry import DatasetInfo, dataset_info, generate, preview

CLASSIFICATION = [n for n, i in DATASETS.items() if i.problem == "classification"]
REGRESSION = [n for n, i in DATASETS.items() if i.problem == "regression"]
MULTI = [(n, k) for n in CLASSIFICATION for k in range(2, DATASETS[n].max_classes + 1)]


def radius(X):
    return np.hypot(X[:, 0], X[:, 1])


# --- registry -------------------------------------------------------------------------------

def test_registry_order_and_metadata():
    assert list(DATASETS) == ["circle", "xor", "gauss", "spiral", "moons", "checkerboard",
                              "plane", "multi-gauss", "sine"]
    assert CLASSIFICATION == ["circle", "xor", "gauss", "spiral", "moons", "checkerboard"]
    expected_max = {"circle": 5, "xor": 2, "gauss": 8, "spiral": 5, "moons": 2, "checkerboard": 4,
                    "plane": 1, "multi-gauss": 1, "sine": 1}
    for name, info in DATASETS.items():
        assert isinstance(info, DatasetInfo) and info.name == name
        assert info.max_classes == expected_max[name]
        assert info.default_samples == (500 if info.problem == "classification" else 1200)
        assert info.dims == (1 if name == "sine" else 2)
        assert info.label and info.description
    assert DATASETS["multi-gauss"].label == "Multi Gaussian"


def test_info_is_frozen():
    with pytest.raises(AttributeError):
        DATASETS["circle"].max_classes = 9


@pytest.mark.parametrize("kwargs", [
    dict(name="nope"),
    dict(name="circle", classes=1),
    dict(name="circle", classes=6),
    dict(name="xor", classes=3),
    dict(name="moons", classes=3),
    dict(name="gauss", classes=9),
    dict(name="checkerboard", classes=5),
    dict(name="circle", noise=5),       # percent passed instead of a fraction
    dict(name="circle", noise=-0.1),
    dict(name="plane", samples=0),
])
def test_bad_arguments_raise_value_error(kwargs):
    args = dict(samples=100, noise=0.0, seed=1, classes=2) | kwargs
    with pytest.raises(ValueError):
        generate(**args)


def test_dataset_info_unknown_raises():
    with pytest.raises(ValueError):
        dataset_info("moon")
    assert dataset_info("spiral") is DATASETS["spiral"]


def test_regression_ignores_classes():
    a = generate("plane", 50, 0.1, 3, classes=2)
    b = generate("plane", 50, 0.1, 3, classes=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


# --- common properties ----------------------------------------------------------------------

@pytest.mark.parametrize("name", list(DATASETS))
def test_shapes_and_dtypes(name):
    X, y = generate(name, 301, 0.2, 7)
    assert X.shape == (301, 2) and X.dtype == np.float32
    assert y.shape == (301,)
    if name in CLASSIFICATION:
        assert y.dtype == np.int64
    else:
        assert y.dtype == np.float32
    assert np.isfinite(X).all() and np.isfinite(np.asarray(y, float)).all()
    assert np.abs(X).max() < 10   # roughly [-6, 6]^2 even at high noise


@pytest.mark.parametrize("name", list(DATASETS))
def test_deterministic_under_seed_and_different_across_seeds(name):
    X1, y1 = generate(name, 200, 0.25, 42)
    X2, y2 = generate(name, 200, 0.25, 42)
    X3, _ = generate(name, 200, 0.25, 43)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name,k", MULTI)
def test_labels_are_exactly_0_to_k_minus_1_and_balanced(name, k):
    n = 500
    _, y = generate(name, n, 0.0, 5, classes=k)
    assert set(np.unique(y).tolist()) == set(range(k))
    counts = np.bincount(y, minlength=k)
    if name == "xor":
        # xor draws points uniformly; the quadrants are only balanced in expectation.
        assert abs(counts[0] - counts[1]) < 0.2 * n
    else:
        assert counts.max() - counts.min() <= 1
    assert counts.sum() == n


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_rows_are_shuffled(name):
    _, y = generate(name, 400, 0.0, 1)
    # Class-grouped output would have a single label change; shuffled output has many.
    assert np.count_nonzero(np.diff(y)) > 50


def test_preview_fixed_and_noise_free():
    X, y = preview("circle")
    assert X.shape == (200, 2)
    X2, y2 = preview("circle")
    np.testing.assert_array_equal(X, X2)
    assert (radius(X[y == 1]) < 2.5).all()      # no noise: no flipped labels
    _, yk = preview("spiral", classes=4)
    assert set(yk.tolist()) == {0, 1, 2, 3}
    Xs, ys = preview("sine", n=50)
    assert Xs.shape == (50, 2)
    np.testing.assert_allclose(ys, np.sin(Xs[:, 0]), atol=1e-6)


# --- TF Playground semantics ----------------------------------------------------------------

def test_circle_radii_at_noise_zero():
    X, y = generate("circle", 1000, 0.0, 3)
    r = radius(X)
    assert (r[y == 1] < 2.5).all()
    assert (r[y == 0] >= 3.5 - 1e-5).all() and (r[y == 0] <= 5 + 1e-5).all()
    assert (y == 1).sum() == 500


def test_circle_noise_flips_labels_but_not_points():
    X, y = generate("circle", 1000, 0.5, 3)
    r = radius(X)
    # Points stay in their band (TF moves only the point the label is read at) ...
    assert ((r < 2.5) | (r >= 3.5 - 1e-5)).all()
    # ... so some labels disagree with where the point is.
    flipped = ((r < 2.5) & (y == 0)) | ((r >= 3.5 - 1e-5) & (y == 1))
    assert 0 < flipped.sum() < 500


@pytest.mark.parametrize("k", [3, 4, 5])
def test_circle_multi_class_rings(k):
    X, y = generate("circle", 1000, 0.0, 4, classes=k)
    r = radius(X)
    width = 5 / k
    ring = np.minimum(r // width, k - 1)
    np.testing.assert_array_equal(y, k - 1 - ring)   # class 0 outermost
    assert r[y == k - 1].max() < r[y == k - 2].min()  # rings are separated


def test_xor_padding_and_sign():
    X, y = generate("xor", 2000, 0.0, 9)
    assert (np.abs(X) >= 0.3 - 1e-6).all()
    assert (np.abs(X) <= 5.3 + 1e-5).all()
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(np.int64))


def test_xor_noise_flips_some_labels():
    X, y = generate("xor", 2000, 0.5, 9)
    wrong = y != (X[:, 0] * X[:, 1] > 0)
    assert 0 < wrong.sum() < 1000


def test_gauss_centres_and_spread_two_classes():
    X, y = generate("gauss", 4000, 0.0, 11)
    np.testing.assert_allclose(X[y == 1].mean(0), [2, 2], atol=0.1)
    np.testing.assert_allclose(X[y == 0].mean(0), [-2, -2], atol=0.1)
    # variance 0.5 at noise 0 and 4 at noise 0.5 (TF's scale)
    np.testing.assert_allclose(X[y == 1].var(0), [0.5, 0.5], rtol=0.15)
    Xn, yn = generate("gauss", 4000, 0.5, 11)
    np.testing.assert_allclose(Xn[yn == 1].var(0), [4, 4], rtol=0.15)


@pytest.mark.parametrize("k", [3, 5, 8])
def test_gauss_multi_class_centres_on_a_circle(k):
    X, y = generate("gauss", 400 * k, 0.0, 12, classes=k)
    centres = np.array([X[y == c].mean(0) for c in range(k)])
    np.testing.assert_allclose(radius(centres), 2 * math.sqrt(2), atol=0.15)
    # evenly spaced: neighbouring centres are all the same distance apart
    gaps = np.hypot(*(centres - np.roll(centres, 1, axis=0)).T)
    np.testing.assert_allclose(gaps, 2 * 2 * math.sqrt(2) * math.sin(math.pi / k), atol=0.2)


def test_spiral_matches_tf_arms():
    n = 500
    X, y = generate("spiral", n, 0.0, 2)
    assert (radius(X) <= 5 + 1e-5).all()
    for c, offset in [(1, 0.0), (0, math.pi)]:        # class 1 is TF's +1 arm (offset 0)
        pts = X[y == c]
        r = radius(pts)
        order = np.argsort(r)
        i = np.arange(n // 2)
        np.testing.assert_allclose(r[order], 5 * i / (n // 2), atol=1e-5)
        t = 1.75 * 2 * math.pi * i / (n // 2) + offset
        expected = np.column_stack([5 * i / (n // 2) * np.sin(t), 5 * i / (n // 2) * np.cos(t)])
        np.testing.assert_allclose(pts[order], expected, atol=1e-4)


def test_spiral_noise_moves_points_by_at_most_noise():
    # Same seed: the generator draws the same stream, so rows pair up one to one.
    clean, yc = generate("spiral", 400, 0.0, 2)
    noisy, yn = generate("spiral", 400, 0.5, 2)
    np.testing.assert_array_equal(yc, yn)
    shift = np.abs(noisy - clean)
    assert shift.max() <= 0.5 + 1e-5 and shift.mean() > 0.1


def test_circle_noise_keeps_points_where_drawn():
    clean, _ = generate("circle", 400, 0.0, 2)
    noisy, _ = generate("circle", 400, 0.5, 2)
    np.testing.assert_array_equal(clean, noisy)


@pytest.mark.parametrize("k", [3, 4, 5])
def test_spiral_multi_class_arm_offsets(k):
    X, y = generate("spiral", 100 * k, 0.0, 2, classes=k)
    for c in range(k):
        pts = X[y == c]
        far = pts[np.argmax(radius(pts))]
        i = 99
        t = 1.75 * 2 * math.pi * i / 100 + math.pi + 2 * math.pi * c / k
        np.testing.assert_allclose(far, [5 * i / 100 * math.sin(t), 5 * i / 100 * math.cos(t)],
                                   atol=1e-4)


def test_plane_target():
    X, y = generate("plane", 1200, 0.0, 5)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10, atol=1e-6)
    assert (np.abs(X) <= 6).all()
    Xn, yn = generate("plane", 1200, 0.5, 5)
    err = np.abs(yn - (Xn[:, 0] + Xn[:, 1]) / 10)
    assert err.max() > 0.1 and err.max() <= 0.6 + 1e-5   # offsets U(-3, 3) per axis / 10


def test_multi_gauss_values():
    X, y = generate("multi-gauss", 2000, 0.0, 6)
    assert (np.abs(y) <= 1).all()
    assert y.max() > 0.8 and y.min() < -0.8
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    for cx, cy, sign in bumps:
        near = np.hypot(X[:, 0] - cx, X[:, 1] - cy) < 1.0
        assert near.any()
        # within 1 of a centre, that cone dominates: value = sign * (1 - d/2)
        d = np.hypot(X[near, 0] - cx, X[near, 1] - cy)
        np.testing.assert_allclose(y[near], sign * (1 - d / 2), atol=1e-5)
    far = np.min([np.hypot(X[:, 0] - cx, X[:, 1] - cy) for cx, cy, _ in bumps], axis=0) >= 2
    assert (y[far] == 0).all()


# --- new datasets ---------------------------------------------------------------------------

def test_moons_shape_at_noise_zero():
    X, y = generate("moons", 1000, 0.0, 8)
    scale, centre = 10 / 3, np.array([0.5, 0.25])
    unscaled = X / scale + centre
    upper, lower = unscaled[y == 0], unscaled[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1, atol=1e-5)
    assert (upper[:, 1] >= -1e-5).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1, atol=1e-5)
    assert (lower[:, 1] <= 0.5 + 1e-5).all()
    assert X[:, 0].min() > -5.01 and X[:, 0].max() < 5.01 and np.ptp(X[:, 0]) > 9.5


def test_moons_noise_moves_points():
    X, y = generate("moons", 1000, 0.3, 8)
    unscaled = X / (10 / 3) + np.array([0.5, 0.25])
    off = np.abs(np.hypot(*unscaled[y == 0].T) - 1)
    assert off.mean() > 0.1


@pytest.mark.parametrize("k", [2, 3, 4])
def test_checkerboard_cell_parity(k):
    X, y = generate("checkerboard", 1000, 0.0, 10, classes=k)
    assert (np.abs(X) <= 6).all()
    i = np.floor((X[:, 0] + 6) / 3).astype(int)
    j = np.floor((X[:, 1] + 6) / 3).astype(int)
    np.testing.assert_array_equal(y, (i + j) % k)
    assert len(set(zip(i.tolist(), j.tolist()))) == 16     # every cell is used


def test_checkerboard_noise_moves_points_across_cells():
    X, y = generate("checkerboard", 1000, 0.5, 10)
    i = np.floor((X[:, 0] + 6) / 3).astype(int)
    j = np.floor((X[:, 1] + 6) / 3).astype(int)
    wrong = (i + j) % 2 != y
    assert 0 < wrong.sum() < 500


def test_sine():
    X, y = generate("sine", 1200, 0.0, 4)
    assert (X[:, 1] == 0).all()
    assert X[:, 0].min() < -5.5 and X[:, 0].max() > 5.5
    np.testing.assert_allclose(y, np.sin(X[:, 0]), atol=1e-6)
    Xn, yn = generate("sine", 4000, 0.5, 4)
    resid = yn - np.sin(Xn[:, 0])
    assert 0.2 < resid.std() < 0.3     # std = 0.5 * noise
    assert (Xn[:, 1] == 0).all()
