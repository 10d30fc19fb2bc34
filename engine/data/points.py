"""2-D point datasets: the geometry and noise model behind each point set of the registry.

Generators `(rng, samples, noise, classes) -> (X, y)` return points grouped by class; the
TensorFlow Playground sets follow its semantics (radii, offsets, noise model, labels ±1 as
classes 1 and 0). docs/internals.md ("Datasets") has the details.
"""
from __future__ import annotations

import math

import numpy as np

NOISE_MAX = 0.5                         # the spec's 50 %: where TF's noise scales reach their end

# --- circle (TF: positives at r < 2.5, negatives at 3.5..5, labels from noised positions) ---
CIRCLE_RADIUS = 5.0
# Empty fraction on the inner side of every ring but the centre one: TF leaves 2.5..3.5 empty,
# i.e. 40 % of a 2.5-wide band.
CIRCLE_GAP = 0.4

# --- xor (TF: U(-5, 5) pushed 0.3 off the axes; label = sign(x*y) of noised coordinates) ---
XOR_EXTENT = 5.0
XOR_PADDING = 0.3

# --- gauss (TF: centres (2, 2) for +1 and (-2, -2) for -1; variance 0.5 -> 4 as noise 0 -> 0.5) ---
GAUSS_RADIUS = 2.0 * math.sqrt(2.0)     # |(2, 2)|; k blobs sit evenly on this circle
GAUSS_FIRST_ANGLE = 1.25 * math.pi      # class 0 at (-2, -2), so class 1 lands on (2, 2) for k = 2
GAUSS_VARIANCE_MIN = 0.5
GAUSS_VARIANCE_MAX = 4.0

# --- spiral (TF: r = 5 i/n, angle 1.75 * 2pi i/n, second arm +pi, moved by U(-1, 1) * noise) ---
SPIRAL_RADIUS = 5.0
SPIRAL_TURNS = 1.75
SPIRAL_FIRST_OFFSET = math.pi           # class 0 is TF's -1 arm (offset pi), class 1 its +1 arm

# --- moons (new): sklearn-style half-moons, centred and scaled so x spans [-5, 5] ---
MOONS_CENTRE = (0.5, 0.25)              # middle of the unscaled moons' box [-1, 2] x [-0.5, 1]
MOONS_SCALE = 10.0 / 3.0                # unscaled width 3 -> 10
# Gaussian displacement with std = noise in unscaled moon units (sklearn's make_moons(noise=...)).
MOONS_NOISE_STD = 1.0

# --- checkerboard (new): 4 x 4 cells over [-6, 6]^2, class = (i + j) mod k ---
BOARD_CELLS = 4
BOARD_EXTENT = 6.0
BOARD_CELL = 2.0 * BOARD_EXTENT / BOARD_CELLS
# Uniform displacement of up to noise * BOARD_NOISE_CELLS cells per axis (half a cell at 50 %).
BOARD_NOISE_CELLS = 1.0

# --- regression (TF: inputs U(-6, 6), labels computed on coordinates offset by U(-6, 6) * noise) ---
REG_EXTENT = 6.0
PLANE_DIVISOR = 10.0                    # TF maps x + y in [-10, 10] linearly onto [-1, 1]
# TF's reg-gauss bumps (cx, cy, sign): the value is sign * clamp(1 - dist / BUMP_RADIUS).
BUMPS = np.array([
    (-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0),
])
BUMP_RADIUS = 2.0

# --- sine (new, 1-D): x ~ U(-6, 6), y = sin(x) + N(0, 1) * noise * SINE_NOISE_STD ---
SINE_EXTENT = 6.0
SINE_NOISE_STD = 0.5


def split_even(samples: int, classes: int) -> list[int]:
    """Per-class counts summing to `samples`, differing by at most one (earlier classes first)."""
    base, extra = divmod(samples, classes)
    return [base + (c < extra) for c in range(classes)]


def _stack(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([p for p, _ in parts]), np.concatenate([y for _, y in parts])


def _polar(r: np.ndarray, angle: np.ndarray) -> np.ndarray:
    # TF's convention (x = r sin t, y = r cos t); it fixes where the spiral arms start.
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)])


def circle(rng, samples, noise, classes):
    """k concentric rings; class 0 is the outermost, so k = 2 gives TF's inner +1 disc."""
    width = CIRCLE_RADIUS / classes
    parts = []
    for c, n in enumerate(split_even(samples, classes)):
        ring = classes - 1 - c
        inner = ring * width + (CIRCLE_GAP * width if ring else 0.0)
        points = _polar(rng.uniform(inner, (ring + 1) * width, n), rng.uniform(0, 2 * math.pi, n))
        # As in TF the noise offset only decides the label: points stay where they were drawn.
        offset = rng.uniform(-CIRCLE_RADIUS, CIRCLE_RADIUS, (n, 2)) * noise
        seen_ring = np.minimum(np.hypot(*(points + offset).T) // width, classes - 1)
        parts.append((points, (classes - 1 - seen_ring).astype(np.int64)))
    return _stack(parts)


def xor(rng, samples, noise, classes):
    """Quadrants: class 1 where x*y >= 0 (TF's +1), judged on noised coordinates."""
    points = rng.uniform(-XOR_EXTENT, XOR_EXTENT, (samples, 2))
    points += np.where(points > 0, XOR_PADDING, -XOR_PADDING)
    offset = rng.uniform(-XOR_EXTENT, XOR_EXTENT, (samples, 2)) * noise
    noised = points + offset
    return points, (noised[:, 0] * noised[:, 1] >= 0).astype(np.int64)


def gauss(rng, samples, noise, classes):
    """k isotropic Gaussians evenly placed on a circle through TF's (2, 2) and (-2, -2)."""
    variance = GAUSS_VARIANCE_MIN + (GAUSS_VARIANCE_MAX - GAUSS_VARIANCE_MIN) * noise / NOISE_MAX
    std = math.sqrt(variance)
    parts = []
    for c, n in enumerate(split_even(samples, classes)):
        angle = GAUSS_FIRST_ANGLE + 2 * math.pi * c / classes
        centre = GAUSS_RADIUS * np.array([math.cos(angle), math.sin(angle)])
        parts.append((rng.normal(centre, std, (n, 2)), np.full(n, c, np.int64)))
    return _stack(parts)


def spiral(rng, samples, noise, classes):
    """k interleaved arms, arm c rotated by pi + 2*pi*c/k (k = 2: TF's two arms)."""
    parts = []
    for c, n in enumerate(split_even(samples, classes)):
        t = np.arange(n) / max(n, 1)
        angle = SPIRAL_TURNS * 2 * math.pi * t + SPIRAL_FIRST_OFFSET + 2 * math.pi * c / classes
        points = _polar(SPIRAL_RADIUS * t, angle) + rng.uniform(-1, 1, (n, 2)) * noise
        parts.append((points, np.full(n, c, np.int64)))
    return _stack(parts)


def moons(rng, samples, noise, classes):
    """Two interleaved half-moons: class 0 the upper arc, class 1 the lower; noise moves points."""
    n0, n1 = split_even(samples, 2)
    t0, t1 = rng.uniform(0, math.pi, n0), rng.uniform(0, math.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    points = np.concatenate([upper, lower])
    points += rng.normal(0, noise * MOONS_NOISE_STD, points.shape)
    points = (points - MOONS_CENTRE) * MOONS_SCALE
    return points, np.repeat(np.array([0, 1], np.int64), [n0, n1])


def checkerboard(rng, samples, noise, classes):
    """4 x 4 board over [-6, 6]^2 coloured (i + j) mod k; each class drawn from its own cells
    so classes stay balanced for every k. Labels keep the drawn cell; noise moves points."""
    i, j = np.divmod(np.arange(BOARD_CELLS * BOARD_CELLS), BOARD_CELLS)
    cells = np.column_stack([i, j])
    parts = []
    for c, n in enumerate(split_even(samples, classes)):
        own = cells[(i + j) % classes == c]
        corner = -BOARD_EXTENT + BOARD_CELL * own[rng.integers(len(own), size=n)]
        points = corner + rng.uniform(0, BOARD_CELL, (n, 2))
        points += rng.uniform(-1, 1, (n, 2)) * noise * BOARD_NOISE_CELLS * BOARD_CELL
        parts.append((points, np.full(n, c, np.int64)))
    return _stack(parts)


def _regression_inputs(rng, samples, noise):
    """TF's regression sampling: points and the noised coordinates their labels are read at."""
    points = rng.uniform(-REG_EXTENT, REG_EXTENT, (samples, 2))
    offset = rng.uniform(-REG_EXTENT, REG_EXTENT, (samples, 2)) * noise
    return points, points + offset


def plane(rng, samples, noise, classes):
    """TF's reg-plane: target (x + y) / 10 of the noised coordinates."""
    points, noised = _regression_inputs(rng, samples, noise)
    return points, noised.sum(axis=1) / PLANE_DIVISOR


def multi_gauss(rng, samples, noise, classes):
    """TF's reg-gauss: six signed cones; the one of largest magnitude at the noised point wins."""
    points, noised = _regression_inputs(rng, samples, noise)
    dist = np.hypot(noised[:, None, 0] - BUMPS[:, 0], noised[:, None, 1] - BUMPS[:, 1])
    values = BUMPS[:, 2] * np.clip(1 - dist / BUMP_RADIUS, 0, 1)
    # argmax takes the first of equal magnitudes, as TF's strict ">" does.
    winner = np.abs(values).argmax(axis=1)
    return points, values[np.arange(samples), winner]


def sine(rng, samples, noise, classes):
    """1-D: x ~ U(-6, 6) with the second input fixed at 0; target sin(x) plus Gaussian noise."""
    x = rng.uniform(-SINE_EXTENT, SINE_EXTENT, samples)
    target = np.sin(x) + rng.normal(0, 1, samples) * noise * SINE_NOISE_STD
    return np.column_stack([x, np.zeros(samples)]), target
