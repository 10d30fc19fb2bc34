"""Probes that turn a Session into a Frame of plain arrays for the browser's views.

Maps cover [-EXTENT, EXTENT]² with row 0 at the top (x2 = +EXTENT) and column 0 at x1 = −EXTENT.
A value v in [-1, 1] travels as uint8 round((v + 1) · 127.5), TF Playground's colour domain;
the output map is GRID² (one forward pass over the grid), every neuron's thumbnail THUMB² (a
second, tiny pass), and only the neuron a person is looking at (`focus`) goes at full size.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import torch

from engine.data import DATASETS
from engine.features import FEATURES, feature_matrix
from engine.session import STD_FLOOR, Session

GRID = 100
THUMB = 16
EXTENT = 6.0
QUANT = 127.5
GRID_CACHE = 64          # feature sets × sizes × devices kept (~360 KB each at 100²)


@dataclass
class Frame:
    scalars: dict
    arrays: dict[str, np.ndarray]


def grid_points(size: int) -> np.ndarray:
    """[size², 2] raw coordinates, row-major from the top-left corner."""
    xs = np.linspace(-EXTENT, EXTENT, size, dtype=np.float32)
    x1, x2 = np.meshgrid(xs, xs[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


@functools.lru_cache(maxsize=GRID_CACHE)
def grid_inputs(features: tuple[str, ...], size: int, device: torch.device) -> torch.Tensor:
    """The features of every grid point (cached: each session's frames reuse them)."""
    return torch.from_numpy(feature_matrix(grid_points(size), features)).to(device)


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


def _scalars(session: Session, history_from: int) -> dict:
    return {
        "status": session.status, "message": session.message,
        "epoch": session.epoch, "step": session.step, "device": str(session.device.type),
        "metrics": finite(session.metrics), "history": finite(session.history.since(history_from)),
        "best_epoch": session.best_epoch, "data_version": session.data_version,
    }


def snapshot(session: Session, focus: int | None = None, history_from: int = 0,
             include_data: bool = False, views: frozenset[str] = frozenset(),
             sample: int = 0, options: dict | None = None) -> Frame:
    """Everything one frame shows. 2-D playground: `focus` indexes the neurons array (inputs
    first). Other models: `views` names the probes on screen (image_views.VIEWS,
    sequence_views.VIEWS), `sample` the test example they show, `options` the sequence
    probes' recurrent `layer`, text `prompt` and `temperature`."""
    family = session.spec.data.family
    if family == "points":
        arrays = _point_arrays(session, focus, include_data)
        return Frame(_scalars(session, history_from), arrays)
    from engine import image_views, sequence_views
    if family == "sequences":
        arrays, extra = sequence_views.probe(session, set(views), sample, **(options or {}))
        if "histograms" in views:
            image_views.histograms(session, arrays, extra)
    else:
        arrays, extra = image_views.probe(session, set(views), sample)
    return Frame({**_scalars(session, history_from), **extra}, arrays)


@torch.inference_mode()
def _point_arrays(session: Session, focus: int | None, include_data: bool) -> dict:
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
