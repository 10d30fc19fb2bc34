"""Torch modules for the spec's layer kinds: one builder per kind of `engine.spec.plan.KINDS`
(checked complete at import), and `Net`, the stack they make with its output head.
Shapes are batch-first; text nets take int64 token ids [N, T], series nets [N, T, F].
"""
from __future__ import annotations

import math
from collections import OrderedDict
from itertools import islice
from typing import Callable

import torch
from torch import nn

from engine.nn.activations import activation_module
from engine.nn.recurrent import Recurrent
from engine.spec.layer_shapes import Feed, num_layers_of, padding_of, rnn_activation_of, stride_of
from engine.spec.plan import KINDS, plan


def _conv_block(layer, in_shape, feed):
    return nn.Sequential(OrderedDict(
        conv=nn.Conv2d(in_shape[0], layer.filters, layer.kernel, stride_of(layer), padding_of(layer)),
        act=activation_module(layer.activation)))


def _dense_block(layer, in_shape, feed):
    if len(in_shape) == 2:                  # nn.Linear maps the last axis: every step at once
        return nn.Sequential(OrderedDict(linear=nn.Linear(in_shape[1], layer.units),
                                         act=activation_module(layer.activation)))
    # Flatten is a no-op on (N, F), so every flat dense block has it and its keys stay the same.
    return nn.Sequential(OrderedDict(
        flatten=nn.Flatten(), linear=nn.Linear(math.prod(in_shape), layer.units),
        act=activation_module(layer.activation)))


def _batchnorm_block(layer, in_shape, feed):
    norm = nn.BatchNorm2d if len(in_shape) == 3 else nn.BatchNorm1d
    return nn.Sequential(OrderedDict(norm=norm(in_shape[0]), act=activation_module(layer.activation)))


def _recurrent_block(layer, in_shape, feed):
    return Recurrent(layer.kind, in_shape[1], layer.units, num_layers_of(layer),
                     rnn_activation_of(layer))


class Residual(nn.Module):
    """conv → act → conv, plus the input (through a 1×1 conv when channels change), → act."""

    def __init__(self, d_in: int, d_out: int, kernel: int, activation: str | None):
        super().__init__()
        pad = kernel // 2          # with an odd kernel and stride 1 this keeps H×W for the add
        self.conv1 = nn.Conv2d(d_in, d_out, kernel, padding=pad)
        self.act1 = activation_module(activation)
        self.conv2 = nn.Conv2d(d_out, d_out, kernel, padding=pad)
        self.skip = nn.Conv2d(d_in, d_out, 1) if d_in != d_out else nn.Identity()
        self.act2 = activation_module(activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act2(self.conv2(self.act1(self.conv1(x))) + self.skip(x))


class LastStep(nn.Module):
    """[N, T, F] → [N, F]: a many-to-one head reads the state after the whole sequence."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, -1]


# One builder per layer kind: (layer, one sample's input shape, feed) -> nn.Module.
BUILDERS: dict[str, Callable] = {
    "dense": _dense_block,
    "conv2d": _conv_block,
    "maxpool": lambda layer, s, feed: nn.MaxPool2d(layer.kernel, stride_of(layer)),
    "avgpool": lambda layer, s, feed: nn.AvgPool2d(layer.kernel, stride_of(layer)),
    "flatten": lambda layer, s, feed: nn.Flatten(),
    "dropout": lambda layer, s, feed: nn.Dropout(layer.rate),
    "batchnorm": _batchnorm_block,
    "residual": lambda layer, s, feed: Residual(s[0], layer.filters, layer.kernel,
                                                layer.activation),
    "embedding": lambda layer, s, feed: nn.Embedding(feed.vocab, layer.dim),
    "rnn": _recurrent_block,
    "lstm": _recurrent_block,
    "gru": _recurrent_block,
}
if set(BUILDERS) != set(KINDS):
    raise ImportError(f"layer builders and kinds differ: {sorted(set(BUILDERS) ^ set(KINDS))}")


def _to_head(sequence: str) -> nn.Module:
    if sequence == "many_to_one":
        return LastStep()
    return nn.Identity() if sequence else nn.Flatten()   # flatten: a no-op when already flat


class Net(nn.Module):
    """One block per spec layer in `blocks`, then `to_head` (flatten; for sequences the last
    step or every step) → `head` (nn.Linear) → out activation. `plans` holds the LayerPlans it
    was built from (shapes for views; not in the state_dict)."""

    def __init__(self, layers, input_shape, out_units: int, out_activation: str, *,
                 sequence: str = "", vocab: int = 0):
        super().__init__()
        self.plans = plan(layers, input_shape, out_units, sequence=sequence, vocab=vocab)
        self.kinds = [layer.kind for layer in layers]
        self.sequence, self.vocab = sequence, vocab
        feed = Feed(sequence, vocab)
        self.blocks = nn.ModuleList(BUILDERS[layer.kind](layer, p.in_shape, feed)
                                    for layer, p in zip(layers, self.plans))
        self.to_head = _to_head(sequence)
        head_in = self.plans[-1].in_shape
        self.head = nn.Linear(head_in[-1] if sequence else math.prod(head_in), out_units)
        self.out_act = activation_module(out_activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.head_out(x)

    def head_out(self, x: torch.Tensor) -> torch.Tensor:
        """The head on the last block's output."""
        return self.out_act(self.head(self.to_head(x)))

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every spec layer's output, the head's last (for feature maps and neuron views)."""
        outs: list[torch.Tensor] = []
        for block in self.blocks:
            x = block(x)
            outs.append(x)
        outs.append(self.head_out(x))
        return outs

    def forward_to(self, stop: int, x: torch.Tensor) -> torch.Tensor:
        """Blocks 0 … stop−1: what block `stop` reads."""
        for block in islice(self.blocks, stop):
            x = block(x)
        return x

    def forward_from(self, start: int, x: torch.Tensor) -> torch.Tensor:
        """Blocks start … and the head, on what block `start` reads."""
        for block in islice(self.blocks, start, None):
            x = block(x)
        return self.head_out(x)


def build_net(layers, input_shape, out_units: int, out_activation: str, *,
              sequence: str = "", vocab: int = 0) -> Net:
    """The network for these layers; raises LayerError for an impossible one. Weights get
    torch.nn's default initialisation from the global RNG: seed it first for determinism.
    Text nets take int64 token ids [N, T]; series nets [N, T, F]."""
    return Net(layers, input_shape, out_units, out_activation, sequence=sequence, vocab=vocab)


def conv_weights(net: Net) -> list[tuple[int, torch.Tensor]]:
    """(layer index, [out, in, k, k] weight) for each layer with filters to show; a residual
    block's first conv stands for its layer."""
    out = []
    for i, (kind, block) in enumerate(zip(net.kinds, net.blocks)):
        name = KINDS[kind].filter_module
        if name is not None:
            out.append((i, getattr(block, name).weight.detach()))
    return out
