"""Optimisers and regularisation as a few fused `torch._foreach_*` updates.

Each update is the same arithmetic as its `torch.optim` class with default options (tests/engine/
test_optim.py checks them against torch.optim step by step), but skips torch.optim's per-step
Python machinery, which on a 2-D playground net costs about as much as forward and backward
together. Gradients come in as a list (from `torch.autograd.grad`), so nothing is zeroed.
Hyper-parameters are read on every step, so learning rate and momentum change live.
"""
from __future__ import annotations

import torch

ADAM_BETAS = (0.9, 0.999)       # torch.optim.Adam defaults
ADAM_EPS = 1e-8
RMSPROP_ALPHA = 0.99            # torch.optim.RMSprop defaults
RMSPROP_EPS = 1e-8
ADAGRAD_EPS = 1e-10             # torch.optim.Adagrad default


class Optimizer:
    """Updates `params` in place from a list of gradients."""

    def __init__(self, name: str, params: list[torch.Tensor], lr: float, momentum: float = 0.0):
        # Detached aliases share storage with the parameters: in-place updates on them need no
        # `torch.no_grad()` context (whose enter/exit costs more than a tiny net's update).
        self.params = [p.detach() for p in params]
        self.name, self.lr, self.momentum = name, lr, momentum
        self.t = 0
        self.state: dict[str, list[torch.Tensor]] = {}
        self._update = getattr(self, f"_{name}")

    def step(self, grads: list[torch.Tensor]) -> None:
        self.t += 1
        self._update(grads)

    def _zeros(self, key: str) -> list[torch.Tensor]:
        if key not in self.state:
            self.state[key] = [torch.zeros_like(p) for p in self.params]
        return self.state[key]

    def _sgd(self, g):
        torch._foreach_add_(self.params, g, alpha=-self.lr)

    def _momentum(self, g):
        if "buf" not in self.state:       # torch.optim.SGD: the first buffer is the gradient
            self.state["buf"] = [x.clone() for x in g]
        else:
            torch._foreach_mul_(self.state["buf"], self.momentum)
            torch._foreach_add_(self.state["buf"], g)
        torch._foreach_add_(self.params, self.state["buf"], alpha=-self.lr)

    def _adam(self, g):
        b1, b2 = ADAM_BETAS
        m, v = self._zeros("m"), self._zeros("v")
        torch._foreach_lerp_(m, g, 1 - b1)
        torch._foreach_mul_(v, b2)
        torch._foreach_addcmul_(v, g, g, value=1 - b2)
        bc1, bc2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        denom = torch._foreach_sqrt(v)
        torch._foreach_div_(denom, bc2 ** 0.5)
        torch._foreach_add_(denom, ADAM_EPS)
        torch._foreach_addcdiv_(self.params, m, denom, value=-self.lr / bc1)

    def _rmsprop(self, g):
        v = self._zeros("v")
        torch._foreach_mul_(v, RMSPROP_ALPHA)
        torch._foreach_addcmul_(v, g, g, value=1 - RMSPROP_ALPHA)
        denom = torch._foreach_sqrt(v)
        torch._foreach_add_(denom, RMSPROP_EPS)
        torch._foreach_addcdiv_(self.params, g, denom, value=-self.lr)

    def _adagrad(self, g):
        s = self._zeros("sum")
        torch._foreach_addcmul_(s, g, g, value=1.0)
        denom = torch._foreach_sqrt(s)
        torch._foreach_add_(denom, ADAGRAD_EPS)
        torch._foreach_addcdiv_(self.params, g, denom, value=-self.lr)


def add_regularization(grads: list[torch.Tensor], weights: list[torch.Tensor], kind: str,
                       rate: float) -> None:
    """Add the penalty's gradient to the weight gradients in place (biases are not penalised,
    as in TF Playground): L1 → rate·sign(w), L2 → rate·w (penalty ½·rate·w²).
    `weights` must not require grad (pass detached aliases)."""
    if kind == "L1":
        torch._foreach_add_(grads, torch._foreach_sign(weights), alpha=rate)
    else:
        torch._foreach_add_(grads, weights, alpha=rate)


CLIP_EPS = 1e-6      # torch.nn.utils.clip_grad_norm_'s


def clip_grad_norm(grads, max_norm: float) -> None:
    """Scale the gradients in place so their global L2 norm is at most `max_norm`
    (torch.nn.utils.clip_grad_norm_'s arithmetic, without a host sync)."""
    total = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
    torch._foreach_mul_(grads, (max_norm / (total + CLIP_EPS)).clamp(max=1.0))
