"""Oracle tests: a playground step equals a hand-written plain-PyTorch step (torch.nn modules,
torch.optim, the penalty written into the loss) on the same weights and the same batch."""
import pytest
import torch
from torch import nn

from engine.nn.losses import targets
from engine.spec.parse import parse_spec
from engine.training.optim import Optimizer, clip_grad_norm
from engine.training.session import Session


TOL = 1e-6
TORCH_OPTIMIZERS = {
    "sgd": lambda p, lr, m: torch.optim.SGD(p, lr=lr),
    "momentum": lambda p, lr, m: torch.optim.SGD(p, lr=lr, momentum=m),
    "adam": lambda p, lr, m: torch.optim.Adam(p, lr=lr),
    "adamw": lambda p, lr, m: torch.optim.AdamW(p, lr=lr, weight_decay=0.01),
    "rmsprop": lambda p, lr, m: torch.optim.RMSprop(p, lr=lr),
    "adagrad": lambda p, lr, m: torch.optim.Adagrad(p, lr=lr),
}


def first_batches(session, n):
    """The batches the session will draw, rebuilt from its seed the plain way."""
    train = session.splits["train"]
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(
        session.spec.training.seed))
    bs = session.spec.training.batch_size
    return [(train.x[order][i * bs:(i + 1) * bs], train.t[order][i * bs:(i + 1) * bs])
            for i in range(n)]


def plain_loss(spec, out, t):
    if spec.training.loss == "mse":
        return 0.5 * ((out - t) ** 2).mean()
    if out.shape[1] == 1:
        return nn.BCEWithLogitsLoss()(out, t)
    return nn.CrossEntropyLoss()(out, t)


def penalty(spec, net):
    t = spec.training
    weights = [m.weight for m in net if isinstance(m, nn.Linear)]
    if t.regularization == "L1":
        return t.regularization_rate * sum(w.abs().sum() for w in weights)
    if t.regularization == "L2":
        return 0.5 * t.regularization_rate * sum((w * w).sum() for w in weights)
    return 0


@pytest.mark.parametrize("raw", [
    {},
    {"training": {"optimizer": "momentum", "regularization": "L2", "regularization_rate": 0.01}},
    {"training": {"optimizer": "adam", "learning_rate": 0.01, "regularization": "L1",
                  "regularization_rate": 0.003}},
    {"training": {"optimizer": "rmsprop", "learning_rate": 0.001, "batch_size": 7}},
    {"training": {"optimizer": "adagrad", "learning_rate": 0.1}, "model": {"init": "he"}},
    {"data": {"dataset": "spiral", "classes": 3, "features": ["x1", "x2", "sinx1", "x1x2"]},
     "training": {"loss": "cross_entropy", "optimizer": "adam"},
     "model": {"layers": [{"units": 8, "activation": "relu"}, {"units": 5, "activation": "gelu"}],
               "init": "xavier"}},
    {"data": {"dataset": "xor"}, "training": {"loss": "cross_entropy"},
     "model": {"layers": [{"units": 6, "activation": "elu"}, {"units": 3, "activation": "softplus"},
                          {"units": 3, "activation": "leaky_relu"},
                          {"units": 2, "activation": "softsign"}]}},
    {"data": {"dataset": "multi-gauss"}, "model": {"layers": [{"units": 5, "activation": "sigmoid"}]}},
    {"training": {"optimizer": "adamw", "learning_rate": 0.01, "weight_decay": 0.05}},
])
def test_steps_equal_plain_pytorch(raw):
    spec = parse_spec(raw)
    session = Session(spec)
    net = session.model.to_sequential()
    if spec.training.optimizer == "adamw":
        opt = torch.optim.AdamW(net.parameters(), lr=spec.training.learning_rate,
                                weight_decay=spec.training.weight_decay)
    else:
        opt = TORCH_OPTIMIZERS[spec.training.optimizer](
            net.parameters(), spec.training.learning_rate, spec.training.momentum)
    for xb, tb in first_batches(session, 4):
        opt.zero_grad()
        (plain_loss(spec, net(xb), tb) + penalty(spec, net)).backward()
        opt.step()
        session.train_batch()
        ours = session.model.to_sequential()
        for a, b in zip(ours.parameters(), net.parameters()):
            torch.testing.assert_close(a, b, atol=TOL, rtol=TOL)


def test_targets_follow_the_loss():
    mse = parse_spec({})
    ce = parse_spec({"training": {"loss": "cross_entropy"}})
    assert targets(mse, [0, 1]).flatten().tolist() == [-1.0, 1.0]
    assert targets(ce, [0, 1]).flatten().tolist() == [0.0, 1.0]


@pytest.mark.parametrize("name", list(TORCH_OPTIMIZERS))
def test_optimizer_updates_match_torch_optim_over_many_steps(name):
    gen = torch.Generator().manual_seed(0)
    ref = [torch.randn(5, 3, generator=gen, requires_grad=True)]
    ours = [ref[0].detach().clone()]
    torch_opt = TORCH_OPTIMIZERS[name](ref, 0.05, 0.8)
    opt = Optimizer(name, ours, 0.05, 0.8, weight_decay=0.01)
    for _ in range(20):
        g = torch.randn(5, 3, generator=gen)
        ref[0].grad = g.clone()
        torch_opt.step()
        opt.step([g])
    torch.testing.assert_close(ours[0], ref[0].detach(), atol=TOL, rtol=TOL)


def test_gradient_clipping_matches_torch():
    gen = torch.Generator().manual_seed(1)
    grads = [torch.randn(4, 3, generator=gen) * 10, torch.randn(3, generator=gen) * 10]
    params = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(params, 1.5)
    clip_grad_norm(grads, 1.5)
    for p, g in zip(params, grads):
        torch.testing.assert_close(g, p.grad)
    small = [torch.full((2,), 0.1)]
    clip_grad_norm(small, 1.5)                 # under the limit: untouched
    assert torch.equal(small[0], torch.full((2,), 0.1))


@pytest.mark.parametrize("smoothing", [0.1, 0.3])
@pytest.mark.parametrize("dataset,classes", [("gauss", 4), ("moons", 2)])
def test_label_smoothing_trains_with_torchs_smoothed_loss_and_reports_the_plain_one(
        smoothing, dataset, classes):
    spec = parse_spec({"data": {"dataset": dataset, "classes": classes},
                       "training": {"loss": "cross_entropy", "label_smoothing": smoothing}})
    session = Session(spec)
    net = session.model.to_sequential()
    opt = torch.optim.SGD(net.parameters(), lr=spec.training.learning_rate)
    for xb, tb in first_batches(session, 3):
        opt.zero_grad()
        out = net(xb)
        if classes > 2:
            loss = nn.CrossEntropyLoss(label_smoothing=smoothing)(out, tb)
        else:                                  # one logit: the two-class form of the same
            loss = nn.BCEWithLogitsLoss()(out, tb * (1 - smoothing) + smoothing / 2)
        loss.backward()
        opt.step()
        session.train_batch()
    for a, b in zip(session.model.to_sequential().parameters(), net.parameters()):
        torch.testing.assert_close(a, b, atol=TOL, rtol=TOL)
    session.refresh()
    test = session.splits["test"]
    with torch.no_grad():
        plain = plain_loss(spec, session.model(test.x), test.t).item()
    assert session.metrics["test_loss"] == pytest.approx(plain, rel=1e-6)
