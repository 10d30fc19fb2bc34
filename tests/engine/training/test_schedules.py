"""Learning-rate schedules against torch.optim.lr_scheduler as the oracle, stepped once per
batch; a session's rate follows its schedule, live changes rescale it, and the batched trainer
leaves scheduled sessions to train alone."""
import math

import pytest
import torch
from torch.optim import lr_scheduler as sched

from engine.spec.parse import parse_spec
from engine.training.batched import batch_key
from engine.training.schedules import curve, lr_factor, steps_per_epoch
from engine.training.session import Session


LR = 0.1
SPE = 7                         # steps per epoch in the oracle runs


def torch_rates(make, steps: int) -> list[float]:
    """The rate each step uses under a torch scheduler stepped after every optimiser step."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=LR)
    scheduler = make(opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return rates


def ours(kind: str, steps: int, epochs: int, gamma: float = 0.1, warmup: int = 0) -> list[float]:
    return [LR * lr_factor(kind, t, SPE, epochs, gamma, warmup) for t in range(steps)]


CASES = {
    "step": (lambda o: sched.StepLR(o, step_size=3 * SPE, gamma=0.5),
             dict(kind="step", epochs=3, gamma=0.5), 10 * SPE),
    "cosine": (lambda o: sched.CosineAnnealingLR(o, T_max=5 * SPE),
               dict(kind="cosine", epochs=5), 5 * SPE),
    "one_cycle": (lambda o: sched.OneCycleLR(o, max_lr=LR, total_steps=6 * SPE,
                                             cycle_momentum=False),
                  dict(kind="one_cycle", epochs=6), 6 * SPE),
    "warm-up": (lambda o: sched.LinearLR(o, start_factor=1 / (2 * SPE), end_factor=1.0,
                                         total_iters=2 * SPE - 1),
                dict(kind="constant", epochs=1, warmup=2), 5 * SPE),
    "warm-up then cosine": (lambda o: sched.ChainedScheduler([
        sched.LinearLR(o, start_factor=1 / (2 * SPE), end_factor=1.0, total_iters=2 * SPE - 1),
        sched.CosineAnnealingLR(o, T_max=8 * SPE)]),
        dict(kind="cosine", epochs=8, warmup=2), 8 * SPE),
}


@pytest.mark.parametrize("name", CASES)
def test_rates_equal_torch_schedulers(name):
    make, kwargs, steps = CASES[name]
    want = torch_rates(make, steps)
    got = ours(steps=steps, **kwargs)
    assert got == pytest.approx(want, rel=1e-6, abs=1e-12)


def test_after_the_schedule_the_rate_holds_its_last_value():
    assert lr_factor("cosine", 50, SPE, 5, 0.1, 0) == 0.0
    end = lr_factor("one_cycle", 6 * SPE - 1, SPE, 6, 0.1, 0)
    assert lr_factor("one_cycle", 100 * SPE, SPE, 6, 0.1, 0) == pytest.approx(end)
    assert end == pytest.approx(1 / 25 / 1e4)


def scheduled(**training) -> Session:
    return Session(parse_spec({"data": {"dataset": "xor", "samples": 100},
                               "training": {"batch_size": 10, **training}}))


def test_a_session_steps_at_its_schedules_rate():
    s = scheduled(schedule="step", schedule_epochs=2, gamma=0.5, learning_rate=0.1)
    spe = steps_per_epoch(len(s.splits["train"]), 10)
    assert spe == 5
    rates = []
    for _ in range(5):
        s.train_epoch()
        rates.append(s.optimizer.lr)
    assert rates == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])     # × 0.5 every 2 epochs
    assert s.history.lr == pytest.approx(rates)


def test_changing_the_learning_rate_mid_run_rescales_the_schedule_at_its_position():
    s = scheduled(schedule="cosine", schedule_epochs=4, learning_rate=0.1)
    s.train_epoch()
    factor = lr_factor("cosine", s.step, 5, 4, 0.1, 0)
    s.configure(s.spec.with_training(learning_rate=0.3))      # live: no reset
    assert s.epoch == 1
    assert s.learning_rate() == pytest.approx(0.3 * factor)
    s.train_batch()
    assert s.optimizer.lr == pytest.approx(0.3 * factor)


def test_a_reset_starts_the_schedule_again_and_a_constant_rate_is_the_field():
    s = scheduled(warmup=2, learning_rate=0.1)
    s.train_epoch()
    assert s.optimizer.lr == pytest.approx(0.1 * 5 / 10)
    s.reset()
    assert s.learning_rate() == pytest.approx(0.1 / 10)
    plain = scheduled(learning_rate=0.1)
    plain.train_epoch()
    assert plain.optimizer.lr == 0.1 and plain.history.lr == [0.1]


@pytest.mark.parametrize("training", [{"schedule": "cosine"}, {"warmup": 3},
                                      {"optimizer": "adamw"},
                                      {"loss": "cross_entropy", "label_smoothing": 0.1}])
def test_scheduled_adamw_or_smoothed_sessions_train_alone(training):
    assert batch_key(scheduled()) is not None
    assert batch_key(scheduled(**training)) is None


def test_the_curve_for_the_page_marks_warm_up_and_the_end():
    spec = parse_spec({"training": {"schedule": "cosine", "schedule_epochs": 50, "warmup": 5}})
    c = curve(spec.training)
    assert len(c["epoch"]) == len(c["factor"]) and c["epoch"][0] == 0
    assert max(c["factor"]) <= 1 and c["factor"][-1] == pytest.approx(0, abs=1e-6)
    assert [m["epoch"] for m in c["marks"]] == [5, 50]
    assert curve(parse_spec({}).training) is None
    assert not math.isnan(sum(c["factor"]))
