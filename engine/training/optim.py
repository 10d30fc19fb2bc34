"""Optimisers and regularisation as a few fused `torch._foreach_*` updates.

The same arithmetic as `torch.optim` with default options, without its per-step Python cost;
hyper-parameters are read every step, so they change live. `StackedOptimizer` does the same for
S models at once (the batched trainer).
"""
from __future__ import annotations

import torch

ADAM_BETAS = (0.9, 0.999)       # torch.optim.Adam defaults
ADAM_EPS = 1e-8
RMSPROP_ALPHA = 0.99            # torch.optim.RMSprop defaults
RMSPROP_EPS = 1e-8
ADAGRAD_EPS = 1e-10             # torch.optim.Adagrad default
# The moments each optimiser keeps in `Optimizer.state` (one tensor per parameter under each key).
STATE_KEYS = {"sgd": (), "momentum": ("buf",), "adam": ("m", "v"), "adamw": ("m", "v"),
              "rmsprop": ("v",), "adagrad": ("sum",)}
ADAM_TABLE = 256                # stacked Adam: steps of bias corrections computed at once


class Optimizer:
    """Updates `params` in place from a list of gradients."""

    def __init__(self, name: str, params: list[torch.Tensor], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0):
        # Detached aliases share storage with the parameters: in-place updates on them need no
        # `torch.no_grad()` context (whose enter/exit costs more than a tiny net's update).
        self.params = [p.detach() for p in params]
        self.name, self.lr, self.momentum = name, lr, momentum
        self.weight_decay = weight_decay
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

    def _adamw(self, g):
        """torch.optim.AdamW: decay every parameter by lr·weight_decay first (decoupled from
        the gradient, biases included, as torch does), then Adam's step."""
        if self.weight_decay:
            torch._foreach_mul_(self.params, 1 - self.lr * self.weight_decay)
        self._adam(g)

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


class StackedOptimizer:
    """`Optimizer` for S models at once. `params` is [S, P] (member i's parameters flattened in
    row i), `state` maps each of STATE_KEYS[name] to a [S, P] stack (zeros where a member had
    none: a zero momentum buffer gives exactly torch's first buffer, the gradient), `lr`,
    `momentum` and `t` (steps each member has taken) are per member."""

    def __init__(self, name: str, params: torch.Tensor, state: dict[str, torch.Tensor],
                 lr: list[float], momentum: list[float], t: list[int]):
        self.name, self.params, self.state = name, params, state
        self.neg_lr = column([-x for x in lr], params)
        self.momentum = column(momentum, params)
        self._lr = torch.tensor(lr, dtype=torch.float64)
        self._update = getattr(self, f"_{name}")
        self.restart(t)

    def restart(self, t: list[int]) -> None:
        """Count steps from each member's `t` (its Optimizer's) again."""
        self._t = torch.tensor(t, dtype=torch.float64)
        self.steps = 0                                      # steps since then
        self._table: tuple[torch.Tensor, torch.Tensor] | None = None

    def step(self, g: torch.Tensor) -> None:
        self._update(g)
        self.steps += 1

    def _sgd(self, g):
        self.params.addcmul_(g, self.neg_lr)

    def _momentum(self, g):
        buf = self.state["buf"]
        buf.mul_(self.momentum).add_(g)
        self.params.addcmul_(buf, self.neg_lr)

    def _adam(self, g):
        b1, b2 = ADAM_BETAS
        m, v = self.state["m"], self.state["v"]
        m.lerp_(g, 1 - b1)
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        step_size, root_bc2 = self._bias_corrections()
        denom = v.sqrt().div_(root_bc2).add_(ADAM_EPS)
        self.params.addcmul_(m.div(denom), step_size)

    def _bias_corrections(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(-lr / (1 - β₁ᵗ), √(1 - β₂ᵗ)) of this step per member, as Optimizer computes them
        in double precision; a table of ADAM_TABLE steps at a time."""
        row = self.steps % ADAM_TABLE
        if row == 0:
            b1, b2 = ADAM_BETAS
            t = self._t + self.steps + torch.arange(1, ADAM_TABLE + 1, dtype=torch.float64)[:, None]
            step_size = -self._lr / (1 - b1 ** t)
            root_bc2 = (1 - b2 ** t) ** 0.5
            dtype, dev = self.params.dtype, self.params.device
            self._table = (step_size.to(dev, dtype)[..., None], root_bc2.to(dev, dtype)[..., None])
        return self._table[0][row], self._table[1][row]

    def _rmsprop(self, g):
        v = self.state["v"]
        v.mul_(RMSPROP_ALPHA).addcmul_(g, g, value=1 - RMSPROP_ALPHA)
        self.params.addcmul_(g / v.sqrt().add_(RMSPROP_EPS), self.neg_lr)

    def _adagrad(self, g):
        s = self.state["sum"]
        s.addcmul_(g, g, value=1.0)
        self.params.addcmul_(g / s.sqrt().add_(ADAGRAD_EPS), self.neg_lr)


def column(values: list[float], like: torch.Tensor) -> torch.Tensor:
    """Per-member values as an [S, 1] column that broadcasts over [S, P] stacks."""
    return torch.tensor(values, dtype=like.dtype, device=like.device)[:, None]


def stacked_regularization(grads: torch.Tensor, weights: torch.Tensor, l1: torch.Tensor | None,
                           l2: torch.Tensor | None) -> None:
    """add_regularization on [S, P] stacks; `l1`, `l2` are [S, P] rates (0 at biases and for
    members without that penalty), None when no member has it."""
    if l1 is not None:
        grads.addcmul_(l1, weights.sign())
    if l2 is not None:
        grads.addcmul_(l2, weights)


def stacked_clip_grad_norm(grads: torch.Tensor, max_norm: torch.Tensor) -> None:
    """clip_grad_norm of each member's row of a [S, P] stack; `max_norm` is an [S, 1] column,
    0 where a member does not clip (its gradients stay exactly as they are)."""
    total = torch.linalg.vector_norm(grads, dim=1, keepdim=True)
    scale = (max_norm / (total + CLIP_EPS)).clamp(max=1.0)
    grads.mul_(torch.where(max_norm > 0, scale, 1.0))
