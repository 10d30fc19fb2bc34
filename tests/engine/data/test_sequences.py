"""Sequence datasets: the registry's entries, the row contract of `dataset` (shapes, dtypes,
what the session slices), determinism, and what each set's rows mean."""
import math

import numpy as np
import pytest

from engine.data import sequences
from engine.data.registry import (DATASETS, MANY_TO_MANY, MANY_TO_ONE, dataset, dataset_info,
                                  generate, preview, sequence_preview)
from engine.data.sequences import SERIES_FUTURE
from engine.spec.fields import DATA_FIELDS

SERIES = ["sine-wave", "two-sines"]
BITS = ["recall", "parity-count"]
SEQUENCE_NAMES = SERIES + BITS + ["text"]
T = 20


def draw(name, samples=200, noise=0.0, seed=3, seq_length=T):
    return dataset(name, samples, noise, seed, seq_length=seq_length)


def recurrence_residual(w, periods, amplitudes):
    """How far windows [n, L] are from obeying the linear recurrence of their sum of sines."""
    poly = np.array([1.0])
    for period in periods:    # each sine is a root pair of z² - 2 cos(ω) z + 1
        poly = np.convolve(poly, [1.0, -2.0 * math.cos(2 * math.pi / period), 1.0])
    order = len(poly) - 1
    # Σ_j poly[j] w[t + order - j] = 0 for every t
    lagged = sum(poly[j] * w[:, order - j:w.shape[1] - j] for j in range(order + 1))
    return np.abs(lagged).max()


# --- registry -------------------------------------------------------------------------------

def test_registry_lists_sequences_after_iris_in_order():
    names = list(DATASETS)
    assert names[names.index("iris") + 1:names.index("upload-table")] == SEQUENCE_NAMES


@pytest.mark.parametrize("name, problem, sequence, shape, classes, samples", [
    ("sine-wave", "regression", MANY_TO_MANY, (1,), 1, 1000),
    ("two-sines", "regression", MANY_TO_MANY, (1,), 1, 1000),
    ("recall", "classification", MANY_TO_ONE, (1,), 2, 2000),
    ("parity-count", "classification", MANY_TO_ONE, (1,), 2, 2000),
    ("text", "classification", MANY_TO_MANY, (), len(sequences.VOCAB), 2000),
])
def test_registry_fields(name, problem, sequence, shape, classes, samples):
    info = dataset_info(name)
    assert (info.family, info.problem, info.sequence, info.shape, info.max_classes,
            info.default_samples, info.needs_data_dir) == \
        ("sequences", problem, sequence, shape, classes, samples, False)
    assert info.label and info.description
    assert info.vocab == (sequences.VOCAB if name == "text" else ())


def test_other_families_have_no_sequence_fields():
    for info in DATASETS.values():
        if info.family != "sequences":
            assert (info.sequence, info.vocab) == ("", ())


def test_class_names():
    assert DATASETS["recall"].class_names == DATASETS["parity-count"].class_names == ("0", "1")
    assert DATASETS["sine-wave"].class_names == ()
    names = DATASETS["text"].class_names
    assert len(names) == len(sequences.VOCAB)
    assert names[sequences.VOCAB.index(" ")] == "␣"
    assert names[sequences.VOCAB.index("\n")] == "↵"
    assert all(name.isprintable() and not name.isspace() for name in names)


def test_generate_and_preview_are_for_points_only():
    with pytest.raises(ValueError, match="dataset()"):
        generate("recall", 10, 0.0, 1)
    with pytest.raises(ValueError):
        preview("sine-wave")
    with pytest.raises(ValueError, match="sequence_preview is for sequences"):
        sequence_preview("circle")


# --- the row contract -----------------------------------------------------------------------

@pytest.mark.parametrize("seq_length", [2, T, 57])
def test_shapes_and_dtypes(seq_length):
    for name in SERIES:
        X, y = draw(name, 30, 0.1, seq_length=seq_length)
        assert X.shape == (30, seq_length + SERIES_FUTURE, 1) and X.dtype == np.float32
        assert y.shape == (30,) and y.dtype == np.float32 and not y.any()
    for name in BITS:
        X, y = draw(name, 30, 0.1, seq_length=seq_length)
        assert X.shape == (30, seq_length, 1) and X.dtype == np.float32
        assert y.shape == (30,) and y.dtype == np.int64 and set(y) <= {0, 1}
    X, y = draw("text", 30, 0.1, seq_length=seq_length)
    assert X.shape == (30, seq_length + 1) and X.dtype == np.int64
    assert y.shape == (30,) and y.dtype == np.int64 and not y.any()
    assert 0 <= X.min() and X.max() < len(sequences.VOCAB)


def test_default_seq_length_is_the_specs():
    assert sequences.DEFAULT_SEQ_LENGTH == DATA_FIELDS["seq_length"].default
    assert dataset("recall", 10, 0.0, 1)[0].shape == (10, sequences.DEFAULT_SEQ_LENGTH, 1)


@pytest.mark.parametrize("name", SEQUENCE_NAMES)
def test_deterministic_under_seed_and_different_across_seeds(name):
    a, b, c = draw(name, 50, 0.2, 5), draw(name, 50, 0.2, 5), draw(name, 50, 0.2, 6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_other_families_ignore_seq_length():
    for name in ("circle", "iris"):
        a, b = dataset(name, 30, 0.0, 1), dataset(name, 30, 0.0, 1, seq_length=7)
        np.testing.assert_array_equal(a[0], b[0])


@pytest.mark.parametrize("kwargs", [
    dict(name="recall", seq_length=0),
    dict(name="sine-wave", seq_length=-3),
    dict(name="text", seq_length=len(sequences.CORPUS)),     # no window that long
    dict(name="recall", seq_length=2.5),
    dict(name="recall", samples=1),                           # fewer than its 2 classes
    dict(name="sine-wave", noise=0.6),
])
def test_bad_arguments_raise_value_error(kwargs):
    with pytest.raises((ValueError, TypeError)):
        dataset(**(dict(samples=20, noise=0.0, seed=1) | kwargs))


def test_text_needs_one_row_not_one_per_character():
    X, _ = dataset("text", 1, 0.0, 1)
    assert X.shape == (1, T + 1)


# --- series ---------------------------------------------------------------------------------

def test_sine_wave_follows_the_sine_at_noise_zero():
    X, _ = draw("sine-wave", 100)
    w = X[..., 0].astype(np.float64)
    assert recurrence_residual(w, [sequences.SINE_PERIOD], [1.0]) < 1e-5
    # Amplitude 1, one period per SINE_PERIOD steps: each window reaches ±1.
    assert np.allclose(np.abs(w).max(axis=1), 1.0, atol=0.02)
    # The next value is the sine of the next phase.
    phase = np.arctan2(w[:, 0], (w[:, 1] - w[:, 0] * math.cos(2 * math.pi / 20))
                       / math.sin(2 * math.pi / 20))
    t = np.arange(w.shape[1])
    np.testing.assert_allclose(w, np.sin(phase[:, None] + 2 * math.pi * t / 20), atol=1e-5)


def test_sine_wave_phases_are_random():
    X, _ = draw("sine-wave", 400)
    assert X[:, 0, 0].std() > 0.5     # starts spread over the whole wave


def test_two_sines_is_a_sum_of_two_periods():
    X, _ = draw("two-sines", 100)
    w = X[..., 0].astype(np.float64)
    assert recurrence_residual(w, sequences.TWO_SINE_PERIODS, sequences.TWO_SINE_AMPLITUDES) \
        < 1e-4
    # ... and not of one.
    assert recurrence_residual(w, [sequences.TWO_SINE_PERIODS[0]], [1.0]) > 0.1
    assert np.abs(w).max() <= sum(sequences.TWO_SINE_AMPLITUDES) + 1e-6


@pytest.mark.parametrize("name", SERIES)
def test_series_noise_is_gaussian_with_sigma_noise(name):
    clean, _ = draw(name, 300, 0.0, seed=9)
    noisy, _ = draw(name, 300, 0.3, seed=9)
    # The same seed draws the same phases; the noise comes after them.
    residual = (noisy - clean).ravel()
    assert abs(residual.mean()) < 0.01 and abs(residual.std() - 0.3) < 0.01


# --- bits -----------------------------------------------------------------------------------

@pytest.mark.parametrize("seq_length", [5, T, 80])
def test_recall_label_is_the_first_bit(seq_length):
    X, y = draw("recall", 300, seq_length=seq_length)
    assert set(np.unique(X)) == {0.0, 1.0}
    np.testing.assert_array_equal(X[:, 0, 0], y)
    # The rest carries no information about the label.
    rest = X[:, 1:, 0].mean(axis=1)
    assert abs(rest[y == 1].mean() - rest[y == 0].mean()) < 0.05


@pytest.mark.parametrize("seq_length", [5, T, 21])
def test_parity_count_label_is_more_than_half_ones(seq_length):
    X, y = draw("parity-count", 300, seq_length=seq_length)
    assert set(np.unique(X)) == {0.0, 1.0}
    np.testing.assert_array_equal(X[..., 0].sum(axis=1) > seq_length / 2, y)


def test_parity_count_rows_look_like_coin_flips():
    X, _ = draw("parity-count", 2000)
    assert abs(X.mean() - 0.5) < 0.02
    assert np.abs(X[..., 0].mean(axis=0) - 0.5).max() < 0.05     # no position favoured


@pytest.mark.parametrize("name", BITS)
@pytest.mark.parametrize("samples", [2000, 301])
def test_bit_classes_are_balanced(name, samples):
    _, y = draw(name, samples)
    assert abs(int(y.sum()) - samples / 2) <= 0.5


@pytest.mark.parametrize("name", BITS)
def test_bit_noise_blurs_inputs_not_labels(name):
    clean, y_clean = draw(name, 400, 0.0, seed=2)
    noisy, y_noisy = draw(name, 400, 0.4, seed=2)
    np.testing.assert_array_equal(y_clean, y_noisy)
    assert abs((noisy - clean).std() - 0.4) < 0.02


@pytest.mark.parametrize("name", BITS)
def test_bit_rows_are_shuffled(name):
    _, y = draw(name, 200)
    assert 0 < y[:100].sum() < 100


# --- text -----------------------------------------------------------------------------------

def test_corpus_and_vocabulary():
    assert 3000 <= len(sequences.CORPUS) <= 8000
    assert set(sequences.VOCAB) == set(sequences.CORPUS)
    assert list(sequences.VOCAB) == sorted(sequences.VOCAB)
    assert sequences.decode(sequences.encode(sequences.CORPUS)) == sequences.CORPUS


@pytest.mark.parametrize("seq_length", [1, T, 100])
def test_text_windows_are_substrings_of_the_corpus(seq_length):
    X, _ = draw("text", 200, seq_length=seq_length)
    for row in X:
        assert sequences.decode(row) in sequences.CORPUS


def test_text_windows_cover_the_corpus_and_ignore_noise():
    X, _ = draw("text", 2000)
    assert set(np.unique(X)) == set(range(len(sequences.VOCAB)))
    np.testing.assert_array_equal(draw("text", 50, 0.0)[0], draw("text", 50, 0.5)[0])


def test_longest_text_window_is_the_whole_corpus():
    X, _ = draw("text", 3, seq_length=sequences.max_text_length())
    assert all(sequences.decode(row) == sequences.CORPUS for row in X)


# --- previews -------------------------------------------------------------------------------

def test_sequence_previews_are_plain_and_noise_free():
    p = sequence_preview("sine-wave")
    assert (p["family"], p["sequence"], p["seq_length"]) == ("sequences", MANY_TO_MANY, T)
    assert all(len(w) == T + SERIES_FUTURE for w in p["series"])
    assert isinstance(p["series"][0][0], float)
    p = sequence_preview("recall", seq_length=8)
    assert [row[0] for row in p["bits"]] == p["labels"]
    assert all(len(row) == 8 and set(row) <= {0, 1} for row in p["bits"])
    assert p["class_names"] == ["0", "1"]
    p = sequence_preview("text")
    assert p["text"] in sequences.CORPUS and p["vocab"] == list(sequences.VOCAB)
    assert sequence_preview("two-sines") == sequence_preview("two-sines")
