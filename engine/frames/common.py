"""What every frame is made of: a `Frame` (JSON scalars and numpy arrays), `finite` (JSON has no
NaN: it travels as null) and `quantize` (a value in [-1, 1] as uint8 round((v + 1) · 127.5),
TF Playground's colour domain)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

QUANT = 127.5


@dataclass
class Frame:
    scalars: dict
    arrays: dict[str, np.ndarray]


def finite(value):
    """JSON has no NaN or infinity (a diverged loss): they travel as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def quantize(v: torch.Tensor) -> np.ndarray:
    return ((v.clamp(-1, 1) + 1) * QUANT).round().to(torch.uint8).cpu().numpy()


