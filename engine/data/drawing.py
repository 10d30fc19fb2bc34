"""A drawing from the page's pad made into one image of a set, as the set's own images are made.

The pad sends DRAW_SIZE × DRAW_SIZE grey levels in [0, 1] (ink 1 on a background of 0, as every
image set here holds its images). `to_image` cuts the ink's bounding box out, scales it with an
area (box) filter so its longer side fills the share of the image the set's strokes fill, and
places it as the set centres its images: MNIST by the centre of mass in a 28×28 frame around a
20×20 box (its documented preprocessing), the 8×8 digits by their box (scaled to fill the
frame, as the UCI bitmaps were). Other sets take the whole pad, scaled. The brightest pixel is
then full ink, as in the sets' strokes. Pure numpy; the session standardises the result as it
did its training images.
"""
from __future__ import annotations

import numpy as np

DRAW_SIZE = 56                  # pixels a side of what the pad sends: 2 × MNIST's 28, 7 × 8
INK = 0.05                      # a pixel above this is part of the drawing
MASS, BOX = "mass", "box"
# dataset: (the share of the frame the ink's longer side fills, how it is centred)
FITS = {"mnist": (20 / 28, MASS), "digits": (1.0, BOX)}


def _weights(n_in: int, n_out: int, start: float, length: float) -> np.ndarray:
    """[n_out, n_in]: how much of each input pixel in [start, start + length) falls in each
    output pixel, divided by an output pixel's width (an area-averaging resampler)."""
    edges = start + np.arange(n_out + 1) * (length / n_out)
    lo = np.maximum(edges[:-1, None], np.arange(n_in)[None, :])
    hi = np.minimum(edges[1:, None], np.arange(n_in)[None, :] + 1)
    return np.clip(hi - lo, 0, None) / (length / n_out)


def _resized(image: np.ndarray, box: tuple[float, float, float, float], h: int, w: int) -> np.ndarray:
    """The part (top, left, height, width) of `image` scaled to h × w by area averaging."""
    top, left, height, width = box
    return _weights(image.shape[0], h, top, height) @ image @ _weights(image.shape[1], w, left, width).T


def _ink_box(pixels: np.ndarray) -> tuple[int, int, int, int] | None:
    rows, cols = np.flatnonzero((pixels > INK).any(1)), np.flatnonzero((pixels > INK).any(0))
    if not len(rows):
        return None
    return rows[0], cols[0], rows[-1] + 1 - rows[0], cols[-1] + 1 - cols[0]


def _fitted(pixels: np.ndarray, h: int, w: int, fill: float, centre: str) -> np.ndarray:
    box = _ink_box(pixels)
    out = np.zeros((h, w))
    if box is None:
        return out
    top, left, bh, bw = box
    side = max(bh, bw)                 # keep the aspect ratio: the longer side fills `fill`
    scale = fill * min(h, w) / side
    ch, cw = max(1, round(bh * scale)), max(1, round(bw * scale))
    crop = _resized(pixels, (top, left, bh, bw), ch, cw)
    if centre == MASS and crop.sum() > 0:
        ys, xs = np.indices(crop.shape)
        cy, cx = (crop * ys).sum() / crop.sum() + 0.5, (crop * xs).sum() / crop.sum() + 0.5
    else:
        cy, cx = ch / 2, cw / 2
    y0, x0 = int(round(h / 2 - cy)), int(round(w / 2 - cx))
    ya, xa = max(0, y0), max(0, x0)            # paste, clipped to the frame
    yb, xb = min(h, y0 + ch), min(w, x0 + cw)
    out[ya:yb, xa:xb] = crop[ya - y0: yb - y0, xa - x0: xb - x0]
    return out


def to_image(pixels: np.ndarray, shape: tuple[int, int, int], dataset: str) -> np.ndarray:
    """float32 [C, H, W] in [0, 1]: the pad's [DRAW_SIZE, DRAW_SIZE] grey levels as one image
    of `dataset`, whose images are `shape`."""
    channels, h, w = shape
    pixels = np.asarray(pixels, dtype=np.float64)
    if dataset in FITS:
        image = _fitted(pixels, h, w, *FITS[dataset])
    else:
        image = _resized(pixels, (0, 0, *pixels.shape), h, w)
    peak = image.max()
    if peak > 0:
        image = image / peak
    return np.repeat(np.clip(image, 0, 1)[None], channels, 0).astype(np.float32)
