"""The training state machine: learning, reset, live changes, regenerate, divergence,
early stopping, the step activation and weight edits."""
import math

import pytest
import torch

from engine.training import history as history_module
from engine.spec.parse import parse_spec
from engine.spec.types import SpecError
from engine.training.session import Session
from engine.data.heldout import split_indices


def weights(session):
    return [p.detach().clone() for p in session.params]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


def test_loss_falls_on_xor_with_a_hidden_layer():
    s = Session(parse_spec({"data": {"dataset": "xor"},
                            "model": {"layers": [{"units": 6}, {"units": 4}]}}))
    start = s.metrics["test_loss"]
    for _ in range(150):
        s.train_epoch()
    assert s.metrics["test_loss"] < 0.1 < start
    assert s.metrics["test_accuracy"] > 0.95
    assert len(s.history) == 150 and s.history.epoch[-1] == 150


def test_linear_model_cannot_learn_xor():
    s = Session(parse_spec({"data": {"dataset": "xor"}, "model": {"layers": []}}))
    for _ in range(100):
        s.train_epoch()
    assert s.metrics["test_accuracy"] < 0.75


@pytest.mark.parametrize("raw", [
    {"data": {"dataset": "spiral", "classes": 3, "features": ["x1", "x2", "sinx1", "sinx2"]},
     "training": {"loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.01},
     "model": {"layers": [{"units": 12, "activation": "relu"}, {"units": 12, "activation": "relu"}]}},
    {"data": {"dataset": "gauss", "classes": 4},
     "training": {"loss": "cross_entropy", "optimizer": "adam"}},
])
def test_multi_class_cross_entropy_learns(raw):
    s = Session(parse_spec(raw))
    for _ in range(200):
        s.train_epoch()
    assert s.metrics["test_accuracy"] > 0.8


def test_sine_regression_fits():
    s = Session(parse_spec({"data": {"dataset": "sine", "features": ["x1"]},
                            "model": {"layers": [{"units": 8}, {"units": 8}]},
                            "training": {"optimizer": "adam", "learning_rate": 0.01}}))
    for _ in range(150):
        s.train_epoch()
    assert s.metrics["test_loss"] < 0.01 and s.metrics["test_accuracy"] is None


def test_step_epoch_and_batch_counters():
    s = Session(parse_spec({}))
    s.train_batch()
    assert (s.epoch, s.step) == (0, 1)
    s.train_epoch()
    assert (s.epoch, s.step) == (1, 25)       # 250 training points, batch 10


def test_reset_under_the_same_seed_repeats_the_start():
    s = Session(parse_spec({}))
    start = weights(s)
    for _ in range(3):
        s.train_epoch()
    assert not same(start, weights(s))
    s.reset()
    assert same(start, weights(s)) and s.epoch == 0 and len(s.history) == 0
    assert same(start, weights(Session(parse_spec({}))))


def test_live_changes_keep_the_weights():
    s = Session(parse_spec({}))
    s.train_epoch()
    before = weights(s)
    assert not s.configure(s.spec.with_training(learning_rate=0.3, batch_size=25,
                                                regularization="L2", regularization_rate=0.01))
    assert same(before, weights(s)) and s.epoch == 1
    s.train_epoch()
    assert s.step == 25 + 10                  # the new batch size counts
    assert s.optimizer.lr == 0.3


def test_structural_changes_reset():
    s = Session(parse_spec({}))
    s.train_epoch()
    assert s.configure(parse_spec({"model": {"layers": [{"units": 3}]}}))
    assert s.epoch == 0 and s.model.sizes == [2, 3, 1]


def test_regenerate_keeps_the_network_and_changes_the_data():
    s = Session(parse_spec({}))
    s.train_epoch()
    before, points, seed = weights(s), s.splits["train"].points.copy(), s.spec.data.seed
    spec = s.regenerate()
    assert spec.data.seed != seed and s.spec is spec
    assert same(before, weights(s)) and s.epoch == 1
    assert not (s.splits["train"].points == points).all()


def test_divergence_pauses_with_advice():
    s = Session(parse_spec({"data": {"dataset": "plane"},
                            "model": {"layers": [{"units": 8, "activation": "relu"}] * 3},
                            "training": {"learning_rate": 10, "speed": 0}}))
    s.play()
    for _ in range(20):
        s.train_for(0.05)
        if s.status == "diverged":
            break
    assert s.status == "diverged"
    assert "lower the learning rate" in s.message and f"epoch {s.epoch}" in s.message
    with pytest.raises(RuntimeError):
        s.play()


def test_early_stopping_restores_the_best_weights():
    s = Session(parse_spec({"data": {"dataset": "xor", "validation_ratio": 20, "noise": 50,
                                     "samples": 200},
                            "model": {"layers": [{"units": 16, "activation": "relu"}] * 3},
                            "training": {"early_stopping": 5, "optimizer": "adam",
                                         "learning_rate": 0.03}}))
    s.play()
    while s.status == "playing" and s.epoch < 2000:
        s.train_epoch()
    assert s.status == "stopped" and "early stopping" in s.message
    best = s.history.val_loss[s.best_epoch - 1]
    assert min(s.history.val_loss) == best
    assert s.metrics["val_loss"] == pytest.approx(best, rel=1e-5)
    assert s.epoch - s.best_epoch == 5


def test_a_step_activation_blocks_learning_below_it():
    s = Session(parse_spec({"model": {"layers": [{"units": 4, "activation": "step"}]}}))
    first, head = s.params[0].detach().clone(), s.params[2].detach().clone()
    for _ in range(3):
        s.train_epoch()
    assert torch.equal(first, s.params[0]) and not torch.equal(head, s.params[2])


def test_weight_and_bias_edits_apply():
    s = Session(parse_spec({}))
    s.set_weight(0, 3, 1, 0.75)
    s.set_bias(1, 0, -2.0)
    assert s.model.weight(0)[3, 1] == 0.75 and s.model.b[1][0] == -2.0


def test_split_sizes_and_disjointness():
    tr, va, te = split_indices(500, 70, 20, seed=3)
    assert (len(tr), len(va), len(te)) == (280, 70, 150)
    assert len(set(tr) | set(va) | set(te)) == 500


def test_same_spec_same_run():
    a, b = Session(parse_spec({"data": {"noise": 20}})), Session(parse_spec({"data": {"noise": 20}}))
    for _ in range(5):
        a.train_epoch(), b.train_epoch()
    assert same(weights(a), weights(b)) and math.isclose(a.metrics["test_loss"],
                                                         b.metrics["test_loss"])


def test_history_is_bounded(monkeypatch):
    monkeypatch.setattr(history_module, "MAX_HISTORY", 10)
    s = Session(parse_spec({"data": {"samples": 40}, "training": {"batch_size": 40}}))
    for _ in range(45):
        s.train_epoch()
    h = s.history
    assert len(h) <= 10 and h.stride == 8 and h.version == 3
    assert h.epoch == [e for e in range(1, 46) if e % 8 == 0]
    assert len(h.train_loss) == len(h.epoch)


def test_a_step_too_costly_is_refused():
    with pytest.raises(SpecError) as info:
        parse_spec({"data": {"dataset": "shapes"}, "training": {"batch_size": 1000},
                    "model": {"layers": [{"kind": "conv2d", "filters": 128, "kernel": 1,
                                          "padding": 5}] * 4}})
    err = info.value.errors[0]
    assert err["path"] == "training.batch_size" and "lower the batch size" in err["message"]
