"""Build the network a spec describes: the fast 2-D MLP, a generic layer stack, or an
autoencoder, initialised from the spec's training seed."""
from __future__ import annotations

import math

import torch
from torch import nn

from engine.nn.activations import activation_module
from engine.nn.init import init_classifier_head, init_modules, init_weights
from engine.nn.layers import build_net
from engine.nn.losses import head
from engine.nn.mlp import MLP, is_fast_mlp
from engine.spec.network import input_shape, output_activation, output_units, sequence_kwargs
from engine.spec.types import Spec

def build_model(spec: Spec) -> nn.Module:
    """The network a spec describes, initialised from its training seed."""
    gen = torch.Generator().manual_seed(spec.training.seed)
    if is_fast_mlp(spec):
        sizes = [len(spec.data.features)] + [l.units for l in spec.model.layers] + [
            output_units(spec)]
        acts = [l.activation for l in spec.model.layers] + [output_activation(spec)]
        model = MLP(sizes, acts)
        init_weights(model, spec.model.init, gen)
        return model
    torch.manual_seed(spec.training.seed)          # torch.nn's own defaults, then ours
    if spec.model.task == "autoencoder":
        model = Autoencoder(spec)
    else:
        model = build_net(spec.model.layers, input_shape(spec), output_units(spec),
                          output_activation(spec), **sequence_kwargs(spec))
    init_modules(model, spec.model.init, gen)
    if classifier_head(spec):
        init_classifier_head(model.head)
    return model


def classifier_head(spec: Spec) -> bool:
    """Whether the net's output layer starts near zero (engine.nn.init.init_classifier_head): a
    cross-entropy classifier other than the 2-D playground's (which keeps TF's init)."""
    return spec.model.task == "predict" and head(spec) != "mse" and not is_fast_mlp(spec)


class Autoencoder(nn.Module):
    """Encoder: the spec's layers down to `bottleneck` linear units; decoder: the dense layers
    mirrored back up to the input size (sigmoid for images in [0, 1], linear for tables)."""

    def __init__(self, spec: Spec):
        super().__init__()
        shape = input_shape(spec)
        self.shape = shape
        self.encoder = build_net(spec.model.layers, shape, spec.model.bottleneck, "linear")
        mods: list[nn.Module] = []
        width = spec.model.bottleneck
        for layer in reversed([l for l in spec.model.layers if l.kind == "dense"]):
            mods += [nn.Linear(width, layer.units), activation_module(layer.activation)]
            width = layer.units
        out = math.prod(shape)
        mods.append(nn.Linear(width, out))
        if spec.data.family == "images":
            mods.append(nn.Sigmoid())
        self.decoder = nn.Sequential(*mods)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        outs = self.encoder.forward_all(x)
        return outs + [self.decoder(outs[-1])]


