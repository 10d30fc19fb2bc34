"""The 2-D playground's dense network, built for speed.

`MLP` is a plain `nn.Module` (so it exports, saves and runs anywhere PyTorch does) whose forward
calls one `torch.addmm` per layer instead of calling sub-modules: a playground step is ~20 tiny
ops and per-module call overhead would be a fifth of it.
"""
from __future__ import annotations

import torch
from torch import nn

from engine.nn.activations import ACTIVATIONS, activation_module
from engine.spec.types import Spec


class MLP(nn.Module):
    """Dense layers; `activations[i]` follows layer i (the last one is the head's).

    Weights are stored [in, out] so each layer is one `addmm` with no transpose node for
    autograd to walk (8% faster steps than `nn.Linear`'s [out, in]); `weight(i)` and
    `to_sequential()` give the usual [out, in] layout.
    """

    def __init__(self, sizes: list[int], activations: list[str]):
        super().__init__()
        self.w = nn.ParameterList(nn.Parameter(torch.empty(a, b)) for a, b in zip(sizes, sizes[1:]))
        self.b = nn.ParameterList(nn.Parameter(torch.empty(b)) for b in sizes[1:])
        self.sizes = list(sizes)
        self.activations = list(activations)
        self._fns = [ACTIVATIONS[a].fn for a in activations]
        self._layers = list(zip(self.w, self.b, self._fns))   # plain tensors: no getattr cost

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for w, b, fn in self._layers:
            x = fn(torch.addmm(b, x, w))
        return x

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output, the head's last (for neuron maps)."""
        outs = []
        for w, b, fn in self._layers:
            x = fn(torch.addmm(b, x, w))
            outs.append(x)
        return outs

    def parameters_in_order(self) -> list[torch.Tensor]:
        """[w0, b0, w1, b1, ...]: weights at even positions."""
        return [p for pair in zip(self.w, self.b) for p in pair]

    def weight(self, i: int) -> torch.Tensor:
        """Layer i's weight as [out, in], torch.nn.Linear's layout."""
        return self.w[i].detach().T

    def to_sequential(self) -> nn.Sequential:
        """The same network as standard torch.nn modules (for export and oracle tests)."""
        mods: list[nn.Module] = []
        for i, act in enumerate(self.activations):
            lin = nn.Linear(self.sizes[i], self.sizes[i + 1])
            with torch.no_grad():
                lin.weight.copy_(self.weight(i))
                lin.bias.copy_(self.b[i])
            mods.append(lin)
            if act != "linear":
                mods.append(activation_module(act))
        return nn.Sequential(*mods)


def is_fast_mlp(spec: Spec) -> bool:
    """2-D playground nets of dense layers only take the fast MLP path."""
    return spec.data.family == "points" and all(l.kind == "dense" for l in spec.model.layers)
