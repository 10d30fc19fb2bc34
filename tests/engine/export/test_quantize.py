"""Post-training int8 quantisation: the model shrinks and keeps its accuracy."""
from __future__ import annotations

import json

import pytest
import torch

from trainkit import trained

from engine.export.quantize import ACCURACY_TOLERANCE, FIGURES, export_quantized, figures, quantize


FAST = {"optimizer": "adam", "learning_rate": 0.003, "batch_size": 32}
# int8 weights are a quarter of float32's; scales, zero points and the serialisation's own
# bytes take some of that back (the default digits net measured 0.44 to 0.63 here).
SIZE_RATIO_AT_MOST = 0.75


@pytest.fixture(scope="module")
def digits():
    """The default digits CNN (conv, pool, conv, pool, dense), a few epochs, and its int8."""
    s = trained({"data": {"dataset": "digits"}, "training": FAST}, 4)
    return s, quantize(s)


def test_digits_net_shrinks_and_keeps_its_accuracy(digits):
    s, r = digits
    assert r["method"] == "static"                       # a conv net: calibrated int8
    assert r["float_accuracy"] == pytest.approx(s.metrics["test_accuracy"])
    assert r["float_accuracy"] > 0.85
    assert r["int8_bytes"] < SIZE_RATIO_AT_MOST * r["float_bytes"]
    assert r["size_ratio"] == pytest.approx(r["int8_bytes"] / r["float_bytes"])
    assert r["tolerance"] == ACCURACY_TOLERANCE == 0.02
    assert abs(r["int8_accuracy"] - r["float_accuracy"]) <= r["tolerance"]
    assert r["within_tolerance"] is True
    assert r["int8_loss"] == pytest.approx(r["float_loss"], rel=0.1)


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:DeprecationWarning")
def test_quantised_model_exports_as_torchscript(digits, tmp_path):
    s, r = digits
    paths = export_quantized(r, tmp_path)
    assert sorted(paths) == ["model_int8.json", "model_int8.pt"]
    loaded = torch.jit.load(str(paths["model_int8.pt"]))
    x = s.splits["test"].x[:64]
    with torch.no_grad():
        assert torch.equal(loaded(x), r["model"](x))
    info = json.loads(paths["model_int8.json"].read_text())
    assert {k: info[k] for k in FIGURES} == figures(r) and "torch.jit.load" in info["load"]


@pytest.mark.parametrize("raw, epochs", [
    ({"data": {"dataset": "iris"}, "model": {"layers": [{"units": 64, "activation": "relu"}]},
      "training": FAST}, 10),
    ({"data": {"dataset": "text", "samples": 100},
      "model": {"layers": [{"kind": "embedding", "dim": 8}, {"kind": "lstm", "units": 32}]},
      "training": FAST}, 1),
], ids=["iris-dense", "text-lstm"])
def test_dense_and_recurrent_nets_quantise_dynamically(raw, epochs):
    s = trained(raw, epochs)
    r = quantize(s)
    assert r["method"] == "dynamic"
    assert abs(r["int8_accuracy"] - r["float_accuracy"]) <= r["tolerance"]
    json.dumps(figures(r))                               # plain JSON


def test_autoencoder_reports_losses_not_accuracies():
    s = trained({"data": {"dataset": "digits", "samples": 300}, "model": {"task": "autoencoder"},
                 "training": FAST}, 1)
    r = quantize(s)
    assert r["float_accuracy"] is None and r["int8_accuracy"] is None
    assert r["within_tolerance"] is None
    assert r["int8_loss"] == pytest.approx(r["float_loss"], rel=0.1)
    assert r["int8_bytes"] < r["float_bytes"]
