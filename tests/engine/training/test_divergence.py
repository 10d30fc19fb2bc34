"""Divergence without a non-finite loss: a classifier thrown off by too large a step, at chance
with its weights far from their start, is paused with the same advice as a NaN loss; a net
that is merely slow to start is not."""
from __future__ import annotations

import pytest

from engine.spec.parse import parse_spec
from engine.training.divergence import PATIENCE
from engine.training.session import Session

DEEP_RELU = {"model": {"layers": [{"units": 8, "activation": "relu"}] * 6},
             "training": {"learning_rate": 10}}


def run(raw: dict, epochs: int) -> Session:
    s = Session(parse_spec(raw))
    s.play()
    while s.status == "playing" and s.epoch < epochs:
        s.train_epoch()
    return s


@pytest.mark.parametrize("raw", [
    {"data": {"dataset": "circle"}, **DEEP_RELU},
    {"data": {"dataset": "gauss", "classes": 4}, **DEEP_RELU},
    {"data": {"dataset": "digits"}, "training": {"learning_rate": 3, "optimizer": "sgd"}},
], ids=["circle", "gauss-4", "digits-sgd"])
def test_a_classifier_stuck_at_chance_with_thrown_weights_is_paused_with_advice(raw):
    s = run(raw, 4 * PATIENCE)
    assert s.status == "diverged", s.metrics
    assert s.epoch < 4 * PATIENCE
    rate = s.spec.training.learning_rate
    assert "at chance" in s.message and f"lower the learning rate (now {rate:g})" in s.message
    with pytest.raises(RuntimeError):
        s.play()


@pytest.mark.parametrize("raw", [
    {"data": {"dataset": "spiral"}, "training": {"learning_rate": 0.003}},   # slow, at chance
    {"data": {"dataset": "circle"}},
    {"data": {"dataset": "plane"}, "model": DEEP_RELU["model"]},          # regression: no chance
], ids=["slow spiral", "circle", "regression"])
def test_a_slow_start_or_a_regression_is_left_to_train(raw):
    s = run(raw, 2 * PATIENCE + 5)
    assert s.status == "playing", s.message
