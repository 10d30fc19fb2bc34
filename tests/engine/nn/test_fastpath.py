"""The hot-path wrappers give exactly what the public PyTorch API gives."""
import torch
import torch.nn.functional as F

from engine.nn.fastpath import grads, mse


def test_grads_equal_autograd_grad():
    gen = torch.Generator().manual_seed(0)
    w = torch.randn(3, 4, generator=gen, requires_grad=True)
    b = torch.randn(4, generator=gen, requires_grad=True)
    x = torch.randn(5, 3, generator=gen)

    def loss():
        return torch.tanh(torch.addmm(b, x, w)).square().mean()

    ours = grads(loss(), (w, b), torch.ones(()))
    ref = torch.autograd.grad(loss(), (w, b))
    assert all(torch.equal(a, r) for a, r in zip(ours, ref))
    assert w.grad is None                     # nothing accumulated


def test_grads_with_unused_inputs_are_zeros():
    w = torch.randn(2, requires_grad=True)
    u = torch.randn(2, requires_grad=True)
    g = grads((w * 2).sum(), (w, u), torch.ones(()), allow_unused=True)
    assert torch.equal(g[1], torch.zeros(2))


def test_mse_equals_functional():
    a, b = torch.randn(7, 1), torch.randn(7, 1)
    assert torch.equal(mse(a, b), F.mse_loss(a, b))
