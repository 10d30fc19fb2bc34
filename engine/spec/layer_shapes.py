"""How each layer kind maps an input shape to an output shape, and what it costs.

Shape rules take (layer, in_shape, feed) and return (out_shape, note), or raise `Refusal` naming
the field at fault; cost rules return (parameters, multiply-accumulates) of one sample's forward
pass. Left out, stride and padding mean what torch.nn means (conv stride 1, pool stride =
kernel, padding 0). `engine.spec.plan` puts the rules in its table of kinds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

POOLS = ("maxpool", "avgpool")
RNN_ACTIVATIONS = ("tanh", "relu")            # the nonlinearities torch.nn.RNN implements
GATE_BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4}  # weight row blocks per step: the cost multiplier

# What a layer can be fed. A shape alone is ambiguous ((F,) flat or (T,) tokens), so plan()
# names the input it passes along: flat and image outside sequence models, steps and tokens in.
FLAT, IMAGE, STEPS, TOKENS = "flat", "image", "steps", "tokens"
INPUT_NAMES = {FLAT: "a flat", IMAGE: "an image", STEPS: "a sequence", TOKENS: "a token"}
Shape = tuple[int, ...]


class Refusal(Exception):
    """Raised by the shape rules, which do not know the layer's index; plan() adds it."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message


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


# Left out, stride and padding mean what torch.nn means: conv stride 1, pool stride = kernel
# (non-overlapping windows), padding 0. The spec may fill them explicitly; both agree.
def stride_of(layer) -> int:
    if layer.stride is not None:
        return layer.stride
    return layer.kernel if layer.kind in POOLS else 1


def padding_of(layer) -> int:
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
        raise Refusal("kernel", f"{k} is larger than the {h}×{w} input"
                                 + (f" (padding {p})" if padded else ""))
    out = (channels, (h - k + 2 * p) // s + 1, (w - k + 2 * p) // s + 1)
    note = _size_note(h, k, p, s) if h == w else \
        f"rows {_size_note(h, k, p, s)}, columns {_size_note(w, k, p, s)}"
    return out, note


def conv_shape(layer, in_shape, feed):
    k, p = layer.kernel, padding_of(layer)
    out, note = _window(in_shape, k, stride_of(layer), p, layer.filters, True)
    keep = (k - 1) // 2                  # the padding that keeps the size at stride 1
    if p > keep:
        note += (f"; padding {p} is more than the {keep} that keeps a {k}×{k} kernel's output "
                 f"the input's size: it grows by {2 * (p - keep)}")
    return out, note


def pool_shape(layer, in_shape, feed):
    return _window(in_shape, layer.kernel, stride_of(layer), 0, in_shape[0], False)


def flatten_shape(layer, in_shape, feed):
    flat = (math.prod(in_shape),)
    return flat, (f"{shape_text(in_shape)} → {flat[0]}" if len(in_shape) > 1 else "already flat")


def dense_shape(layer, in_shape, feed):
    if len(in_shape) == 2:                  # (T, F): only sequences have two axes
        return (in_shape[0], layer.units), _per_step_note(in_shape)
    return (layer.units,), flattens_note(in_shape)


def flattens_note(in_shape: Shape) -> str:
    return f"flattens {shape_text(in_shape)} → {math.prod(in_shape)}" if len(in_shape) > 1 else ""


def _per_step_note(in_shape: Shape) -> str:
    return f"the same weights at each of {in_shape[0]} steps"


def same_shape(note: Callable[[object, Shape], str]):
    return lambda layer, in_shape, feed: (tuple(in_shape), note(layer, in_shape))


def dropout_note(layer, in_shape) -> str:
    return f"zeroes {layer.rate:.0%} of values while training"


def batchnorm_note(layer, in_shape) -> str:
    return f"normalises each of {in_shape[0]} " + ("channels" if len(in_shape) == 3 else "features")


def residual_shape(layer, in_shape, feed):
    k = layer.kernel
    if k % 2 == 0:
        raise Refusal("kernel", f"{k} is even; a residual block needs an odd kernel so that "
                                 f"padding {k}//2 keeps the size and the skip can be added")
    c = in_shape[0]
    skip = "identity skip" if c == layer.filters else \
        f"skip through a 1×1 conv ({c} → {layer.filters} channels)"
    return (layer.filters, *in_shape[1:]), skip


def embedding_shape(layer, in_shape, feed):
    return (in_shape[0], layer.dim), f"looks up {layer.dim} values for each of {feed.vocab} tokens"


def num_layers_of(layer) -> int:
    return getattr(layer, "num_layers", None) or 1      # left out: torch.nn's one layer


def rnn_activation_of(layer) -> str:
    return layer.activation or RNN_ACTIVATIONS[0]       # left out: torch.nn.RNN's tanh


def recurrent_shape(layer, in_shape, feed):
    act = rnn_activation_of(layer) if layer.kind == "rnn" else ""
    if act and act not in RNN_ACTIVATIONS:
        raise Refusal("activation", f"{act} is not one a simple RNN can use "
                                     f"(allowed: {', '.join(RNN_ACTIVATIONS)})")
    n = num_layers_of(layer)
    parts = [f"{n} stacked layers" if n > 1 else "", act, f"over {in_shape[0]} steps"]
    return (in_shape[0], layer.units), ", ".join(p for p in parts if p)


def conv_cost(layer, in_shape, out_shape, feed):
    d1, (d2, h2, w2), k = in_shape[0], out_shape, layer.kernel
    return k * k * d1 * d2 + d2, h2 * w2 * k * k * d1 * d2


def pool_cost(layer, in_shape, out_shape, feed):
    return 0, math.prod(out_shape) * layer.kernel ** 2


def dense_cost(layer, in_shape, out_shape, feed):
    steps, n_in = in_shape if len(in_shape) == 2 else (1, math.prod(in_shape))
    n_out = layer.units
    return n_in * n_out + n_out, steps * n_in * n_out


def batchnorm_cost(layer, in_shape, out_shape, feed):
    return 2 * in_shape[0], math.prod(out_shape)       # γ and β per channel (or feature)


def free(layer, in_shape, out_shape, feed):
    return 0, 0


def residual_cost(layer, in_shape, out_shape, feed):
    d1, (d2, h, w), k = in_shape[0], out_shape, layer.kernel
    params = (k * k * d1 * d2 + d2) + (k * k * d2 * d2 + d2)
    flops = h * w * k * k * (d1 * d2 + d2 * d2)
    if d1 != d2:                                       # the 1×1 projection on the skip
        params += d1 * d2 + d2
        flops += h * w * d1 * d2
    return params, flops


def embedding_cost(layer, in_shape, out_shape, feed):
    return feed.vocab * layer.dim, 0                   # a table lookup multiplies nothing


def recurrent_cost(layer, in_shape, out_shape, feed):
    (steps, n_in), h, g = in_shape, layer.units, GATE_BLOCKS[layer.kind]
    params = flops = 0
    for _ in range(num_layers_of(layer)):
        params += g * (n_in * h + h * h + 2 * h)       # W_ih, W_hh and both biases (torch's)
        flops += steps * g * (n_in * h + h * h)
        n_in = h                                       # later stacked layers read the one below
    return params, flops
