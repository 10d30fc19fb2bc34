"""Training-time augmentation of image batches (the spec's `data.augment`)."""
from __future__ import annotations

import torch


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
