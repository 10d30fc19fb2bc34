"""Image and tabular datasets: digits, shapes, MNIST from IDX files, iris, the registry's
`dataset` entry point and the `shift` augmentation. Nothing is downloaded: MNIST tests write
small IDX files of their own."""
import gzip

import numpy as np
import pytest
import torch

from engine.data.errors import DataUnavailable
from engine.data.images import (FASHION_NAMES, MNIST_FILES, SHAPE_NAMES, load_mnist, read_idx,
                                write_idx)
from engine.data.registry import DATASETS, POINT_DATASETS, dataset, dataset_info, generate
from engine.training.augment import shift


POINT_NAMES = ["circle", "xor", "gauss", "spiral", "moons", "checkerboard",
               "plane", "multi-gauss", "sine"]
NEW = {   # name: (family, shape, classes, default samples, needs files)
    "digits": ("images", (1, 8, 8), 10, 1797, False),
    "shapes": ("images", (1, 16, 16), len(SHAPE_NAMES), 3000, False),
    "mnist": ("images", (1, 28, 28), 10, 30000, True),
    "fashion-mnist": ("images", (1, 28, 28), 10, 30000, True),
    "iris": ("tabular", (4,), 3, 150, False),
}
N_TRAIN, N_TEST = 20, 10
# Sequence sets have rows of their own shape and dtype: tests/engine/test_sequences_data.py.
NOT_SEQUENCES = [n for n, i in DATASETS.items() if i.family != "sequences" and not i.upload]
# Hand-placed sets hold the points their spec carries (tests/engine/data/test_handpoints.py).
HAND_NAMES = ["hand", "hand-values"]
DRAWN = [n for n in NOT_SEQUENCES if n not in HAND_NAMES]


def write_mnist(folder, n_train=N_TRAIN, n_test=N_TEST, gz=False, seed=0):
    """Four IDX files; every image is filled with 10 × its label, so rows can be checked."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    suffix = ".gz" if gz else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = np.broadcast_to(labels[:, None, None] * 10, (n, 28, 28)).astype(np.uint8)
        write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels)
    return folder


def orientation(images):
    """Mean structure tensor (Jxx, Jyy, Jxy) of a class: which way its intensity changes."""
    gy, gx = np.gradient(images[:, 0].astype(np.float64), axis=(1, 2))
    return (gx * gx).mean(), (gy * gy).mean(), (gx * gy).mean()


# --- registry -------------------------------------------------------------------------------

def test_registry_lists_points_then_the_new_families_in_order():
    assert NOT_SEQUENCES == POINT_NAMES + HAND_NAMES + list(NEW)
    assert list(POINT_DATASETS) == POINT_NAMES
    for name in POINT_NAMES:
        info = DATASETS[name]
        assert (info.family, info.shape, info.class_names, info.needs_data_dir) == \
            ("points", (), (), False)


@pytest.mark.parametrize("name", list(NEW))
def test_new_entries_metadata(name):
    family, shape, classes, samples, needs = NEW[name]
    info = dataset_info(name)
    assert (info.family, info.shape, info.max_classes, info.default_samples, info.needs_data_dir) \
        == (family, shape, classes, samples, needs)
    assert info.problem == "classification" and len(info.class_names) == classes
    assert info.label and info.description


def test_class_names():
    assert DATASETS["digits"].class_names == tuple("0123456789") == DATASETS["mnist"].class_names
    assert DATASETS["fashion-mnist"].class_names == FASHION_NAMES
    assert FASHION_NAMES[0] == "T-shirt/top" and FASHION_NAMES[9] == "Ankle boot"
    assert DATASETS["iris"].class_names == ("setosa", "versicolor", "virginica")
    assert DATASETS["shapes"].class_names[:4] == ("horizontal line", "vertical line",
                                                  "diagonal \\", "diagonal /")


def test_generate_is_for_points_only():
    with pytest.raises(ValueError, match="dataset()"):
        generate("digits", 100, 0.0, 1)


@pytest.mark.parametrize("kwargs", [
    dict(name="shapes", noise=0.6),
    dict(name="shapes", samples=6),       # fewer than its 7 classes
    dict(name="digits", samples=1798),    # more than it holds
    dict(name="iris", samples=151),
    dict(name="iris", samples=2),         # fewer than its 3 species
])
def test_dataset_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        dataset(**(dict(samples=100, noise=0.0, seed=1) | kwargs))


# --- dispatch for every family --------------------------------------------------------------

@pytest.mark.parametrize("name", DRAWN)
def test_dataset_dispatches_every_family(name, tmp_path):
    write_mnist(tmp_path / "mnist")
    write_mnist(tmp_path / "fashion-mnist", seed=1)
    info = DATASETS[name]
    samples = min(30, info.default_samples)
    X, y = dataset(name, samples, 0.1, 4, data_dir=str(tmp_path))
    assert X.dtype == np.float32 and len(X) == len(y) == samples
    assert X.shape[1:] == (info.shape or (2,))
    if info.family == "points":
        X2, y2 = generate(name, samples, 0.1, 4)
        np.testing.assert_array_equal(X, X2)
        np.testing.assert_array_equal(y, y2)
        return
    assert y.dtype == np.int64 and 0 <= y.min() and y.max() < info.max_classes
    if info.family == "images":
        assert 0.0 <= X.min() and X.max() <= 1.0
    X2, y2 = dataset(name, samples, 0.1, 4, data_dir=str(tmp_path))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_fixed_classes_ignore_the_classes_argument():
    a = dataset("iris", 60, 0.0, 2, classes=2)
    b = dataset("iris", 60, 0.0, 2, classes=7)
    np.testing.assert_array_equal(a[0], b[0])


# --- digits ---------------------------------------------------------------------------------

def test_digits_all_of_them():
    X, y = dataset("digits", 1797, 0.0, 0)
    assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0          # 0..16 counts divided by 16
    assert sorted(np.unique(y).tolist()) == list(range(10))
    assert np.count_nonzero(np.diff(y)) > 1000         # shuffled, not grouped by digit


def test_digits_subset_is_seeded():
    X1, y1 = dataset("digits", 200, 0.0, 5)
    X2, y2 = dataset("digits", 200, 0.0, 5)
    X3, _ = dataset("digits", 200, 0.0, 6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    full, _ = dataset("digits", 1797, 0.0, 5)
    rows = {r.tobytes() for r in full}
    assert all(r.tobytes() in rows for r in X1)        # a subset of the real set


# --- shapes ---------------------------------------------------------------------------------

def test_shapes_deterministic_balanced_and_in_range():
    X1, y1 = dataset("shapes", 701, 0.2, 9)
    X2, y2 = dataset("shapes", 701, 0.2, 9)
    X3, _ = dataset("shapes", 701, 0.2, 10)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert X1.shape == (701, 1, 16, 16) and 0.0 <= X1.min() and X1.max() <= 1.0
    counts = np.bincount(y1, minlength=len(SHAPE_NAMES))
    assert counts.max() - counts.min() <= 1
    assert np.count_nonzero(np.diff(y1)) > 300


def test_shapes_noise_is_pixel_noise():
    clean, _ = dataset("shapes", 300, 0.0, 1)
    noisy, _ = dataset("shapes", 300, 0.3, 1)
    assert (clean == 0).mean() > 0.6                   # background stays black without noise
    assert (noisy == 0).mean() < (clean == 0).mean()
    # Same seed, same shapes: the noisy set differs from the clean one by noise alone.
    assert 0.1 < np.abs(noisy - clean).mean() < 0.3


def test_shapes_classes_show_their_orientation():
    X, y = dataset("shapes", 1400, 0.0, 3)
    tensors = {name: orientation(X[y == c]) for c, name in enumerate(SHAPE_NAMES)}
    jxx, jyy, _ = tensors["horizontal line"]
    assert jyy > 3 * jxx                               # a horizontal line changes along y
    jxx, jyy, _ = tensors["vertical line"]
    assert jxx > 3 * jyy
    for name, sign in (("diagonal \\", -1), ("diagonal /", 1)):
        jxx, jyy, jxy = tensors[name]
        assert sign * jxy > 0.5 * (jxx + jyy) / 2      # gradients across the stroke
        assert 0.7 < jxx / jyy < 1.4
    for name in ("square", "circle", "cross"):
        jxx, jyy, jxy = tensors[name]
        assert 0.7 < jxx / jyy < 1.4 and abs(jxy) < 0.1 * (jxx + jyy)


def test_shapes_are_learnable():
    from sklearn.linear_model import LogisticRegression
    X, y = dataset("shapes", 1400, 0.1, 2)
    flat = X.reshape(len(X), -1)
    model = LogisticRegression(max_iter=300).fit(flat[:1000], y[:1000])
    assert model.score(flat[1000:], y[1000:]) > 2 / len(SHAPE_NAMES)


# --- iris -----------------------------------------------------------------------------------

def test_iris():
    X, y = dataset("iris", 150, 0.0, 0)
    assert X.shape == (150, 4) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert X.max() == pytest.approx(7.9) and X.min() == pytest.approx(0.1)   # raw centimetres
    np.testing.assert_allclose(X[y == 0, 2].mean(), 1.462, atol=1e-3)        # setosa petals
    assert np.count_nonzero(np.diff(y)) > 30


# --- IDX files ------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("array", [
    np.arange(7, dtype=np.uint8),
    np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5),
    np.array([[-300, 2], [7, 32000]], dtype=np.int16),
    np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3),
    np.zeros((0, 28, 28), np.uint8),
], ids=["labels", "images", "int16", "float32", "empty"])
def test_idx_round_trip(tmp_path, suffix, array):
    path = tmp_path / f"a-idx{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == (suffix == ".gz")


def test_idx_header_is_the_standard_one(tmp_path):
    path = tmp_path / "labels"
    write_idx(path, np.array([1, 2, 3], np.uint8))
    assert path.read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3])


def test_idx_writer_refuses_types_it_cannot_store(tmp_path):
    with pytest.raises(ValueError, match="int64"):
        write_idx(tmp_path / "x", np.arange(3, dtype=np.int64))


@pytest.mark.parametrize("content,message", [
    (b"", "not an IDX file"),
    (b"\x00\x01\x08\x01", "not an IDX file"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "not an IDX file"),
    (b"\x00\x00\x08\x03\x00\x00", "header is cut short"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x04\x01\x02", "wants 4 bytes"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01\x01\x02", "wants 1 bytes"),
    (gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x02\x01\x02")[:-6], "damaged gzip"),
])
def test_idx_corrupt_files_name_the_file(tmp_path, content, message):
    path = tmp_path / "broken-idx1-ubyte"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as err:
        read_idx(path)
    assert str(path) in str(err.value)


# --- MNIST ----------------------------------------------------------------------------------

@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_concatenates_train_and_test(tmp_path, gz):
    write_mnist(tmp_path / "mnist", gz=gz)
    X_raw, y_raw = load_mnist(tmp_path, "mnist")
    assert X_raw.shape == (30, 1, 28, 28) and X_raw.dtype == np.uint8 and y_raw.dtype == np.int64
    X, y = dataset("mnist", 30, 0.0, 1, data_dir=str(tmp_path))
    assert X.shape == (30, 1, 28, 28) and X.dtype == np.float32
    assert 0.0 <= X.min() and X.max() <= 1.0
    np.testing.assert_allclose(X[:, 0, 0, 0] * 255, y * 10, atol=1e-4)   # rows kept with labels
    assert sorted(y.tolist()) == sorted(y_raw.tolist())


def test_mnist_sampling_caps_and_refuses_more_than_there_is(tmp_path):
    write_mnist(tmp_path / "mnist")
    X, _ = dataset("mnist", 12, 0.0, 1, data_dir=str(tmp_path))
    assert X.shape == (12, 1, 28, 28)
    with pytest.raises(ValueError, match="30"):
        dataset("mnist", 31, 0.0, 1, data_dir=str(tmp_path))


def test_mnist_may_sit_in_the_data_folder_itself_fashion_only_in_its_own(tmp_path):
    write_mnist(tmp_path)
    assert load_mnist(tmp_path, "mnist")[0].shape == (30, 1, 28, 28)
    # Both sets share file names: MNIST in the root must not be served as Fashion-MNIST.
    with pytest.raises(DataUnavailable):
        load_mnist(tmp_path, "fashion-mnist")
    write_mnist(tmp_path / "fashion-mnist", n_train=5, n_test=5, gz=True)
    assert load_mnist(tmp_path, "fashion-mnist")[0].shape == (10, 1, 28, 28)


def test_mnist_reloads_a_replaced_file(tmp_path):
    write_mnist(tmp_path / "mnist")
    assert len(load_mnist(tmp_path)[1]) == 30
    write_mnist(tmp_path / "mnist", n_train=40)
    assert len(load_mnist(tmp_path)[1]) == 50


@pytest.mark.parametrize("kind,label", [("mnist", "MNIST"), ("fashion-mnist", "Fashion-MNIST")])
def test_absent_files_say_what_to_put_where(tmp_path, kind, label):
    (tmp_path / kind).mkdir()
    write_idx(tmp_path / kind / MNIST_FILES[0], np.zeros((1, 28, 28), np.uint8))   # one of four
    with pytest.raises(DataUnavailable) as err:
        dataset(kind, 10, 0.0, 1, data_dir=str(tmp_path))
    message = str(err.value)
    assert label in message and f"{kind}/ folder of the server's --data-dir" in message
    assert str(tmp_path) not in message          # a server's clients see it: no paths
    assert all(name in message for name in MNIST_FILES)


def test_no_data_dir_says_to_start_the_server_with_one():
    with pytest.raises(DataUnavailable, match="--data-dir") as err:
        dataset("mnist", 10, 0.0, 1)
    assert all(name in str(err.value) for name in MNIST_FILES)


def corrupt_labels_count(folder):
    write_idx(folder / "t10k-labels-idx1-ubyte", np.zeros(N_TEST + 1, np.uint8))


def corrupt_label_value(folder):
    write_idx(folder / "t10k-labels-idx1-ubyte", np.full(N_TEST, 10, np.uint8))


def corrupt_image_size(folder):
    write_idx(folder / "train-images-idx3-ubyte", np.zeros((N_TRAIN, 27, 28), np.uint8))


def corrupt_truncated(folder):
    path = folder / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])


@pytest.mark.parametrize("corrupt,file,message", [
    (corrupt_labels_count, "t10k-labels-idx1-ubyte", "expected 10 uint8 labels"),
    (corrupt_label_value, "t10k-labels-idx1-ubyte", "label 10 is outside"),
    (corrupt_image_size, "train-images-idx3-ubyte", "expected uint8 images"),
    (corrupt_truncated, "train-images-idx3-ubyte", "wants"),
])
def test_corrupt_mnist_raises_value_error_naming_the_file(tmp_path, corrupt, file, message):
    folder = write_mnist(tmp_path / "mnist")
    corrupt(folder)
    with pytest.raises(ValueError, match=message) as err:
        dataset("mnist", 10, 0.0, 1, data_dir=str(tmp_path))
    assert str(folder / file) in str(err.value)


# --- shift augmentation ---------------------------------------------------------------------

def test_shift_keeps_shape_and_moves_each_image_within_range():
    batch = torch.zeros(64, 2, 28, 28)
    batch[:, :, 10:18, 12:16] = torch.rand(64, 2, 8, 4)     # content well away from the border
    out = shift(batch, 2, torch.Generator().manual_seed(0))
    assert out.shape == batch.shape and out.dtype == batch.dtype
    torch.testing.assert_close(out.sum(dim=(1, 2, 3)), batch.sum(dim=(1, 2, 3)))  # mass kept
    moves = set()
    for i in range(64):
        match = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                 if torch.equal(out[i], batch[i].roll((dy, dx), dims=(1, 2)))]
        assert len(match) == 1                      # both channels moved together
        moves.add(match[0])
    assert len(moves) > 15                          # 25 possible moves, drawn per image


def test_shift_fills_with_zeros_and_is_seeded():
    ones = torch.ones(32, 1, 8, 8)
    a = shift(ones, 3, torch.Generator().manual_seed(1))
    b = shift(ones, 3, torch.Generator().manual_seed(1))
    torch.testing.assert_close(a, b)
    assert set(a.unique().tolist()) == {0.0, 1.0}
    assert (a.sum(dim=(1, 2, 3)) >= 5 * 5).all()     # at most 3 rows and 3 columns lost
    assert (a.sum(dim=(1, 2, 3)) < 64).any()
    assert shift(ones, 0, None) is ones
