"""Held-out splits: for every family, no test example (or text span) is also a training one;
MNIST keeps its files' split and subsets it by class; text is split by position."""
import numpy as np
import pytest

from engine.data import sequences
from engine.data.errors import DataError
from engine.data.heldout import FILES, RANDOM, SPANS, split_indices, stratified, text_spans
from engine.data.images import write_idx
from engine.data.registry import DATASETS, draw_split


def rows(X, idx) -> set[bytes]:
    return {np.ascontiguousarray(X[i]).tobytes() for i in idx}


def assert_held_out(drawn) -> None:
    """Every row in exactly one part; no validation or test row repeats a training row."""
    parts = [drawn.train, drawn.val, drawn.test]
    every = np.concatenate(parts)
    assert sorted(every.tolist()) == list(range(len(drawn.y)))
    train = rows(drawn.X, drawn.train)
    assert not rows(drawn.X, drawn.test) & train
    assert not rows(drawn.X, drawn.val) & train
    assert len(drawn.test) > 0


@pytest.mark.parametrize("name,kwargs", [
    ("circle", {}), ("spiral", {"classes": 3}), ("plane", {}), ("sine", {}),
    ("digits", {}), ("shapes", {"samples": 600}), ("iris", {}),
    ("sine-wave", {"samples": 300}), ("recall", {"samples": 400}),
    ("parity-count", {"samples": 400}),
])
def test_no_test_example_is_a_training_example(name, kwargs):
    info = DATASETS[name]
    args = {"samples": info.default_samples, "noise": 0.0, "seed": 3, "train_ratio": 60,
            "validation_ratio": 20} | kwargs
    assert_held_out(draw_split(name, **args))


def test_iris_duplicates_stay_on_one_side():
    drawn = draw_split("iris", 150, 0.0, 1, train_ratio=50)
    _, counts = np.unique(drawn.X, axis=0, return_counts=True)
    assert counts.max() > 1                         # iris measures some flowers twice
    assert_held_out(drawn)


def test_short_bit_sequences_repeat_and_are_split_by_pattern():
    """Three bits make 8 patterns: 400 rows repeat them, and a random cut would put every
    test pattern in training too. Grouping keeps each pattern on one side."""
    drawn = draw_split("recall", 400, 0.0, 5, seq_length=3, train_ratio=50)
    assert len(rows(drawn.X, range(400))) == 8
    assert_held_out(drawn)


def test_without_duplicates_the_split_is_the_plain_shuffled_cut():
    X = np.random.default_rng(0).normal(size=(50, 2))
    assert all(np.array_equal(a, b) for a, b in zip(split_indices(50, 70, 20, 4, keys=X),
                                                     split_indices(50, 70, 20, 4)))


def test_stratified_subsets_keep_each_class_share():
    labels = np.repeat(np.arange(4), [100, 200, 300, 400])
    pick = stratified(labels, 100, np.random.default_rng(0))
    assert len(set(pick.tolist())) == 100
    assert np.bincount(labels[pick]).tolist() == [10, 20, 30, 40]


def idx_files(folder, n_train=90, n_test=30):
    """IDX files whose images carry their part in pixel (0, 0): 1 in train, 2 in t10k."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    for part, n, mark in (("train", n_train, 1), ("t10k", n_test, 2)):
        images = rng.integers(3, 256, (n, 28, 28), dtype=np.uint8)
        images[:, 0, 0] = mark
        write_idx(folder / f"{part}-images-idx3-ubyte", images)
        write_idx(folder / f"{part}-labels-idx1-ubyte", np.arange(n, dtype=np.uint8) % 10)


def test_mnist_trains_on_the_train_files_and_tests_on_t10k(tmp_path):
    idx_files(tmp_path / "mnist")
    assert DATASETS["mnist"].split == FILES
    drawn = draw_split("mnist", DATASETS["mnist"].default_samples, 0.0, 1, data_dir=tmp_path,
                       validation_ratio=10)
    assert (len(drawn.train), len(drawn.val), len(drawn.test)) == (81, 9, 30)   # all: default
    mark = (drawn.X[:, 0, 0, 0] * 255).round()
    assert set(mark[drawn.train]) == set(mark[drawn.val]) == {1}
    assert set(mark[drawn.test]) == {2}
    assert_held_out(drawn)


def test_fewer_mnist_samples_take_a_stratified_subset_of_each_part(tmp_path):
    idx_files(tmp_path / "mnist", 200, 100)
    drawn = draw_split("mnist", 60, 0.0, 1, data_dir=tmp_path)
    assert (len(drawn.train), len(drawn.test)) == (40, 20)
    assert np.bincount(drawn.y[drawn.train]).tolist() == [4] * 10
    assert np.bincount(drawn.y[drawn.test]).tolist() == [2] * 10
    with pytest.raises(DataError) as err:
        draw_split("mnist", 500, 0.0, 1, data_dir=tmp_path)
    assert err.value.path == "data.samples" and "300" in str(err.value)


def test_text_windows_never_cross_from_the_training_span_into_the_test_span():
    assert DATASETS["text"].split == SPANS
    drawn = draw_split("text", 300, 0.0, 2, seq_length=20, train_ratio=70,
                       validation_ratio=10)
    spans = text_spans(len(sequences.CORPUS), 70, 10)
    for part, (a, b) in zip((drawn.train, drawn.val, drawn.test), spans):
        text = sequences.CORPUS[a:b]
        for i in part:
            assert sequences.decode(drawn.X[i]) in text
    assert spans[0][1] == spans[1][0] and spans[1][1] == spans[2][0] < len(sequences.CORPUS)
    assert (len(drawn.train), len(drawn.val), len(drawn.test)) == (189, 21, 90)


def test_the_random_policy_is_the_default():
    assert {n for n, d in DATASETS.items() if d.split != RANDOM} == {
        "mnist", "fashion-mnist", "text", "upload-table", "upload-images"}
