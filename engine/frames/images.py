"""Probes for image and table models: filters, feature maps, confusion matrix, galleries,
weight and gradient histograms, and an autoencoder's embedding and reconstructions.

Each probe fills arrays (and scalars) of a Frame only when the client asked for that view, so
frames carry what is on screen. Confusion and galleries read the test-set outputs the session
computed at its last evaluation (no extra forward pass); feature maps run one example.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from engine.data.images import PIXEL_MAX
from engine.frames.common import finite
from engine.nn.build import Autoencoder
from engine.nn.layers import conv_weights


VIEWS = ("filters", "feature_maps", "confusion", "gallery", "histograms", "embedding")
GALLERY_SIZE = 12
HISTOGRAM_BINS = 24
EMBEDDING_POINTS = 1000        # test examples drawn in the scatter
RECONSTRUCTIONS = 8
EXAMPLES_LIMIT = 24           # examples shown for one confusion-matrix cell


def _to_pixels(images: np.ndarray) -> np.ndarray:
    """[n, 1, H, W] in [0, 1] → uint8 [n, H, W]."""
    return (np.clip(images[:, 0], 0, 1) * PIXEL_MAX).round().astype(np.uint8)


def _probs(session) -> torch.Tensor:
    return torch.softmax(session.outputs["test"], dim=1)


def filters(session, arrays: dict, scalars: dict) -> None:
    net = session.model.encoder if isinstance(session.model, Autoencoder) else session.model
    for index, w in conv_weights(net):
        arrays[f"filters.{index}"] = w.float().cpu().numpy()


@torch.inference_mode()
def example_maps(session, x: torch.Tensor, raw: np.ndarray | None, arrays: dict) -> None:
    """What every layer makes of one model input x [1, ...] (`fmap.<layer>`), the example as
    drawn (`sample`, from its raw [1, C, H, W] in [0, 1]) and, for a classifier, its class
    probabilities (`sample_probs`)."""
    with session.eval_mode():
        outs = session.model.forward_all(x)
    for i, out in enumerate(outs[:-1]):
        arrays[f"fmap.{i}"] = out[0].float().cpu().numpy()
    if raw is not None and raw.ndim == 4:
        arrays["sample"] = _to_pixels(raw)[0]
    if session.spec.model.task != "autoencoder":
        arrays["sample_probs"] = torch.softmax(outs[-1][0], 0).float().cpu().numpy()


def feature_maps(session, arrays: dict, scalars: dict, sample: int) -> None:
    test = session.splits["test"]
    sample = min(max(sample, 0), len(test) - 1)
    example_maps(session, test.x[sample: sample + 1],
                 None if test.raw is None else test.raw[sample: sample + 1], arrays)
    scalars["sample"] = {"index": sample, "label": int(test.labels[sample]), "count": len(test)}


def confusion(session, arrays: dict, scalars: dict) -> None:
    k = session.spec.data.n_classes
    pred = session.outputs["test"].argmax(1).cpu().numpy()
    true = session.splits["test"].labels.astype(np.int64)
    arrays["confusion"] = np.bincount(true * k + pred, minlength=k * k).reshape(k, k).astype(
        np.int32)


def gallery(session, arrays: dict, scalars: dict) -> None:
    """The most confidently wrong and the least confident test examples."""
    test = session.splits["test"]
    probs = _probs(session)
    conf, pred = probs.max(1)
    true = torch.from_numpy(test.labels.astype(np.int64)).to(probs.device)
    wrong = (pred != true).nonzero().flatten()
    picks = {
        "wrong": wrong[conf[wrong].argsort(descending=True)[:GALLERY_SIZE]],
        "unsure": conf.argsort()[:GALLERY_SIZE],
    }
    for name, idx in picks.items():
        idx = idx.cpu().numpy()
        if test.raw is not None and test.raw.ndim == 4:
            arrays[f"gallery_{name}"] = _to_pixels(test.raw[idx])
        scalars[f"gallery_{name}"] = finite([
            {"index": int(i), "label": int(test.labels[i]), "pred": int(pred[i]),
             "prob": round(float(conf[i]), 4), "true_prob": round(float(probs[i, test.labels[i]]), 4)}
            for i in idx])


def histograms(session, arrays: dict, scalars: dict) -> None:
    """Per trainable weight tensor: a histogram of weights and of the last gradients."""
    grads = getattr(session, "last_grads", None)
    ranges = []
    for n, i in enumerate(session._weights):
        w = session.params[i].detach().float()
        bound = _range(w)
        arrays[f"hist_w.{n}"] = torch.histc(w, HISTOGRAM_BINS, -bound, bound).cpu().numpy().astype(
            np.int32)
        entry = {"weight_range": bound, "name": _param_name(session.model, session.params[i])}
        if grads is not None:
            g = grads[i].detach().float()
            gb = _range(g)
            arrays[f"hist_g.{n}"] = torch.histc(g, HISTOGRAM_BINS, -gb, gb).cpu().numpy().astype(
                np.int32)
            entry["grad_range"] = gb
        ranges.append(entry)
    scalars["histograms"] = ranges


def _range(t: torch.Tensor) -> float:
    """Symmetric histogram bound: the largest magnitude (1 when zero or not finite, as after
    a divergence, where the histogram is empty anyway)."""
    bound = float(t.abs().max())
    return bound if math.isfinite(bound) and bound > 0 else 1.0


def _param_name(model: nn.Module, p: torch.Tensor) -> str:
    for name, q in model.named_parameters():
        if q is p:
            return name
    return "?"


@torch.inference_mode()
def embedding(session, arrays: dict, scalars: dict) -> None:
    """An autoencoder's bottleneck for test examples (first two units; PCA when wider)."""
    model = session.model
    if not isinstance(model, Autoencoder):
        return
    test = session.splits["test"]
    n = min(len(test), EMBEDDING_POINTS)
    with session.eval_mode():
        z = model.encode(test.x[:n]).float()
        recon = model(test.x[:RECONSTRUCTIONS]).float()
    if z.shape[1] > 2:
        z = z - z.mean(0)
        z = z @ torch.linalg.svd(z, full_matrices=False).Vh[:2].T
    elif z.shape[1] == 1:
        z = torch.cat([z, torch.zeros_like(z)], 1)
    arrays["embedding"] = z.cpu().numpy().astype(np.float32)
    arrays["embedding_labels"] = test.labels[:n].astype(np.uint8)
    if test.raw is not None and test.raw.ndim == 4:
        shape = test.raw.shape[1:]
        arrays["originals"] = _to_pixels(test.raw[:RECONSTRUCTIONS])
        arrays["reconstructions"] = _to_pixels(
            recon.reshape(-1, *shape).clamp(0, 1).cpu().numpy())


def probe(session, views: set[str], sample: int = 0) -> tuple[dict, dict]:
    """Arrays and scalars for the views asked for."""
    arrays: dict[str, np.ndarray] = {}
    scalars: dict = {}
    classify = session.spec.model.task != "autoencoder"
    if "filters" in views:
        filters(session, arrays, scalars)
    if "feature_maps" in views:
        feature_maps(session, arrays, scalars, sample)
    if "confusion" in views and classify:
        confusion(session, arrays, scalars)
    if "gallery" in views and classify:
        gallery(session, arrays, scalars)
    if "histograms" in views:
        histograms(session, arrays, scalars)
    if "embedding" in views:
        embedding(session, arrays, scalars)
    return arrays, scalars


@torch.inference_mode()
def examples(session, true: int, pred: int, limit: int = EXAMPLES_LIMIT) -> tuple[np.ndarray | None, list]:
    """Test examples of class `true` predicted as `pred` (a confusion-matrix cell)."""
    test = session.splits["test"]
    probs = _probs(session)
    conf, p = probs.max(1)
    labels = torch.from_numpy(test.labels.astype(np.int64)).to(p.device)
    idx = ((labels == true) & (p == pred)).nonzero().flatten()[:limit].cpu().numpy()
    meta = finite([{"index": int(i), "label": int(test.labels[i]), "pred": int(p[i]),
                    "prob": round(float(conf[i]), 4)} for i in idx])
    images = _to_pixels(test.raw[idx]) if test.raw is not None and test.raw.ndim == 4 else None
    return images, meta
