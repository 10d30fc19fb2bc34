"""Layer kinds → torch modules, output shapes, parameter counts and FLOPs.

Owns `KINDS`, the one table that says, per layer kind, which spec fields it reads, what input it
needs, how it maps an input shape to an output shape (refusing impossible layers), what it costs
and which torch module it builds; a new kind costs one entry. `plan()` walks a spec's layers with
that table, `build_net()` turns the plan into `Net` (plain torch.nn, so it saves and exports).
The spec owns each field's bounds and defaults; this module owns what follows from chaining layers.

Shapes are one sample's: (C, H, W) for images, (F,) for flat inputs. Dense layers (and the
output head) flatten an image input implicitly.

Sequence models (`sequence="many_to_many"` or `"many_to_one"`) take (T, F) numeric series or,
with `vocab` > 0, (T,) token ids that an embedding layer must read first. Recurrent layers map
(T, F) → (T, units), batch first; dense and dropout act on every time step alone (no flatten).
The head predicts at every step (many-to-many: (T, out)) or from the last step ((out,)).

FLOPs are multiply-accumulates for one sample's forward pass (the seeds' formula):
  conv2d            H₂·W₂·K²·D₁·D₂
  dense             in·out
  maxpool, avgpool  H₂·W₂·C·K²      (one compare or add per window element)
  batchnorm         one per element (at inference it is a fused scale-and-shift)
  residual          its two convs, plus H·W·D₁·D₂ for the 1×1 skip when channels change
  rnn, gru, lstm    T·G·(F·H + H·H) per stacked layer, G = 1, 3, 4 weight blocks (F: the input
                    size for the first stacked layer, H for later ones); per whole sequence
  dense on (T, F)   T·F·out: the same weights at every step
  0 for embedding: a lookup.
  0 for activations, dropout, flatten and the residual's add: elementwise, no weights.
Parameters count biases (they are trained); FLOPs leave them out. BatchNorm's running mean and
variance are buffers, not parameters.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from itertools import islice
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from engine.recurrent import GATE_BLOCKS, RNN_ACTIVATIONS, Recurrent

MAX_PARAMS = 5_000_000           # whole model, head included
MAX_ACTIVATIONS = 2_000_000      # values in any one layer's output, per sample
OUTPUT_KIND = "output"           # the plan entry of the dense head the model always ends with
HEAD_FIELD = "layers"            # head errors name model.layers: no spec layer is at fault alone
POOLS = ("maxpool", "avgpool")
SEQUENCES = ("many_to_many", "many_to_one")   # "" (the default) is not a sequence model
TEXT_FIRST = "text input needs an embedding layer first"

# What a layer can be fed. A shape alone is ambiguous ((F,) flat or (T,) tokens), so plan()
# names the input it passes along: flat and image outside sequence models, steps and tokens in.
FLAT, IMAGE, STEPS, TOKENS = "flat", "image", "steps", "tokens"
INPUT_NAMES = {FLAT: "a flat", IMAGE: "an image", STEPS: "a sequence", TOKENS: "a token"}

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


@dataclass(frozen=True)
class Feed:
    """What plan() knows beyond a layer's input shape: the model's sequence mode ("" for none)
    and, for text, the vocabulary the embedding reads."""
    sequence: str = ""
    vocab: int = 0

    def input_kind(self, shape: Shape) -> str:
        if self.sequence:
            return TOKENS if len(shape) == 1 else STEPS
        return IMAGE if len(shape) == 3 else FLAT


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


# --- shape rules: (layer, in_shape, feed) -> (out_shape, note) ---------------------------------

def _conv_shape(layer, in_shape, feed):
    return _window(in_shape, layer.kernel, _stride(layer), _padding(layer), layer.filters, True)


def _pool_shape(layer, in_shape, feed):
    return _window(in_shape, layer.kernel, _stride(layer), 0, in_shape[0], False)


def _flatten_shape(layer, in_shape, feed):
    flat = (math.prod(in_shape),)
    return flat, (f"{shape_text(in_shape)} → {flat[0]}" if len(in_shape) > 1 else "already flat")


def _dense_shape(layer, in_shape, feed):
    if len(in_shape) == 2:                  # (T, F): only sequences have two axes
        return (in_shape[0], layer.units), _per_step_note(in_shape)
    return (layer.units,), _flattens_note(in_shape)


def _flattens_note(in_shape: Shape) -> str:
    return f"flattens {shape_text(in_shape)} → {math.prod(in_shape)}" if len(in_shape) > 1 else ""


def _per_step_note(in_shape: Shape) -> str:
    return f"the same weights at each of {in_shape[0]} steps"


def _same_shape_note(note: Callable[[object, Shape], str]):
    return lambda layer, in_shape, feed: (tuple(in_shape), note(layer, in_shape))


def _dropout_note(layer, in_shape) -> str:
    return f"zeroes {layer.rate:.0%} of values while training"


def _batchnorm_note(layer, in_shape) -> str:
    return f"normalises each of {in_shape[0]} " + ("channels" if len(in_shape) == 3 else "features")


def _residual_shape(layer, in_shape, feed):
    k = layer.kernel
    if k % 2 == 0:
        raise _Refusal("kernel", f"{k} is even; a residual block needs an odd kernel so that "
                                 f"padding {k}//2 keeps the size and the skip can be added")
    c = in_shape[0]
    skip = "identity skip" if c == layer.filters else \
        f"skip through a 1×1 conv ({c} → {layer.filters} channels)"
    return (layer.filters, *in_shape[1:]), skip


def _embedding_shape(layer, in_shape, feed):
    return (in_shape[0], layer.dim), f"looks up {layer.dim} values for each of {feed.vocab} tokens"


def _num_layers(layer) -> int:
    return getattr(layer, "num_layers", None) or 1      # left out: torch.nn's one layer


def _rnn_activation(layer) -> str:
    return layer.activation or RNN_ACTIVATIONS[0]       # left out: torch.nn.RNN's tanh


def _recurrent_shape(layer, in_shape, feed):
    act = _rnn_activation(layer) if layer.kind == "rnn" else ""
    if act and act not in RNN_ACTIVATIONS:
        raise _Refusal("activation", f"{act} is not one a simple RNN can use "
                                     f"(allowed: {', '.join(RNN_ACTIVATIONS)})")
    n = _num_layers(layer)
    parts = [f"{n} stacked layers" if n > 1 else "", act, f"over {in_shape[0]} steps"]
    return (in_shape[0], layer.units), ", ".join(p for p in parts if p)


# --- costs: (layer, in_shape, out_shape, feed) -> (params, flops) ------------------------------

def _conv_cost(layer, in_shape, out_shape, feed):
    d1, (d2, h2, w2), k = in_shape[0], out_shape, layer.kernel
    return k * k * d1 * d2 + d2, h2 * w2 * k * k * d1 * d2


def _pool_cost(layer, in_shape, out_shape, feed):
    return 0, math.prod(out_shape) * layer.kernel ** 2


def _dense_cost(layer, in_shape, out_shape, feed):
    steps, n_in = in_shape if len(in_shape) == 2 else (1, math.prod(in_shape))
    n_out = layer.units
    return n_in * n_out + n_out, steps * n_in * n_out


def _batchnorm_cost(layer, in_shape, out_shape, feed):
    return 2 * in_shape[0], math.prod(out_shape)       # γ and β per channel (or feature)


def _free(layer, in_shape, out_shape, feed):
    return 0, 0


def _residual_cost(layer, in_shape, out_shape, feed):
    d1, (d2, h, w), k = in_shape[0], out_shape, layer.kernel
    params = (k * k * d1 * d2 + d2) + (k * k * d2 * d2 + d2)
    flops = h * w * k * k * (d1 * d2 + d2 * d2)
    if d1 != d2:                                       # the 1×1 projection on the skip
        params += d1 * d2 + d2
        flops += h * w * d1 * d2
    return params, flops


def _embedding_cost(layer, in_shape, out_shape, feed):
    return feed.vocab * layer.dim, 0                   # a table lookup multiplies nothing


def _recurrent_cost(layer, in_shape, out_shape, feed):
    (steps, n_in), h, g = in_shape, layer.units, GATE_BLOCKS[layer.kind]
    params = flops = 0
    for _ in range(_num_layers(layer)):
        params += g * (n_in * h + h * h + 2 * h)       # W_ih, W_hh and both biases (torch's)
        flops += steps * g * (n_in * h + h * h)
        n_in = h                                       # later stacked layers read the one below
    return params, flops


# --- builders: (layer, in_shape, feed) -> nn.Module --------------------------------------------

def _conv_block(layer, in_shape, feed):
    return nn.Sequential(OrderedDict(
        conv=nn.Conv2d(in_shape[0], layer.filters, layer.kernel, _stride(layer), _padding(layer)),
        act=_activation(layer.activation)))


def _dense_block(layer, in_shape, feed):
    if len(in_shape) == 2:                  # nn.Linear maps the last axis: every step at once
        return nn.Sequential(OrderedDict(linear=nn.Linear(in_shape[1], layer.units),
                                         act=_activation(layer.activation)))
    # Flatten is a no-op on (N, F), so every flat dense block has it and its keys stay the same.
    return nn.Sequential(OrderedDict(
        flatten=nn.Flatten(), linear=nn.Linear(math.prod(in_shape), layer.units),
        act=_activation(layer.activation)))


def _batchnorm_block(layer, in_shape, feed):
    norm = nn.BatchNorm2d if len(in_shape) == 3 else nn.BatchNorm1d
    return nn.Sequential(OrderedDict(norm=norm(in_shape[0]), act=_activation(layer.activation)))


def _recurrent_block(layer, in_shape, feed):
    return Recurrent(layer.kind, in_shape[1], layer.units, _num_layers(layer),
                     _rnn_activation(layer))


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


class LastStep(nn.Module):
    """[N, T, F] → [N, F]: a many-to-one head reads the state after the whole sequence."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, -1]


@dataclass(frozen=True)
class Kind:
    required: tuple[str, ...]        # Layer fields this kind cannot do without
    optional: tuple[str, ...]        # fields it reads when set (None: torch.nn's meaning)
    inputs: tuple[str, ...]          # what it can be fed: FLAT, IMAGE, STEPS, TOKENS
    size_field: str | None           # the field that sets its output size: blamed for limits
    shape: Callable                  # (layer, in_shape, feed) -> (out_shape, note); may raise
    cost: Callable                   # (layer, in_shape, out_shape, feed) -> (params, flops)
    build: Callable                  # (layer, in_shape, feed) -> nn.Module
    filter_module: str | None = None  # submodule whose weight the filter view shows
    hint: str = ""                   # added to the refusal when it is fed the wrong input

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional


ANY = (FLAT, IMAGE, STEPS)


def _recurrent(optional: tuple[str, ...]) -> Kind:
    return Kind(("units",), optional, (STEPS,), "units",
                _recurrent_shape, _recurrent_cost, _recurrent_block)


KINDS: dict[str, Kind] = {
    "dense": Kind(("units",), ("activation",), ANY, "units",
                  _dense_shape, _dense_cost, _dense_block),
    "conv2d": Kind(("filters", "kernel"), ("stride", "padding", "activation"), (IMAGE,),
                   "filters", _conv_shape, _conv_cost, _conv_block, filter_module="conv"),
    "maxpool": Kind(("kernel",), ("stride",), (IMAGE,), None, _pool_shape, _pool_cost,
                    lambda layer, s, feed: nn.MaxPool2d(layer.kernel, _stride(layer))),
    "avgpool": Kind(("kernel",), ("stride",), (IMAGE,), None, _pool_shape, _pool_cost,
                    lambda layer, s, feed: nn.AvgPool2d(layer.kernel, _stride(layer))),
    "flatten": Kind((), (), (FLAT, IMAGE), None, _flatten_shape, _free,
                    lambda layer, s, feed: nn.Flatten()),
    "dropout": Kind(("rate",), (), ANY, None, _same_shape_note(_dropout_note), _free,
                    lambda layer, s, feed: nn.Dropout(layer.rate)),
    "batchnorm": Kind((), ("activation",), (FLAT, IMAGE), None,
                      _same_shape_note(_batchnorm_note), _batchnorm_cost, _batchnorm_block),
    "residual": Kind(("filters", "kernel"), ("activation",), (IMAGE,), "filters",
                     _residual_shape, _residual_cost,
                     lambda layer, s, feed: Residual(s[0], layer.filters, layer.kernel,
                                                     layer.activation), filter_module="conv1"),
    "embedding": Kind(("dim",), (), (TOKENS,), "dim", _embedding_shape, _embedding_cost,
                      lambda layer, s, feed: nn.Embedding(feed.vocab, layer.dim),
                      hint=" (it reads token ids, so it can only be a text model's first layer)"),
    "rnn": _recurrent(("num_layers", "activation")),
    "lstm": _recurrent(("num_layers",)),
    "gru": _recurrent(("num_layers",)),
}


def _input_text(shape: Shape, got: str) -> str:
    return {FLAT: lambda: f"{shape[0]} features", IMAGE: lambda: f"a {shape_text(shape)} image",
            STEPS: lambda: f"a {shape_text(shape)} sequence",
            TOKENS: lambda: f"{shape[0]} token ids"}[got]()


def _check_input(layer, kind: Kind, in_shape: Shape, feed: Feed) -> None:
    got = feed.input_kind(in_shape)
    if got not in kind.inputs:
        if got == TOKENS:
            raise _Refusal("kind", TEXT_FIRST)
        needs = " or ".join(INPUT_NAMES[i] for i in kind.inputs)
        raise _Refusal("kind", f"{layer.kind} needs {needs} input{kind.hint}; "
                               f"got {_input_text(in_shape, got)}")
    for name in kind.required:
        if getattr(layer, name, None) is None:
            raise _Refusal(name, f"is required for {layer.kind}")


def _check_limits(index, field: str, what: str, out_shape: Shape, total: int) -> None:
    size = math.prod(out_shape)
    if size > MAX_ACTIVATIONS:
        raise LayerError(index, field, f"with {what} the output is {shape_text(out_shape)} = "
                                       f"{size:,} values per sample, above the limit "
                                       f"{MAX_ACTIVATIONS:,}")
    if total > MAX_PARAMS:
        raise LayerError(index, field, f"with {what} the model reaches {total:,} parameters, "
                                       f"above the limit {MAX_PARAMS:,}")


def _feed(input_shape: Shape, sequence: str, vocab: int) -> Feed:
    """The caller's description of the input; a mismatch is a bug there, not a spec error."""
    if sequence not in ("",) + SEQUENCES:
        raise ValueError(f"sequence {sequence!r} is not one of '', {', '.join(SEQUENCES)}")
    if vocab and not sequence:
        raise ValueError("token ids (vocab > 0) need a sequence model")
    axes = 1 if vocab else 2
    if sequence and len(input_shape) != axes:
        raise ValueError(f"a {'text' if vocab else 'series'} input is {axes}-D; "
                         f"got {tuple(input_shape)}")
    return Feed(sequence, vocab)


def _plan_layer(i: int, layer, shape: Shape, feed: Feed, total: int) -> LayerPlan:
    kind = KINDS.get(layer.kind)
    if kind is None:
        raise LayerError(i, "kind", f"{layer.kind!r} is not one of {', '.join(KINDS)}")
    try:
        _check_input(layer, kind, shape, feed)
        out, note = kind.shape(layer, shape, feed)
    except _Refusal as r:
        raise LayerError(i, r.field, r.message) from None
    params, flops = kind.cost(layer, shape, out, feed)
    field = kind.size_field or "kind"
    what = f"{getattr(layer, field)} {field}" if kind.size_field else f"this {layer.kind}"
    _check_limits(i, field, what, out, total + params)
    return LayerPlan(i, layer.kind, shape, out, params, flops, note)


def _head_plan(shape: Shape, out_units: int, feed: Feed, total: int) -> LayerPlan:
    """The dense output head: flat, at every step (many-to-many) or from the last step."""
    got = feed.input_kind(shape)
    if got == TOKENS:                     # no layers at all: nothing embeds the token ids
        raise LayerError(None, HEAD_FIELD, TEXT_FIRST)
    if got == STEPS:
        t, n_in = shape
        every = feed.sequence == "many_to_many"
        steps, out = (t, (t, out_units)) if every else (1, (out_units,))
        note = f"at each of {t} steps" if every else f"reads the last of {t} steps"
    else:
        n_in, steps, out, note = math.prod(shape), 1, (out_units,), _flattens_note(shape)
    params = n_in * out_units + out_units
    _check_limits(None, HEAD_FIELD, f"the output layer's {n_in:,} inputs", out, total + params)
    return LayerPlan(None, OUTPUT_KIND, shape, out, params, steps * n_in * out_units, note)


def plan(layers, input_shape, out_units: int, *, sequence: str = "",
         vocab: int = 0) -> list[LayerPlan]:
    """One LayerPlan per spec layer, then the output head's; raises LayerError at the first
    impossible layer (later shapes depend on it, so there is nothing further to check).
    `sequence`: "" (not a sequence model), "many_to_many" or "many_to_one"; `vocab` > 0 means
    the (T,) input holds token ids."""
    feed = _feed(tuple(input_shape), sequence, vocab)
    shape, total, plans = tuple(input_shape), 0, []
    for i, layer in enumerate(layers):
        p = _plan_layer(i, layer, shape, feed, total)
        total += p.params
        plans.append(p)
        shape = p.out_shape
    plans.append(_head_plan(shape, out_units, feed, total))
    return plans


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
        self.blocks = nn.ModuleList(KINDS[layer.kind].build(layer, p.in_shape, feed)
                                    for layer, p in zip(layers, self.plans))
        self.to_head = _to_head(sequence)
        head_in = self.plans[-1].in_shape
        self.head = nn.Linear(head_in[-1] if sequence else math.prod(head_in), out_units)
        self.out_act = _activation(out_activation)

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


def describe(plans: list[LayerPlan]) -> list[dict]:
    """The plan as JSON-friendly dicts (shapes as lists and as "16×2×2" text, C×H×W order)."""
    return [{"index": p.index, "kind": p.kind,
             "in_shape": list(p.in_shape), "out_shape": list(p.out_shape),
             "in_text": shape_text(p.in_shape), "out_text": shape_text(p.out_shape),
             "params": p.params, "flops": p.flops, "note": p.note} for p in plans]
