"""The two calls on a playground step's hot path, with the least Python on the way.

`grads` and `mse` call the C++ entry points `torch.autograd.grad` and `F.mse_loss` reach after
their argument checks (15 % of a 2-D step), falling back to the public API if a PyTorch release
moves them; their tests check both agree exactly.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

_ENGINE = getattr(getattr(torch.autograd, "Variable", None), "_execution_engine", None)
_RUN_BACKWARD = getattr(_ENGINE, "run_backward", None)
_MSE = getattr(getattr(torch._C, "_nn", None), "mse_loss", None)
_MEAN = 1                     # at::Reduction::Mean


def grads(loss: torch.Tensor, params: tuple[torch.Tensor, ...], one: torch.Tensor,
          allow_unused: bool = False) -> tuple[torch.Tensor, ...]:
    """d loss / d params, like torch.autograd.grad(loss, params). `one` is ones_like(loss)."""
    if _RUN_BACKWARD is None or allow_unused:
        return torch.autograd.grad(loss, params, allow_unused=allow_unused,
                                   materialize_grads=allow_unused)
    # (outputs, grad_outputs, keep_graph, create_graph, inputs, allow_unreachable, accumulate)
    return _RUN_BACKWARD((loss,), (one,), False, False, params, False, False)


def mse(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error (shapes must already match, as the session guarantees)."""
    if _MSE is None:
        return F.mse_loss(out, target)
    return _MSE(out, target, _MEAN)
