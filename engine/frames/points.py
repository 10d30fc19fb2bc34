"""The 2-D playground's frame arrays: the output map, every neuron's thumbnail, the focused
neuron at full size, the weights and, when asked, the data points.

Maps cover [-EXTENT, EXTENT]² with row 0 at the top (x2 = +EXTENT) and column 0 at x1 = −EXTENT.
The output map is GRID² (one forward pass over the grid), every neuron's thumbnail THUMB² (a
second, tiny pass), and only the neuron a person is looking at (`focus`) goes at full size.
"""
from __future__ import annotations

import functools

import numpy as np
import torch

from engine.data.features import FEATURES, feature_matrix
from engine.data.registry import DATASETS
from engine.frames.common import quantize
from engine.training.session import Session
from engine.training.splits import STD_FLOOR


GRID = 100
THUMB = 16
EXTENT = 6.0
GRID_CACHE = 64          # feature sets × sizes × devices kept (~360 KB each at 100²)


def grid_points(size: int) -> np.ndarray:
    """[size², 2] raw coordinates, row-major from the top-left corner."""
    xs = np.linspace(-EXTENT, EXTENT, size, dtype=np.float32)
    x1, x2 = np.meshgrid(xs, xs[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


@functools.lru_cache(maxsize=GRID_CACHE)
def grid_inputs(features: tuple[str, ...], size: int, device: torch.device) -> torch.Tensor:
    """The features of every grid point (cached: each session's frames reuse them)."""
    return torch.from_numpy(feature_matrix(grid_points(size), features)).to(device)


def _head_values(session: Session, out: torch.Tensor) -> dict[str, torch.Tensor]:
    """The head's output as a value in [-1, 1] (and class index for several classes)."""
    spec = session.spec
    if out.shape[1] > 1:
        prob = torch.softmax(out, dim=1)
        conf, cls = prob.max(dim=1)
        return {"value": conf * 2 - 1, "class": cls}
    if spec.training.loss == "cross_entropy":
        return {"value": torch.sigmoid(out[:, 0]) * 2 - 1}
    return {"value": out[:, 0]}


def _input_maps(x: torch.Tensor) -> torch.Tensor:
    """Input features scaled to fill the colour range (X₁ spans ±6, sin X₁ spans ±1)."""
    return x / x.abs().amax(dim=0, keepdim=True).clamp_min(STD_FLOOR)


@torch.inference_mode()
def probe(session: Session, focus: int | None, include_data: bool) -> dict:
    model, spec, dev = session.model, session.spec, session.device
    grid_x = grid_inputs(spec.data.features, GRID, dev)
    outs = model.forward_all(grid_x)
    head = _head_values(session, outs[-1])
    arrays: dict[str, np.ndarray] = {"output": quantize(head["value"]).reshape(GRID, GRID)}
    if "class" in head:
        arrays["output_class"] = head["class"].to(torch.uint8).cpu().numpy().reshape(GRID, GRID)
    if DATASETS[spec.data.dataset].dims == 1:
        arrays["curve"] = outs[-1][:GRID, 0].float().cpu().numpy()

    thumb_x = grid_inputs(spec.data.features, THUMB, dev)
    thumb_maps = torch.cat([_input_maps(thumb_x)] + model.forward_all(thumb_x)[:-1], dim=1)
    arrays["neurons"] = quantize(thumb_maps.T.contiguous()).reshape(-1, THUMB, THUMB)
    if focus is not None and 0 <= focus < thumb_maps.shape[1]:
        full = torch.cat([_input_maps(grid_x)] + outs[:-1], dim=1)[:, focus]
        arrays["focus"] = quantize(full).reshape(GRID, GRID)

    for i in range(len(model.w)):
        arrays[f"weight.{i}"] = model.weight(i).float().cpu().numpy()     # [out, in]
        arrays[f"bias.{i}"] = model.b[i].detach().float().cpu().numpy()
    if include_data:
        for name in ("train", "test"):
            s = session.splits[name]
            arrays[f"{name}_x"] = s.points.astype(np.float32)
            arrays[f"{name}_y"] = s.labels.astype(np.float32)
        arrays["inputs"] = all_input_maps()
    return arrays


def all_input_maps() -> np.ndarray:
    """Every input feature's thumbnail (fixed pictures, in FEATURES order), so switched-off
    features still show what they would feed in."""
    x = grid_inputs(tuple(FEATURES), THUMB, torch.device("cpu"))
    return quantize(_input_maps(x).T.contiguous()).reshape(-1, THUMB, THUMB)
