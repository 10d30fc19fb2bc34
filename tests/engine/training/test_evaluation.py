"""Image, table and sequence sessions measure their test set a slice at a time, on a frozen
copy of an epoch's weights, between the next epoch's batches: every history entry must still
be exactly the figures of its own epoch's weights."""
from __future__ import annotations

import copy

import pytest
import torch

from engine.spec.parse import parse_spec
from engine.training import session as session_module
from engine.training.session import Session

DIGITS = {"data": {"dataset": "digits", "samples": 400, "validation_ratio": 20},
          "training": {"batch_size": 32}}
EPOCHS = 4


@pytest.fixture
def sliced(monkeypatch):
    """Evaluate every epoch, a few examples per chunk, nothing at the epoch's end itself: the
    whole evaluation is spread over the next epoch's batches."""
    monkeypatch.setattr(session_module, "EVAL_EVERY_S", 0.0)
    monkeypatch.setattr(session_module, "EVAL_SLICE_S", 0.0)
    monkeypatch.setattr(session_module, "EVAL_CHUNK_FLOPS", 2e5)


def test_every_entry_has_its_own_epochs_figures(sliced):
    s = Session(parse_spec(DIGITS))
    assert len(s.splits["test"]) // s._slice_chunk > 10       # many chunks: really sliced
    states = []
    for _ in range(EPOCHS):
        s.train_epoch()
        states.append(copy.deepcopy(s.model.state_dict()))
        assert len(s.history) == len(states) - 1          # the last entry waits for its figures
    s.refresh()
    assert s.history.epoch == list(range(1, EPOCHS + 1))
    probe = Session(parse_spec(DIGITS))
    for k, state in enumerate(states):
        probe.model.load_state_dict(state)
        exact = probe.evaluate(("val", "test"))
        assert s.history.test_loss[k] == pytest.approx(exact["test_loss"], rel=1e-5)
        assert s.history.val_loss[k] == pytest.approx(exact["val_loss"], rel=1e-5)
        assert s.history.test_accuracy[k] == pytest.approx(exact["test_accuracy"])


def test_the_training_goes_on_while_the_test_set_is_measured(sliced):
    s = Session(parse_spec(DIGITS))
    s.train_epoch()
    pending = s._evaluation
    assert pending is not None and not pending.finished
    before = [p.detach().clone() for p in s.params]
    s.train_batch()
    assert any(not torch.equal(a, b) for a, b in zip(before, s.params))   # weights moved on
    assert pending.left < len(pending.chunks)                             # and it advanced


def test_early_stopping_keeps_the_weights_it_measured(sliced):
    raw = {**DIGITS, "training": {"batch_size": 32, "learning_rate": 0.03, "early_stopping": 2}}
    s = Session(parse_spec(raw))
    s.play()
    while s.status == "playing" and s.epoch < 100:
        s.train_epoch()
    assert s.status == "stopped" and s.needs_refresh
    s.refresh()
    best = s.history.val_loss[s.best_epoch - 1]
    assert min(v for v in s.history.val_loss if v is not None) == best
    assert s.metrics["val_loss"] == pytest.approx(best, rel=1e-5)
