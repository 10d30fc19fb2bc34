"""A session's data: drawn or loaded, split into train, validation and test, standardised with
the training part's statistics, with the loss targets built. Deterministic under the data seed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.data import handpoints
from engine.data.features import feature_matrix
from engine.data.registry import DATASETS, dataset, generate
from engine.nn.losses import targets
from engine.spec.types import Spec


SPLITS = ("train", "val", "test")
STD_FLOOR = 1e-6


@dataclass
class Split:
    """Raw examples, model inputs and loss targets of one part of the data."""
    points: np.ndarray | None   # [n, 2] raw coordinates of 2-D points, for drawing
    labels: np.ndarray          # [n] class index or regression target, for drawing
    x: torch.Tensor             # [n, ...] model inputs (features, or standardised images)
    t: torch.Tensor             # targets as the loss wants them
    raw: np.ndarray | None = None   # images in [0, 1] / table rows as loaded, for drawing

    def __len__(self) -> int:
        return len(self.labels)


def split_indices(n: int, train_ratio: int, validation_ratio: int, seed: int):
    """Shuffle with the data seed, then cut: train | validation (from the train part) | test."""
    perm = np.random.Generator(np.random.PCG64(seed)).permutation(n)
    n_train = max(1, min(n - 1, round(n * train_ratio / 100)))
    n_val = round(n_train * validation_ratio / 100)
    if validation_ratio and n_val == 0:
        n_val = 1
    n_val = min(n_val, n_train - 1)
    return perm[: n_train - n_val], perm[n_train - n_val: n_train], perm[n_train:]


def _sequence_pairs(spec: Spec, raw: np.ndarray, labels: np.ndarray, device):
    """(inputs, targets) of a sequence set. Series: windows of T + future steps, the target
    is the next value at every step. Text: T + 1 characters, the next character at every
    step. Bit sets (many-to-one): the sequence and its label."""
    T = spec.data.seq_length
    data = torch.from_numpy(np.ascontiguousarray(raw)).to(device)
    if DATASETS[spec.data.dataset].sequence == "many_to_one":
        return data, targets(spec, labels).to(device)
    return data[:, :T], data[:, 1:T + 1]


def _standardise(x: torch.Tensor, train: torch.Tensor, per_feature: bool):
    """Zero mean, unit variance with the training part's statistics (one mean and deviation
    for all pixels of an image set; one per column of a table). Also returns where a raw 0
    (an image's background) lands."""
    if per_feature:
        mean, std = train.mean(0), train.std(0)
    else:
        mean, std = train.mean(), train.std()
    std = std.clamp_min(STD_FLOOR)
    return (x - mean) / std, float(((0 - mean) / std).flatten()[0])


def load_splits(spec: Spec, device: torch.device, data_dir: str | None):
    """({split name: Split}, background): the spec's data drawn or loaded, split, standardised
    (images and tables) and with its loss targets. `background` is where a raw 0 pixel lands
    after standardising (what shifted-in pixels are). Raises DataUnavailable for missing files."""
    d = spec.data
    if DATASETS[d.dataset].hand:     # placed by hand: the spec holds them (no noise, no draw)
        points, labels = handpoints.arrays(d.points, d.problem == "regression")
        raw, x_np = None, feature_matrix(points, d.features)
    elif d.family == "points":
        points, labels = generate(d.dataset, d.samples, d.noise / 100, d.seed, d.classes)
        raw, x_np = None, feature_matrix(points, d.features)
    else:
        extra = {"seq_length": d.seq_length} if d.family == "sequences" else {}
        raw, labels = dataset(d.dataset, d.samples, d.noise / 100, d.seed, d.classes,
                              data_dir, **extra)
        points, x_np = None, raw
    tr, va, te = split_indices(len(labels), d.train_ratio, d.validation_ratio, d.seed)
    background = 0.0
    if d.family == "sequences":
        x, t_all = _sequence_pairs(spec, raw, labels, device)
    else:
        x = torch.from_numpy(np.ascontiguousarray(x_np)).to(device)
        if d.family != "points" and d.normalize:
            x, background = _standardise(x, x[torch.from_numpy(tr)],
                                         per_feature=d.family == "tabular")
        t_all = _targets(spec, x, raw, labels, device)
    splits = {
        name: Split(None if points is None else points[idx], labels[idx], x[idx], t_all[idx],
                    None if raw is None else raw[idx])
        for name, idx in (("train", tr), ("val", va), ("test", te))
    }
    return splits, background


def _targets(spec: Spec, x: torch.Tensor, raw, labels, device) -> torch.Tensor:
    if spec.model.task == "autoencoder":     # reconstruct what was shown
        return (x if spec.data.family == "tabular" else
                torch.from_numpy(raw).to(device)).flatten(1)
    return targets(spec, labels).to(device)
