"""A session's data: drawn or loaded, split into train, validation and test, standardised with
the training part's statistics, with the loss targets built. Deterministic under the data seed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.data.features import feature_matrix
from engine.data.registry import DATASETS, draw_split, hand_split, split_text, upload_split
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


def image_stats(train: Split, device) -> tuple[torch.Tensor, torch.Tensor]:
    """The one mean and deviation an image set was standardised with (`_standardise` over the
    training split's pixels): recomputed from its raw rows, in the same order on the same device,
    so they are the very same floats."""
    raw = torch.from_numpy(np.ascontiguousarray(train.raw)).to(device)
    return raw.mean(), raw.std().clamp_min(STD_FLOOR)


def draw(spec: Spec, data_dir: str | None):
    """The spec's data drawn and held out (engine.data.registry.draw_split)."""
    d = spec.data
    if DATASETS[d.dataset].hand:     # placed by hand: the spec holds them (no noise, no draw)
        return hand_split(d.points, d.problem == "regression", d.seed, d.train_ratio,
                          d.validation_ratio)
    if d.upload_info is not None:    # a person's table or images, parsed when uploaded
        return upload_split(d.upload_info, d.seed, d.train_ratio, d.validation_ratio)
    return draw_split(d.dataset, d.samples, d.noise / 100, d.seed, d.classes, data_dir,
                      d.seq_length, d.train_ratio, d.validation_ratio, d.text)


def split_summary(spec: Spec, splits: dict, drawn) -> dict:
    """How the data is held out, for the page: sizes and one sentence."""
    d = spec.data
    return {"policy": drawn.split, **{name: len(splits[name]) for name in SPLITS},
            "text": split_text(drawn, d.train_ratio, d.validation_ratio, len(d.corpus))}


def load_splits(spec: Spec, device: torch.device, data_dir: str | None):
    """({split name: Split}, background, summary): the spec's data drawn or loaded, held out
    (engine.data.heldout), standardised (images and tables) and with its loss targets.
    `background` is where a raw 0 pixel lands after standardising (what shifted-in pixels are);
    `summary` says how it was split. Raises DataUnavailable for missing files, DataError for a
    field the data cannot satisfy."""
    d = spec.data
    drawn = draw(spec, data_dir)
    labels = drawn.y
    if d.family == "points":
        points, raw, x_np = drawn.X, None, feature_matrix(drawn.X, d.features)
    else:
        points, raw, x_np = None, drawn.X, drawn.X
    tr, va, te = drawn.train, drawn.val, drawn.test
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
    return splits, background, split_summary(spec, splits, drawn)


def _targets(spec: Spec, x: torch.Tensor, raw, labels, device) -> torch.Tensor:
    if spec.model.task == "autoencoder":     # reconstruct what was shown
        return (x if spec.data.family == "tabular" else
                torch.from_numpy(raw).to(device)).flatten(1)
    return targets(spec, labels).to(device)
