"""Held-out splits: which rows train, which validate and which test, so that no test example is
also a training example.

Three policies (a dataset's `DatasetInfo.split`):
- RANDOM: shuffle with the data seed and cut train | validation | test; identical rows (an
  iris flower measured twice, a bit pattern drawn twice) are kept together on one side of
  every cut, so a test row never repeats a training row.
- FILES (MNIST, Fashion-MNIST): the files' own split. The train files train (validation is
  carved from them), the t10k files test. A `samples` below what the files hold takes a
  stratified subset of each part, in proportion to its size.
- STRATIFIED (uploaded tables and images): RANDOM within each class, so every class keeps
  the ratio on both sides (a class of 2 rows puts one on each side).
- SPANS (text): split by position. Training windows come from the first part of the text,
  validation windows from the end of that part, test windows from the held-out tail; no window
  crosses a boundary.
Pure numpy: the exported model.py lifts these functions as they are.
"""
from __future__ import annotations

import numpy as np


RANDOM = "random"
FILES = "files"
SPANS = "spans"
STRATIFIED = "stratified"
PERCENT = 100


def counts(n: int, train_ratio: int, validation_ratio: int) -> tuple[int, int]:
    """(training rows including validation, validation rows) of n rows."""
    n_train = max(1, min(n - 1, round(n * train_ratio / PERCENT)))
    return n_train, carve(n_train, validation_ratio)


def carve(n_train: int, validation_ratio: int) -> int:
    """Rows of the training part held out for validation: at least one when asked for, and
    never the whole part."""
    n_val = round(n_train * validation_ratio / PERCENT)
    if validation_ratio and n_val == 0:
        n_val = 1
    return min(n_val, n_train - 1)


def split_indices(n: int, train_ratio: int, validation_ratio: int, seed: int, keys=None):
    """Shuffle with the data seed, then cut: train | validation (from the train part) | test.

    `keys` [n, ...] are the rows as drawn: identical rows are grouped at the place of their
    first member in the shuffle and no cut falls inside a group (the cut moves past it, so the
    group stays on the earlier side). Without duplicates this is the plain shuffled cut."""
    perm = np.random.Generator(np.random.PCG64(seed)).permutation(n)
    n_train, n_val = counts(n, train_ratio, validation_ratio)
    cuts = [n_train - n_val, n_train]
    if keys is not None:
        perm, cuts = _grouped(perm, keys, cuts)
    return perm[: cuts[0]], perm[cuts[0]: cuts[1]], perm[cuts[1]:]


def stratified_split(labels: np.ndarray, train_ratio: int, validation_ratio: int, seed: int,
                     keys=None):
    """split_indices within each class (identical rows of a class kept together), the parts
    joined and shuffled under `seed`: each class is cut by the ratio."""
    parts: list[list[np.ndarray]] = [[], [], []]
    for k, c in enumerate(np.unique(labels)):
        rows = np.flatnonzero(labels == c)
        cut = split_indices(len(rows), train_ratio, validation_ratio, seed + k,
                            None if keys is None else keys[rows])
        for part, idx in zip(parts, cut):
            part.append(rows[idx])
    rng = np.random.Generator(np.random.PCG64(seed))
    return tuple(rng.permutation(np.concatenate(p)) for p in parts)


def _grouped(perm: np.ndarray, keys, cuts: list[int]):
    rows = np.ascontiguousarray(keys).reshape(len(perm), -1)
    as_bytes = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, group = np.unique(as_bytes, return_inverse=True)
    group = group.ravel()
    if group.max(initial=-1) + 1 == len(perm):             # every row is unique
        return perm, cuts
    in_order = group[perm]
    first = np.full(group.max() + 1, len(perm))
    np.minimum.at(first, in_order, np.arange(len(perm)))
    order = np.argsort(first[in_order], kind="stable")
    perm, in_order = perm[order], in_order[order]
    moved = []
    for cut in cuts:
        cut = max([cut] + moved[-1:])
        while 0 < cut < len(perm) and in_order[cut] == in_order[cut - 1]:
            cut += 1
        moved.append(cut)
    return perm, moved


def stratified(labels: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """`k` row indices of `labels`, each class in proportion to its share (largest remainders
    decide the last rows), in a seeded random order. All rows, shuffled, when k ≥ n."""
    n = len(labels)
    if k >= n:
        return rng.permutation(n)
    classes, sizes = np.unique(labels, return_counts=True)
    quota = sizes * k / n
    take = np.floor(quota).astype(np.int64)
    extra = np.argsort(-(quota - take), kind="stable")[: k - take.sum()]
    take[extra] += 1
    picks = [rng.permutation(np.flatnonzero(labels == c))[:q] for c, q in zip(classes, take)]
    return rng.permutation(np.concatenate(picks))


def file_parts(train_labels: np.ndarray, test_labels: np.ndarray, samples: int,
               validation_ratio: int, seed: int):
    """Rows of the train files and of the test files to use, and the cut: (train rows, test
    rows, n_val). `samples` below the files' total takes a stratified subset of each part in
    proportion to its size; validation is the last n_val of the (shuffled) train rows."""
    rng = np.random.Generator(np.random.PCG64(seed))
    n1, n2 = len(train_labels), len(test_labels)
    samples = min(samples, n1 + n2)
    n_test = min(n2, max(1 if n2 else 0, round(samples * n2 / (n1 + n2))))
    n_train = samples - n_test
    train_rows = stratified(train_labels, n_train, rng)
    test_rows = stratified(test_labels, n_test, rng)
    return train_rows, test_rows, carve(len(train_rows), validation_ratio)


def text_spans(length: int, train_ratio: int, validation_ratio: int) -> list[tuple[int, int]]:
    """[start, end) of the training, validation and test spans of a text of `length`
    characters: the test span is the tail after train_ratio percent, validation the last
    validation_ratio percent of the part before it."""
    end_train = round(length * train_ratio / PERCENT)
    start_val = end_train - round(end_train * validation_ratio / PERCENT)
    return [(0, start_val), (start_val, end_train), (end_train, length)]


def span_too_short(spans, window: int) -> tuple[int, int] | None:
    """The first non-empty span shorter than one window, or None when every span fits one."""
    for a, b in spans:
        if 0 < b - a < window:
            return a, b
    return None


def window_starts(rng: np.random.Generator, spans, sizes) -> list[np.ndarray]:
    """Random start positions of sizes[i] windows that lie wholly in spans[i]: each span is
    given as [first start, last start + 1)."""
    return [rng.integers(a, b, size) if size else np.zeros(0, np.int64)
            for (a, b), size in zip(spans, sizes)]
