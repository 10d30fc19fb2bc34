"""The one device policy: which torch device a session trains on.

`auto` takes CUDA when it is present and worth it. A 2-D playground net is a few hundred
weights: each CUDA kernel launch (~5-10 µs) costs more than the arithmetic, and every frame
copies maps back to the host, so dense nets on 2-D data stay on the CPU even where a GPU exists.
Larger models (image and sequence families) pass `heavy=True` and get the GPU.
"""
from __future__ import annotations

import torch

CHOICES = ("auto", "cpu", "cuda")


def cuda_available() -> bool:
    return torch.cuda.is_available()


def pick_device(requested: str = "auto", heavy: bool = False) -> torch.device:
    if requested not in CHOICES:
        raise ValueError(f"device: {requested!r} is not one of {', '.join(CHOICES)}")
    if requested == "cuda":
        if not cuda_available():
            raise ValueError("device: cuda was requested but no CUDA device is available")
        return torch.device("cuda")
    if requested == "auto" and heavy and cuda_available():
        return torch.device("cuda")
    return torch.device("cpu")


def describe() -> dict:
    """What the server reports as its compute: used by /api/schema and the CLI."""
    info = {"cuda": cuda_available(), "torch": torch.__version__}
    if info["cuda"]:
        info["cuda_device"] = torch.cuda.get_device_name(0)
    return info
