"""Weight initialisation: TF Playground's U(±0.5) with bias 0.1, zeros, Xavier or He, from a
seeded generator; recurrent layers keep PyTorch's, with an LSTM's forget gate biased open; a
classifier's output layer starts near zero, so its first loss is about chance's (ln k)."""
from __future__ import annotations

import math

import torch
from torch import nn

from engine.nn.mlp import MLP


TF_INIT_RANGE = 0.5      # TF Playground: weights U(-0.5, 0.5) ...
TF_INIT_BIAS = 0.1       # ... and biases 0.1


def _init_pair(w: torch.Tensor, b: torch.Tensor | None, fan_in: int, fan_out: int,
               scheme: str, gen: torch.Generator) -> None:
    if scheme == "tf":
        w.uniform_(-TF_INIT_RANGE, TF_INIT_RANGE, generator=gen)
    elif scheme == "zero":
        w.zero_()
    elif scheme == "xavier":
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        w.uniform_(-bound, bound, generator=gen)
    elif scheme == "he":
        w.normal_(0.0, math.sqrt(2.0 / fan_in), generator=gen)
    else:
        raise ValueError(f"unknown init {scheme!r}")
    if b is not None:
        b.fill_(TF_INIT_BIAS if scheme == "tf" else 0.0)


LSTM_FORGET_BIAS = 1.0   # Keras's unit_forget_bias: remember by default (Jozefowicz et al. 2015)


@torch.no_grad()
def init_modules(model: nn.Module, scheme: str, gen: torch.Generator) -> None:
    """Initialise every conv and linear layer of a generic net; recurrent layers keep
    PyTorch's uniform(±1/√H), with an LSTM's forget gate biased open."""
    for m in model.modules():
        if isinstance(m, nn.LSTM):
            h = m.hidden_size
            for name, p in m.named_parameters():
                if name.startswith("bias_"):        # gate order i, f, g, o; the two biases add
                    p[h:2 * h].fill_(LSTM_FORGET_BIAS if name.startswith("bias_ih") else 0.0)
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            w = m.weight
            receptive = w[0, 0].numel() if w.dim() > 2 else 1
            _init_pair(w, m.bias, w[0].numel(), w.shape[0] * receptive, scheme, gen)


@torch.no_grad()
def init_weights(model: MLP, scheme: str, gen: torch.Generator) -> None:
    """Initialise the fast MLP (weights stored [in, out])."""
    for w, b in zip(model.w, model.b):
        _init_pair(w, b, w.shape[0], w.shape[1], scheme, gen)


HEAD_SCALE = 0.01        # a classifier's output weights: this fraction of the scheme's draw


@torch.no_grad()
def init_classifier_head(head: nn.Linear) -> None:
    """Shrink the output layer of a cross-entropy classifier to HEAD_SCALE of its draw, bias 0:
    every logit starts near 0, so every class starts about equally likely and the first loss
    is about ln k (chance), not the few nats an He-initialised head gives. Not zero: gradients
    still reach every layer (and every time step) from the first step, in the same proportions
    as the full-size draw would send them."""
    head.weight.mul_(HEAD_SCALE)
    head.bias.zero_()
