"""Losses and what they need: the targets a loss wants, the head's loss kind, correctness."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.nn.fastpath import mse
from engine.spec.network import output_units
from engine.spec.types import Spec


def targets(spec: Spec, y) -> torch.Tensor:
    """Dataset labels as the loss wants them: ±1 (squared error), 0/1 (sigmoid), class index.
    (An autoencoder's target is its input: the session builds that one.)"""
    y = torch.as_tensor(y)
    if spec.data.problem == "regression":
        return y.float().reshape(-1, 1)
    if spec.training.loss == "mse":
        return (y.float() * 2 - 1).reshape(-1, 1)
    if output_units(spec) == 1:
        return y.float().reshape(-1, 1)
    return y.long()


def head(spec: Spec) -> str:
    """The loss the head trains with: "mse", "bce" (one logit, 0/1 targets) or "ce" (logits
    of several classes, class-index targets)."""
    if spec.training.loss == "mse":
        return "mse"
    return "bce" if output_units(spec) == 1 else "ce"


def loss_fn(spec: Spec, smoothing: float = 0.0):
    """(prediction, target) -> mean loss. Squared error is TF Playground's ½(ŷ−y)².
    `smoothing` ε (cross-entropy only) trains towards 1 − ε on the class and ε spread evenly
    over all classes (torch's label_smoothing; one logit: targets t·(1 − ε) + ε/2)."""
    kind = head(spec)
    if kind == "mse":
        return lambda out, t: 0.5 * mse(out, t)
    if kind == "bce":
        if smoothing:
            return lambda out, t: F.binary_cross_entropy_with_logits(
                out, t * (1 - smoothing) + smoothing / 2)
        return F.binary_cross_entropy_with_logits
    return lambda out, t: _cross_entropy(out, t, smoothing)


def _cross_entropy(out: torch.Tensor, t: torch.Tensor, smoothing: float = 0.0) -> torch.Tensor:
    """Over the last axis, so a prediction at every time step ([N, T, V]) works too."""
    return F.cross_entropy(out.reshape(-1, out.shape[-1]), t.reshape(-1),
                           label_smoothing=smoothing)


def correct(spec: Spec, out: torch.Tensor, t: torch.Tensor) -> torch.Tensor | None:
    """Boolean tensor of correct predictions, or None for regression and autoencoders."""
    if spec.data.problem == "regression" or spec.model.task == "autoencoder":
        return None
    if out.shape[-1] > 1:
        return out.argmax(-1) == t
    threshold = 0.0   # tanh output vs ±1 labels, or a logit vs 0/1 labels: both split at 0
    return (out[..., 0] > threshold) == (t[..., 0] > (0.0 if spec.training.loss == "mse" else 0.5))
