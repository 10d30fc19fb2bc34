"""The one activation table: per name, its function, its gradient, its torch.nn module and the
code an exported script writes for it. A new activation is one row here and its label in the
spec's vocabulary (`engine.spec.fields.ACTIVATIONS`); the two are checked to agree at import.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from engine.spec.fields import ACTIVATIONS as ACTIVATION_LABELS


LEAKY_SLOPE = 0.01
_aten = torch.ops.aten


def _step(x: torch.Tensor) -> torch.Tensor:
    # A comparison has no gradient: nothing upstream of a step layer learns. That is the lesson.
    return (x > 0).to(x.dtype)


class Step(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _step(x)


@dataclass(frozen=True)
class Activation:
    fn: Callable                 # tensor -> tensor
    # dL/dz from dL/dy (`d`), the pre-activation `z` and the output `y`, for the batched
    # trainer's hand-written backward pass: the derivative op autograd itself runs.
    grad: Callable
    module: Callable[[], nn.Module]     # the matching torch.nn module (export, oracle tests)
    code: str                    # that module as an exported script writes it


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation(torch.tanh, lambda d, z, y: _aten.tanh_backward(d, y),
                       nn.Tanh, "nn.Tanh()"),
    "relu": Activation(F.relu, lambda d, z, y: _aten.threshold_backward(d, y, 0),
                       nn.ReLU, "nn.ReLU()"),
    "sigmoid": Activation(torch.sigmoid, lambda d, z, y: _aten.sigmoid_backward(d, y),
                          nn.Sigmoid, "nn.Sigmoid()"),
    "linear": Activation(lambda x: x, lambda d, z, y: d, nn.Identity, "nn.Identity()"),
    "leaky_relu": Activation(lambda x: F.leaky_relu(x, LEAKY_SLOPE),
                             lambda d, z, y: _aten.leaky_relu_backward(d, z, LEAKY_SLOPE, False),
                             lambda: nn.LeakyReLU(LEAKY_SLOPE), f"nn.LeakyReLU({LEAKY_SLOPE!r})"),
    "elu": Activation(F.elu, lambda d, z, y: _aten.elu_backward(d, 1.0, 1, 1, False, z),
                      nn.ELU, "nn.ELU()"),
    "gelu": Activation(F.gelu, lambda d, z, y: _aten.gelu_backward(d, z), nn.GELU, "nn.GELU()"),
    "softsign": Activation(F.softsign, lambda d, z, y: d / (z.abs() + 1).square(),
                           nn.Softsign, "nn.Softsign()"),
    "softplus": Activation(F.softplus, lambda d, z, y: _aten.softplus_backward(d, z, 1, 20),
                           nn.Softplus, "nn.Softplus()"),
    # No gradient (autograd leaves it unused: zeros).
    "step": Activation(_step, lambda d, z, y: torch.zeros_like(d), Step, "Step()"),
}
if set(ACTIVATIONS) != set(ACTIVATION_LABELS):
    raise ImportError(f"activation table and spec vocabulary differ: "
                      f"{sorted(set(ACTIVATIONS) ^ set(ACTIVATION_LABELS))}")


def activation_module(name: str | None) -> nn.Module:
    """A fresh torch.nn module for activation `name` (None: linear)."""
    return ACTIVATIONS[name or "linear"].module()


def activation_name(module: nn.Module) -> str | None:
    """The table's name for a module built by `activation_module`, or None."""
    return next((name for name, act in ACTIVATIONS.items()
                 if type(module) is type(act.module())), None)
