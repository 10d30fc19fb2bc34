"""Layer planning: each layer kind's fields, shapes, parameters and FLOPs, without torch.

`KINDS` is the one table of layer kinds; `plan()` walks a spec's layers with it and refuses an
impossible one (`LayerError` names the layer and field). Shapes are one sample's: (C, H, W),
(F,), or for sequence models (T, F) and (T,) token ids. FLOPs are multiply-accumulates of one
forward pass; their formulas per kind are in docs/protocol.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from engine.data.registry import IMAGES, POINTS, SEQUENCES, TABULAR
from engine.spec import layer_shapes as rules
from engine.spec.layer_shapes import (FLAT, IMAGE, INPUT_NAMES, STEPS, TOKENS, Feed, Refusal,
                                      Shape, flattens_note, shape_text)


MAX_PARAMS = 5_000_000           # whole model, head included
MAX_ACTIVATIONS = 2_000_000      # values in any one layer's output, per sample
OUTPUT_KIND = "output"           # the plan entry of the dense head the model always ends with
HEAD_FIELD = "layers"            # head errors name model.layers: no spec layer is at fault alone
SEQUENCE_MODES = ("many_to_many", "many_to_one")   # "" (the default): not a sequence model
TEXT_FIRST = "text input needs an embedding layer first"


class LayerError(ValueError):
    """An impossible layer. `index` is the spec layer's (None: the output head), `field` the
    Layer attribute at fault, `message` the reason with no path prefix (the spec adds it)."""

    def __init__(self, index: int | None, field: str, message: str):
        super().__init__(message)
        self.index, self.field, self.message = index, field, message


@dataclass(frozen=True)
class LayerPlan:
    index: int | None                # None for the output head
    kind: str
    in_shape: Shape
    out_shape: Shape
    params: int
    flops: int                       # multiply-accumulates, see the module docstring
    note: str = ""


# --- shape rules: (layer, in_shape, feed) -> (out_shape, note) ---------------------------------


# --- costs: (layer, in_shape, out_shape, feed) -> (params, flops) ------------------------------


# --- the layer-kind table ----------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    label: str                       # what the page calls it
    required: tuple[str, ...]        # Layer fields this kind cannot do without
    optional: tuple[str, ...]        # fields it reads when set (None: torch.nn's meaning)
    families: tuple[str, ...]        # the dataset families whose models may use it
    inputs: tuple[str, ...]          # what it can be fed: FLAT, IMAGE, STEPS, TOKENS
    size_field: str | None           # the field that sets its output size: blamed for limits
    shape: Callable                  # (layer, in_shape, feed) -> (out_shape, note); may raise
    cost: Callable                   # (layer, in_shape, out_shape, feed) -> (params, flops)
    defaults: dict = field(default_factory=dict)   # field defaults that differ from the spec's
    encoder: bool = False            # may be in an autoencoder's encoder
    filter_module: str | None = None  # submodule whose weight the filter view shows
    hint: str = ""                   # added to the refusal when it is fed the wrong input

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field, in the order the spec and the URL's `layers` key write them."""
        return self.required + self.optional


ANY = (FLAT, IMAGE, STEPS)
RECURRENT_KINDS = ("rnn", "lstm", "gru")


def _recurrent(label: str, optional: tuple[str, ...]) -> Kind:
    return Kind(label, ("units",), optional, (SEQUENCES,), (STEPS,), "units",
                rules.recurrent_shape, rules.recurrent_cost, defaults={"units": 16})


# One row per layer kind: what it reads, where it may go, its shapes and costs. The torch
# module each builds (engine.nn.layers) and the code each exports are keyed by the same kinds.
KINDS: dict[str, Kind] = {
    "dense": Kind("Dense", ("units",), ("activation",),
                  (POINTS, TABULAR, IMAGES, SEQUENCES), ANY, "units",
                  rules.dense_shape, rules.dense_cost, encoder=True),
    "conv2d": Kind("Convolution", ("filters", "kernel"), ("stride", "padding", "activation"),
                   (IMAGES,), (IMAGE,), "filters", rules.conv_shape, rules.conv_cost,
                   defaults={"activation": "relu"}, filter_module="conv"),
    "maxpool": Kind("Max pooling", ("kernel",), ("stride",), (IMAGES,), (IMAGE,), None,
                    rules.pool_shape, rules.pool_cost, defaults={"kernel": 2, "stride": 2}),
    "avgpool": Kind("Average pooling", ("kernel",), ("stride",), (IMAGES,), (IMAGE,), None,
                    rules.pool_shape, rules.pool_cost, defaults={"kernel": 2, "stride": 2}),
    "flatten": Kind("Flatten", (), (), (IMAGES,), (FLAT, IMAGE), None,
                    rules.flatten_shape, rules.free),
    "dropout": Kind("Dropout", ("rate",), (), (TABULAR, IMAGES, SEQUENCES), ANY, None,
                    rules.same_shape(rules.dropout_note), rules.free, encoder=True),
    "batchnorm": Kind("Batch normalisation", (), ("activation",), (TABULAR, IMAGES),
                      (FLAT, IMAGE), None, rules.same_shape(rules.batchnorm_note),
                      rules.batchnorm_cost, defaults={"activation": "linear"}),
    "residual": Kind("Residual block", ("filters", "kernel"), ("activation",), (IMAGES,),
                     (IMAGE,), "filters", rules.residual_shape, rules.residual_cost,
                     defaults={"activation": "relu"}, filter_module="conv1"),
    "embedding": Kind("Embedding", ("dim",), (), (SEQUENCES,), (TOKENS,), "dim",
                      rules.embedding_shape, rules.embedding_cost,
                      hint=" (it reads token ids, so it can only be a text model's first layer)"),
    "rnn": _recurrent("Simple RNN", ("num_layers", "activation")),
    "lstm": _recurrent("LSTM", ("num_layers",)),
    "gru": _recurrent("GRU", ("num_layers",)),
}


def kinds_for(family: str) -> tuple[str, ...]:
    """The layer kinds a model of this dataset family may use, in table order."""
    return tuple(k for k, kind in KINDS.items() if family in kind.families)


def _input_text(shape: Shape, got: str) -> str:
    return {FLAT: lambda: f"{shape[0]} features", IMAGE: lambda: f"a {shape_text(shape)} image",
            STEPS: lambda: f"a {shape_text(shape)} sequence",
            TOKENS: lambda: f"{shape[0]} token ids"}[got]()


def _check_input(layer, kind: Kind, in_shape: Shape, feed: Feed) -> None:
    got = feed.input_kind(in_shape)
    if got not in kind.inputs:
        if got == TOKENS:
            raise Refusal("kind", TEXT_FIRST)
        needs = " or ".join(INPUT_NAMES[i] for i in kind.inputs)
        raise Refusal("kind", f"{layer.kind} needs {needs} input{kind.hint}; "
                               f"got {_input_text(in_shape, got)}")
    for name in kind.required:
        if getattr(layer, name, None) is None:
            raise Refusal(name, f"is required for {layer.kind}")


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
    if sequence not in ("",) + SEQUENCE_MODES:
        raise ValueError(f"sequence {sequence!r} is not one of '', {', '.join(SEQUENCE_MODES)}")
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
    except Refusal as r:
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
        n_in, steps, out, note = math.prod(shape), 1, (out_units,), flattens_note(shape)
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


def describe(plans: list[LayerPlan]) -> list[dict]:
    """The plan as JSON-friendly dicts (shapes as lists and as "16×2×2" text, C×H×W order)."""
    return [{"index": p.index, "kind": p.kind,
             "in_shape": list(p.in_shape), "out_shape": list(p.out_shape),
             "in_text": shape_text(p.in_shape), "out_text": shape_text(p.out_shape),
             "params": p.params, "flops": p.flops, "note": p.note} for p in plans]


def activations_per_example(plans) -> int:
    """Activation values of one example through the whole network."""
    return sum(math.prod(p.out_shape) for p in plans)
