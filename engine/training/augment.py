"""Training-time augmentation of batches: the spec's `data.augment` (shifts), `flip`,
`rotate` and `scale` (one affine warp) for images, and `input_noise` for images and tables.
Each draws from the session's shuffle generator, in that order, so a run repeats exactly (and
the exported model.py, which lifts these functions, draws the same)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def shift(batch: torch.Tensor, max_shift: int, generator: torch.Generator | None = None,
          fill: float = 0.0):
    """Move each image of `batch` [n, C, H, W] by its own random offset of up to ±max_shift
    pixels along each axis, filling with `fill` (the background: 0 for raw images, its
    standardised value otherwise). Offsets come from `generator`."""
    if max_shift <= 0:
        return batch
    n, c, h, w = batch.shape
    device = generator.device if generator is not None else torch.device("cpu")
    offsets = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=generator,
                            device=device).to(batch.device)
    padded = torch.nn.functional.pad(batch, (max_shift,) * 4, value=fill)
    # Output pixel i reads padded pixel i + max_shift - offset: content moves by +offset.
    start = max_shift - offsets
    rows = (start[:, :1] + torch.arange(h, device=batch.device)).view(n, 1, h, 1)
    cols = (start[:, 1:] + torch.arange(w, device=batch.device)).view(n, 1, 1, w)
    picked = padded.gather(2, rows.expand(n, c, h, w + 2 * max_shift))
    return picked.gather(3, cols.expand(n, c, h, w))


def flip(batch: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Mirror each image of `batch` [n, C, H, W] left to right with probability ½."""
    device = generator.device if generator is not None else torch.device("cpu")
    coin = torch.rand(len(batch), generator=generator, device=device).to(batch.device) < 0.5
    return torch.where(coin[:, None, None, None], batch.flip(-1), batch)


def rotate_scale(batch: torch.Tensor, degrees: float, zoom: float,
                 generator: torch.Generator | None = None, fill: float = 0.0) -> torch.Tensor:
    """Turn each image by its own random angle in ±`degrees` and zoom it by a random factor in
    1 ± `zoom` (a fraction) about its centre, bilinearly; pixels from outside are `fill`."""
    n = len(batch)
    device = generator.device if generator is not None else torch.device("cpu")
    u = torch.rand(n, 2, generator=generator, device=device).to(batch.device, batch.dtype)
    angle = (u[:, 0] * 2 - 1) * math.radians(degrees)
    scale = 1 + (u[:, 1] * 2 - 1) * zoom
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    zero = torch.zeros_like(cos)
    theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
    grid = F.affine_grid(theta, list(batch.shape), align_corners=False)
    moved = F.grid_sample(batch - fill, grid, mode="bilinear", padding_mode="zeros",
                          align_corners=False)
    return moved + fill


def add_noise(batch: torch.Tensor, sigma: float,
              generator: torch.Generator | None = None) -> torch.Tensor:
    """`batch` plus Gaussian noise of standard deviation `sigma` on every value."""
    device = generator.device if generator is not None else torch.device("cpu")
    noise = torch.randn(batch.shape, generator=generator, device=device)
    return batch + sigma * noise.to(batch.device, batch.dtype)
