"""Sequence sessions: series prediction and forecast, many-to-one bits, text generation, and
the recurrent probes a person looks at."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from trainkit import trained

from engine.data.registry import DATASETS
from engine.frames.snapshot import snapshot
from engine.spec.parse import parse_spec
from engine.training.session import Session


FAST = {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32}
PROBES = frozenset({"series", "hidden", "gates", "gradients", "text"})


@pytest.fixture(scope="module")
def sine():
    return trained({"data": {"dataset": "sine-wave", "noise": 5}, "training": FAST}, 15)


def test_lstm_predicts_the_sine_far_better_than_the_last_value(sine):
    test = sine.splits["test"]
    last_value = 0.5 * float(((test.x - test.t) ** 2).mean())    # ½·MSE, as the loss
    assert sine.metrics["test_loss"] < 0.2 * last_value


def test_series_probes(sine):
    f = snapshot(sine, views=PROBES, sample=3)
    a = f.arrays
    T = sine.spec.data.seq_length
    assert a["series_input"].shape == a["series_prediction"].shape == (T,)
    assert np.abs(a["series_prediction"] - a["series_target"]).mean() < 0.2
    assert a["forecast"].shape == a["forecast_truth"].shape == (40,)
    assert a["hidden"].shape == (T, 16) and np.abs(a["hidden"]).max() > 0
    for gate in ("input", "forget", "output"):
        assert 0 <= a[f"gate.{gate}"].min() and a[f"gate.{gate}"].max() <= 1
    assert a["step_gradients"].shape == (T,) and (a["step_gradients"] >= 0).all()
    assert f.scalars["sequence"]["recurrent_layers"] == [0]


def test_forecast_follows_the_wave_for_a_while(sine):
    a = snapshot(sine, views=frozenset({"series"}), sample=0).arrays
    assert np.abs(a["forecast"][:10] - a["forecast_truth"][:10]).mean() < 0.3


def test_many_to_one_bits_learn():
    s = trained({"data": {"dataset": "parity-count"}, "training": FAST}, 15)
    assert s.metrics["test_accuracy"] > 0.8


def test_text_generation_appears_and_changes():
    raw = {"data": {"dataset": "text"}, "training": FAST}
    s = Session(parse_spec(raw))
    opts = {"prompt": "the net", "temperature": 0.5}
    before = snapshot(s, views=frozenset({"text"}), options=opts).scalars["text"]["sample"]
    for _ in range(5):
        s.train_epoch()
    after = snapshot(s, views=frozenset({"text"}), options=opts).scalars["text"]
    assert after["prompt"] == "the net" and len(after["sample"]) == 200
    assert after["sample"] != before
    assert set(after["sample"]) <= set(DATASETS["text"].vocab)


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_every_recurrent_kind_trains(kind):
    s = trained({"data": {"dataset": "two-sines"},
                 "model": {"layers": [{"kind": kind, "units": 12, "num_layers": 2},
                                      {"kind": "dense", "units": 8, "activation": "tanh"}]},
                 "training": {**FAST, "clip": 1}}, 3)
    assert np.isfinite(s.metrics["test_loss"]) and len(s.history) == 3


def test_lstm_remembers_the_first_bit():
    s = trained({"data": {"dataset": "recall", "seq_length": 20},
                 "model": {"layers": [{"kind": "lstm", "units": 16}]},
                 "training": {**FAST, "clip": 1}}, 30)
    assert s.metrics["test_accuracy"] > 0.9


def test_lstm_forget_gate_starts_open():
    s = Session(parse_spec({"data": {"dataset": "sine-wave"}}))
    lstm = s.model.blocks[0].rnn
    assert torch.all(lstm.bias_ih_l0[16:32] == 1) and torch.all(lstm.bias_hh_l0[16:32] == 0)


def test_cli_trains_the_sine_lstm_far_below_the_last_value_baseline():
    root = Path(__file__).resolve().parents[3]
    spec = {"data": {"dataset": "sine-wave", "noise": 5},
            "model": {"layers": [{"kind": "lstm", "units": 16}]}, "training": FAST}
    out = subprocess.run([sys.executable, "-m", "server.cli", "train", json.dumps(spec),
                          "--epochs", "15", "--json", "--threads", "1"], capture_output=True, text=True, cwd=root,
                         timeout=300)
    result = json.loads(out.stdout)
    test = Session(parse_spec(spec)).splits["test"]
    last_value = 0.5 * float(((test.x - test.t) ** 2).mean())
    assert result["test_loss"] < 0.2 * last_value, (result, last_value)


def test_the_training_accuracy_of_a_per_step_model_is_a_share_of_its_steps():
    """The text model is judged at each of its 20 steps: its running training accuracy (the
    chart's curve, history.csv, the CLI's figure) is the share of steps right, not 20 times it."""
    s = trained({"data": {"dataset": "text"}, "training": FAST}, 3)
    accuracies = s.history.train_accuracy
    assert len(accuracies) == 3 and all(0 < a <= 1 for a in accuracies), accuracies
    assert abs(accuracies[-1] - s.evaluate(("train",))["train_accuracy"]) < 0.1
