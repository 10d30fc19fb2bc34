"""Dataset registry: which datasets exist, what they are, and `generate` to draw one.

Owns the dataset catalogue (`DATASETS`, shown by the schema in display order), argument
validation, seeding and shuffling. The point geometry itself lives in `engine.data.points`.

Only the 2-D point family exists today. Other families (images, sequences) are meant to
register here too, each in its own module, with their own `DatasetInfo.dims` / shapes.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import points
from .points import NOISE_MAX

CLASSIFICATION = "classification"
REGRESSION = "regression"
# TF Playground's sample counts.
DEFAULT_SAMPLES = {CLASSIFICATION: 500, REGRESSION: 1200}
MIN_CLASSES = 2
PREVIEW_SEED = 0
PREVIEW_SAMPLES = 200


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    label: str
    problem: str            # CLASSIFICATION | REGRESSION
    max_classes: int        # 1 for regression
    dims: int               # raw inputs that vary: 1 (X[:, 1] is 0) or 2
    default_samples: int
    description: str


def _classification(name, label, max_classes, description):
    return DatasetInfo(name, label, CLASSIFICATION, max_classes, 2,
                       DEFAULT_SAMPLES[CLASSIFICATION], description)


def _regression(name, label, dims, description):
    return DatasetInfo(name, label, REGRESSION, 1, dims, DEFAULT_SAMPLES[REGRESSION], description)


# (info, generator) in display order.
_ENTRIES: tuple[tuple[DatasetInfo, Callable], ...] = (
    (_classification("circle", "Circle", 5, "One class inside a disc, the other in a ring around it."),
     points.circle),
    (_classification("xor", "Exclusive or", 2, "Opposite quadrants share a class."), points.xor),
    (_classification("gauss", "Gaussian", 8, "Normally distributed blobs, one per class."),
     points.gauss),
    (_classification("spiral", "Spiral", 5, "Interleaved spiral arms, one per class."),
     points.spiral),
    (_classification("moons", "Moons", 2, "Two interleaved half-moons."), points.moons),
    (_classification("checkerboard", "Checkerboard", 4, "A 4×4 board of alternating colours."),
     points.checkerboard),
    (_regression("plane", "Plane", 2, "A tilted plane: the target is (x₁ + x₂) / 10."),
     points.plane),
    (_regression("multi-gauss", "Multi Gaussian", 2, "Six positive and negative bumps."),
     points.multi_gauss),
    (_regression("sine", "Sine", 1, "One input: the target is sin(x₁)."), points.sine),
)

DATASETS: dict[str, DatasetInfo] = {info.name: info for info, _ in _ENTRIES}
_GENERATORS: dict[str, Callable] = {info.name: gen for info, gen in _ENTRIES}


def dataset_info(name: str) -> DatasetInfo:
    """The registry entry for `name`; ValueError if there is none."""
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}") from None


def _check_classes(info: DatasetInfo, classes) -> int:
    if info.problem == REGRESSION:
        return 1    # the spec carries `classes` for every dataset; regression ignores it
    classes = operator.index(classes)
    if not MIN_CLASSES <= classes <= info.max_classes:
        raise ValueError(f"{info.name}: classes {classes} is outside "
                         f"{MIN_CLASSES}..{info.max_classes}")
    return classes


def generate(name: str, samples: int, noise: float, seed: int,
             classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Draw `samples` points of dataset `name`, deterministic under `seed`.

    Returns X float32 [samples, 2] and y: int64 class indices 0..classes-1 for
    classification, float32 targets for regression. Rows come shuffled, so any prefix
    is a fair sample. `noise` is a fraction in [0, 0.5].
    """
    info = dataset_info(name)
    classes = _check_classes(info, classes)
    samples = operator.index(samples)
    if samples < classes:
        raise ValueError(f"{name}: samples {samples} is below {classes}")
    if not 0.0 <= noise <= NOISE_MAX:
        raise ValueError(f"{name}: noise {noise} is outside 0..{NOISE_MAX} (a fraction, not percent)")
    rng = np.random.Generator(np.random.PCG64(seed))
    X, y = _GENERATORS[name](rng, samples, float(noise), classes)
    # Generators emit rows grouped by class; shuffle with the same stream.
    order = rng.permutation(samples)
    y_dtype = np.int64 if info.problem == CLASSIFICATION else np.float32
    return X[order].astype(np.float32), y[order].astype(y_dtype)


def preview(name: str, classes: int = 2, n: int = PREVIEW_SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free points at a fixed seed, for the dataset thumbnails."""
    return generate(name, n, 0.0, PREVIEW_SEED, classes)
