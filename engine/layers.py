"""Layer kinds → torch modules, output shapes, parameter counts and FLOPs.

Owns `KINDS`, the one table that says, per layer kind, which spec fields it reads, what input it
needs, how it maps an input shape to an output shape (refusing impossible layers), what it costs
and which torch module it builds; a new kind costs one entry. `plan()` walks a spec's layers with
that table, `build_net()` turns the plan into `Net` (plain torch.nn, so it saves and exports).
The spec owns each field's bounds and defaults; this module owns what follows from chaining layers.

Shapes are one sample's: (C, H, W) for images, (F,) for flat inputs. Dense layers (and the
output head) flatten an image input implicitly.

FLOPs are multiply-accumulates for one sample's forward pass (the seeds' formula):
  conv2d            H₂·W₂·K²·D₁·D₂
  dense             in·out
  maxpool, avgpool  H₂·W₂·C·K²      (one compare or add per window element)
  batchnorm         one per element (at inference it is a fused scale-and-shift)
  residual          its two convs, plus H·W·D₁·D₂ for the 1×1 skip when channels change
  0 for activations, dropout, flatten and the residual's add: elementwise, no weights.
Parameters count biases (they are trained); FLOPs leave them out. BatchNorm's running mean and
variance are buffers, not parameters.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

MAX_PARAMS = 5_000_000           # whole model, head included
MAX_ACTIVATIONS = 2_000_000      # values in any one layer's output, per sample
OUTPUT_KIND = "output"           # the plan entry of the dense head the model always ends with
HEAD_FIELD = "layers"            # head errors name model.layers: no spec layer is at fault alone
POOLS = ("maxpool", "avgpool")

Shape = tuple[int, ...]


class LayerError(ValueError):
    """An impossible layer. `index` is the spec layer's (None: the output head), `field` the
    Layer attribute at fault, `message` the reason with no path prefix (the spec adds it)."""

    def __init__(self, index: int | None, field: str, message: str):
        super().__init__(message)
        self.index, self.field, self.message = index, field, message


class _Refusal(Exception):
    """Raised by the shape rules, which do not know the layer's index; plan() adds it."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message


@dataclass(frozen=True)
class LayerPlan:
    index: int | None                # None for the output head
    kind: str
    in_shape: Shape
    out_shape: Shape
    params: int
    flops: int                       # multiply-accumulates, see the module docstring
    note: str = ""


def shape_text(shape: Shape) -> str:
    return "×".join(map(str, shape))


def _activation(name: str | None) -> nn.Module:
    # Imported here, not at the top: engine.model imports engine.spec, and the spec plans layers
    # with this module, so a top-level import would be circular. Planning needs no activations.
    from engine.model import ACTIVATION_MODULE_TYPES
    return ACTIVATION_MODULE_TYPES[name or "linear"]()


# Left out, stride and padding mean what torch.nn means: conv stride 1, pool stride = kernel
# (non-overlapping windows), padding 0. The spec may fill them explicitly; both agree.
def _stride(layer) -> int:
    if layer.stride is not None:
        return layer.stride
    return layer.kernel if layer.kind in POOLS else 1


def _padding(layer) -> int:
    return layer.padding or 0


def _size_note(size: int, k: int, p: int, s: int) -> str:
    """The output-size formula O = (W − K + 2P)/S + 1 with this layer's numbers."""
    exact = (size - k + 2 * p) % s == 0
    out = (size - k + 2 * p) // s + 1
    return f"({size} − {k} + 2·{p})/{s} + 1 = {out}" + ("" if exact else " (rounded down)")


def _window(in_shape: Shape, k: int, s: int, p: int, channels: int, padded: bool):
    """Output shape and note of a K×K window sliding with stride S over a padded input.

    floor((W + 2P − K)/S) + 1 ≥ 1 whenever K ≤ W + 2P, so a kernel that fits can never leave an
    output below 1 whatever the stride: the kernel check is the only size refusal needed.
    """
    _, h, w = in_shape
    if k > h + 2 * p or k > w + 2 * p:
        raise _Refusal("kernel", f"{k} is larger than the {h}×{w} input"
                                 + (f" (padding {p})" if padded else ""))
    out = (channels, (h - k + 2 * p) // s + 1, (w - k + 2 * p) // s + 1)
    note = _size_note(h, k, p, s) if h == w else \
        f"rows {_size_note(h, k, p, s)}, columns {_size_note(w, k, p, s)}"
    return out, note


# --- shape rules: (layer, in_shape) -> (out_shape, note) --------------------------------------

def _conv_shape(layer, in_shape):
    return _window(in_shape, layer.kernel, _stride(layer), _padding(layer), layer.filters, True)


def _pool_shape(layer, in_shape):
    return _window(in_shape, layer.kernel, _stride(layer), 0, in_shape[0], False)


def _flatten_shape(layer, in_shape):
    flat = (math.prod(in_shape),)
    return flat, (f"{shape_text(in_shape)} → {flat[0]}" if len(in_shape) > 1 else "already flat")


def _dense_shape(layer, in_shape):
    return (layer.units,), _flattens_note(in_shape)


def _flattens_note(in_shape: Shape) -> str:
    return f"flattens {shape_text(in_shape)} → {math.prod(in_shape)}" if len(in_shape) > 1 else ""


def _same_shape_note(note: Callable[[object, Shape], str]):
    return lambda layer, in_shape: (tuple(in_shape), note(layer, in_shape))


def _residual_shape(layer, in_shape):
    k = layer.kernel
    if k % 2 == 0:
        raise _Refusal("kernel", f"{k} is even; a residual block needs an odd kernel so that "
                                 f"padding {k}//2 keeps the size and the skip can be added")
    c = in_shape[0]
    skip = "identity skip" if c == layer.filters else \
        f"skip through a 1×1 conv ({c} → {layer.filters} channels)"
    return (layer.filters, *in_shape[1:]), skip


# --- costs: (layer, in_shape, out_shape) -> (params, flops) -----------------------------------

def _conv_cost(layer, in_shape, out_shape):
    d1, (d2, h2, w2), k = in_shape[0], out_shape, layer.kernel
    return k * k * d1 * d2 + d2, h2 * w2 * k * k * d1 * d2


def _pool_cost(layer, in_shape, out_shape):
    return 0, math.prod(out_shape) * layer.kernel ** 2


def _dense_cost(layer, in_shape, out_shape):
    n_in, n_out = math.prod(in_shape), out_shape[0]
    return n_in * n_out + n_out, n_in * n_out


def _batchnorm_cost(layer, in_shape, out_shape):
    return 2 * in_shape[0], math.prod(out_shape)       # γ and β per channel (or feature)


def _free(layer, in_shape, out_shape):
    return 0, 0


def _residual_cost(layer, in_shape, out_shape):
    d1, (d2, h, w), k = in_shape[0], out_shape, layer.kernel
    params = (k * k * d1 * d2 + d2) + (k * k * d2 * d2 + d2)
    flops = h * w * k * k * (d1 * d2 + d2 * d2)
    if d1 != d2:                                       # the 1×1 projection on the skip
        params += d1 * d2 + d2
        flops += h * w * d1 * d2
    return params, flops


# --- builders: (layer, in_shape) -> nn.Module --------------------------------------------------

def _conv_block(layer, in_shape):
    return nn.Sequential(OrderedDict(
        conv=nn.Conv2d(in_shape[0], layer.filters, layer.kernel, _stride(layer), _padding(layer)),
        act=_activation(layer.activation)))


def _dense_block(layer, in_shape):
    # Flatten is a no-op on (N, F), so every dense block has it and its keys stay the same.
    return nn.Sequential(OrderedDict(
        flatten=nn.Flatten(), linear=nn.Linear(math.prod(in_shape), layer.units),
        act=_activation(layer.activation)))


def _batchnorm_block(layer, in_shape):
    norm = nn.BatchNorm2d if len(in_shape) == 3 else nn.BatchNorm1d
    return nn.Sequential(OrderedDict(norm=norm(in_shape[0]), act=_activation(layer.activation)))


class Residual(nn.Module):
    """conv → act → conv, plus the input (through a 1×1 conv when channels change), → act."""

    def __init__(self, d_in: int, d_out: int, kernel: int, activation: str | None):
        super().__init__()
        pad = kernel // 2          # with an odd kernel and stride 1 this keeps H×W for the add
        self.conv1 = nn.Conv2d(d_in, d_out, kernel, padding=pad)
        self.act1 = _activation(activation)
        self.conv2 = nn.Conv2d(d_out, d_out, kernel, padding=pad)
        self.skip = nn.Conv2d(d_in, d_out, 1) if d_in != d_out else nn.Identity()
        self.act2 = _activation(activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act2(self.conv2(self.act1(self.conv1(x))) + self.skip(x))


@dataclass(frozen=True)
class Kind:
    required: tuple[str, ...]        # Layer fields this kind cannot do without
    optional: tuple[str, ...]        # fields it reads when set (None: torch.nn's meaning)
    needs_image: bool                # refuses a flat (F,) input
    size_field: str | None           # the field that sets its output size: blamed for limits
    shape: Callable                  # (layer, in_shape) -> (out_shape, note); may raise _Refusal
    cost: Callable                   # (layer, in_shape, out_shape) -> (params, flops)
    build: Callable                  # (layer, in_shape) -> nn.Module
    filter_module: str | None = None  # submodule whose weight the filter view shows

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS: dict[str, Kind] = {
    "dense": Kind(("units",), ("activation",), False, "units",
                  _dense_shape, _dense_cost, _dense_block),
    "conv2d": Kind(("filters", "kernel"), ("stride", "padding", "activation"), True, "filters",
                   _conv_shape, _conv_cost, _conv_block, filter_module="conv"),
    "maxpool": Kind(("kernel",), ("stride",), True, None, _pool_shape, _pool_cost,
                    lambda layer, s: nn.MaxPool2d(layer.kernel, _stride(layer))),
    "avgpool": Kind(("kernel",), ("stride",), True, None, _pool_shape, _pool_cost,
                    lambda layer, s: nn.AvgPool2d(layer.kernel, _stride(layer))),
    "flatten": Kind((), (), False, None, _flatten_shape, _free, lambda layer, s: nn.Flatten()),
    "dropout": Kind(("rate",), (), False, None,
                    _same_shape_note(lambda l, s: f"zeroes {l.rate:.0%} of values while training"),
                    _free, lambda layer, s: nn.Dropout(layer.rate)),
    "batchnorm": Kind((), ("activation",), False, None,
                      _same_shape_note(lambda l, s: f"normalises each of {s[0]} "
                                                    + ("channels" if len(s) == 3 else "features")),
                      _batchnorm_cost, _batchnorm_block),
    "residual": Kind(("filters", "kernel"), ("activation",), True, "filters",
                     _residual_shape, _residual_cost,
                     lambda layer, s: Residual(s[0], layer.filters, layer.kernel,
                                               layer.activation), filter_module="conv1"),
}


def _check_input(layer, kind: Kind, in_shape: Shape) -> None:
    for name in kind.required:
        if getattr(layer, name, None) is None:
            raise _Refusal(name, f"is required for {layer.kind}")
    if kind.needs_image and len(in_shape) != 3:
        raise _Refusal("kind", f"{layer.kind} needs an image input; got {in_shape[0]} features")


def _check_limits(index, field: str, what: str, out_shape: Shape, total: int) -> None:
    size = math.prod(out_shape)
    if size > MAX_ACTIVATIONS:
        raise LayerError(index, field, f"with {what} the output is {shape_text(out_shape)} = "
                                       f"{size:,} values per sample, above the limit "
                                       f"{MAX_ACTIVATIONS:,}")
    if total > MAX_PARAMS:
        raise LayerError(index, field, f"with {what} the model reaches {total:,} parameters, "
                                       f"above the limit {MAX_PARAMS:,}")


def plan(layers, input_shape, out_units: int) -> list[LayerPlan]:
    """One LayerPlan per spec layer, then the output head's; raises LayerError at the first
    impossible layer (later shapes depend on it, so there is nothing further to check)."""
    shape, total, plans = tuple(input_shape), 0, []
    for i, layer in enumerate(layers):
        kind = KINDS.get(layer.kind)
        if kind is None:
            raise LayerError(i, "kind", f"{layer.kind!r} is not one of {', '.join(KINDS)}")
        try:
            _check_input(layer, kind, shape)
            out, note = kind.shape(layer, shape)
        except _Refusal as r:
            raise LayerError(i, r.field, r.message) from None
        params, flops = kind.cost(layer, shape, out)
        total += params
        field = kind.size_field or "kind"
        what = f"{getattr(layer, field)} {field}" if kind.size_field else f"this {layer.kind}"
        _check_limits(i, field, what, out, total)
        plans.append(LayerPlan(i, layer.kind, shape, out, params, flops, note))
        shape = out
    n_in = math.prod(shape)
    total += n_in * out_units + out_units
    _check_limits(None, HEAD_FIELD, f"the output layer's {n_in:,} inputs", (out_units,), total)
    plans.append(LayerPlan(None, OUTPUT_KIND, shape, (out_units,), n_in * out_units + out_units,
                           n_in * out_units, _flattens_note(shape)))
    return plans


class Net(nn.Module):
    """One block per spec layer in `blocks`, then flatten → `head` (nn.Linear) → out activation.
    `plans` holds the LayerPlans it was built from (shapes for views; not in the state_dict)."""

    def __init__(self, layers, input_shape, out_units: int, out_activation: str):
        super().__init__()
        self.plans = plan(layers, input_shape, out_units)
        self.kinds = [layer.kind for layer in layers]
        self.blocks = nn.ModuleList(KINDS[layer.kind].build(layer, p.in_shape)
                                    for layer, p in zip(layers, self.plans))
        self.flatten = nn.Flatten()          # a no-op when the last layer is already flat
        self.head = nn.Linear(math.prod(self.plans[-1].in_shape), out_units)
        self.out_act = _activation(out_activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.out_act(self.head(self.flatten(x)))

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every spec layer's output, the head's last (for feature maps and neuron views)."""
        outs: list[torch.Tensor] = []
        for block in self.blocks:
            x = block(x)
            outs.append(x)
        outs.append(self.out_act(self.head(self.flatten(x))))
        return outs


def build_net(layers, input_shape, out_units: int, out_activation: str) -> Net:
    """The network for these layers; raises LayerError for an impossible one. Weights get
    torch.nn's default initialisation from the global RNG: seed it first for determinism."""
    return Net(layers, input_shape, out_units, out_activation)


def conv_weights(net: Net) -> list[tuple[int, torch.Tensor]]:
    """(layer index, [out, in, k, k] weight) for each layer with filters to show; a residual
    block's first conv stands for its layer."""
    out = []
    for i, (kind, block) in enumerate(zip(net.kinds, net.blocks)):
        name = KINDS[kind].filter_module
        if name is not None:
            out.append((i, getattr(block, name).weight.detach()))
    return out


def describe(plans: list[LayerPlan]) -> list[dict]:
    """The plan as JSON-friendly dicts (shapes as lists and as "16×2×2" text, C×H×W order)."""
    return [{"index": p.index, "kind": p.kind,
             "in_shape": list(p.in_shape), "out_shape": list(p.out_shape),
             "in_text": shape_text(p.in_shape), "out_text": shape_text(p.out_shape),
             "params": p.params, "flops": p.flops, "note": p.note} for p in plans]
