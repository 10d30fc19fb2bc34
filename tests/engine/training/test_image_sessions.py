"""Image, table and autoencoder sessions: they learn, their probes show what a person expects."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from trainkit import trained

from engine.data.images import write_idx
from engine.data.registry import DATASETS
from engine.frames.images import examples, probe
from engine.nn.layers import conv_weights
from engine.spec.parse import parse_spec
from engine.spec.types import SpecError
from engine.training.session import Session


ROOT = Path(__file__).resolve().parents[3]
FAST = {"optimizer": "adam", "learning_rate": 0.003, "batch_size": 32}
SHAPES_NET = [{"kind": "conv2d", "filters": 8, "kernel": 5, "padding": 2}, {"kind": "maxpool"},
              {"kind": "conv2d", "filters": 16, "kernel": 3, "padding": 1}, {"kind": "maxpool"},
              {"kind": "dense", "units": 32, "activation": "relu"}]


@pytest.fixture(scope="module")
def digits():
    return trained({"data": {"dataset": "digits"}, "training": FAST}, 8)


def test_default_digits_cnn_learns(digits):
    assert digits.spec.model.layers[0].kind == "conv2d"        # LeNet-like by default
    assert digits.metrics["test_accuracy"] > 0.93


def test_probes_show_the_model(digits):
    arrays, scalars = probe(digits, {"filters", "feature_maps", "confusion", "gallery",
                                     "histograms"}, sample=5)
    assert arrays["filters.0"].shape == (8, 1, 3, 3) and arrays["filters.2"].shape == (16, 8, 3, 3)
    assert arrays["fmap.0"].shape == (8, 8, 8) and arrays["fmap.4"].shape == (64,)
    assert arrays["sample"].shape == (8, 8) and scalars["sample"]["index"] == 5
    assert arrays["sample_probs"].sum() == pytest.approx(1, abs=1e-5)
    cm = arrays["confusion"]
    test = digits.splits["test"]
    assert cm.sum() == len(test) and np.trace(cm) / cm.sum() == pytest.approx(
        digits.metrics["test_accuracy"], abs=1e-6)
    assert all(e["label"] != e["pred"] for e in scalars["gallery_wrong"])
    probs = [e["prob"] for e in scalars["gallery_unsure"]]
    assert probs == sorted(probs) and arrays["gallery_unsure"].shape[1:] == (8, 8)
    assert len(scalars["histograms"]) == 4 and arrays["hist_w.0"].sum() == 8 * 9


def test_only_requested_probes_are_sent(digits):
    arrays, _ = probe(digits, {"confusion"})
    assert set(arrays) == {"confusion"}


def test_confusion_cell_examples(digits):
    cm = probe(digits, {"confusion"})[0]["confusion"]
    true, pred = 3, 3
    images, meta = examples(digits, true, pred)
    assert len(meta) == min(cm[true, pred], 24) and images.shape[1:] == (8, 8)
    assert all(m["label"] == true and m["pred"] == pred for m in meta)


def coherence(kernel: np.ndarray) -> float:
    """Structure-tensor coherence: 1 when all gradient energy points one way (an edge or a
    line), near 0 for an isotropic blob or noise."""
    gy, gx = np.gradient(kernel - kernel.mean())
    jxx, jyy, jxy = (gx * gx).sum(), (gy * gy).sum(), (gx * gy).sum()
    return float(np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / max(jxx + jyy, 1e-12))


def test_shapes_filters_become_oriented():
    s = Session(parse_spec({"data": {"dataset": "shapes", "noise": 10},
                            "model": {"layers": SHAPES_NET},
                            "training": {**FAST, "regularization": "L2",
                                         "regularization_rate": 0.03}}))
    before = [coherence(k) for k in conv_weights(s.model)[0][1][:, 0].numpy()]
    for _ in range(15):
        s.train_epoch()
    s.refresh()
    after = [coherence(k) for k in conv_weights(s.model)[0][1][:, 0].numpy()]
    assert s.metrics["test_accuracy"] > 0.95
    assert np.mean(after) > 2 * np.mean(before)
    assert sum(c > 0.4 for c in after) >= len(after) // 2


def test_autoencoder_embeds_and_reconstructs():
    s = Session(parse_spec({"data": {"dataset": "digits"}, "model": {"task": "autoencoder"},
                            "training": FAST}))
    start = s.metrics["test_loss"]
    arrays0, _ = probe(s, {"embedding"})
    for _ in range(5):
        s.train_epoch()
    s.refresh()
    arrays, _ = probe(s, {"embedding"})
    assert s.metrics["test_loss"] < 0.6 * start and s.metrics["test_accuracy"] is None
    assert arrays["embedding"].shape == (len(s.splits["test"]), 2)
    assert not np.allclose(arrays["embedding"], arrays0["embedding"])
    assert arrays["reconstructions"].shape == arrays["originals"].shape == (8, 8, 8)


def test_iris_dense_net_learns():
    s = trained({"data": {"dataset": "iris"}, "training": {**FAST, "batch_size": 10}}, 60)
    assert s.metrics["test_accuracy"] > 0.9


def test_impossible_layer_is_refused_with_its_reason():
    with pytest.raises(SpecError) as info:
        parse_spec({"data": {"dataset": "digits"},
                    "model": {"layers": [{"kind": "conv2d", "filters": 4, "kernel": 9}]}})
    err = info.value.errors[0]
    assert err["path"] == "model.layers[0].kernel" and "larger than the 8×8 input" in err["message"]


def test_mnist_from_idx_files(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for prefix, n in (("train", 40), ("t10k", 20)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz",
                  rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(folder / f"{prefix}-labels-idx1-ubyte", (np.arange(n) % 10).astype(np.uint8))
    s = Session(parse_spec({"data": {"dataset": "mnist", "samples": 60}}), data_dir=str(tmp_path))
    s.train_epoch()
    assert s.splits["train"].x.shape[1:] == (1, 28, 28) and s.epoch == 1


def test_cli_trains_the_digits_cnn_past_97_percent():
    out = subprocess.run([sys.executable, "-m", "server.cli", "train",
                          str(ROOT / "examples" / "digits-cnn.json"), "--epochs", "40", "--json",
                          "--threads", "1"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    result = json.loads(out.stdout)
    assert result["accuracy"] >= 0.97 and result["epochs"] == 40


def test_running_metrics_and_timed_evaluation(monkeypatch):
    # However slow a busy machine makes the epochs, the second comes within EVAL_EVERY_S.
    monkeypatch.setattr("engine.training.session.EVAL_EVERY_S", 1e9)
    s = Session(parse_spec({"data": {"dataset": "iris"}, "training": FAST}))
    s.train_epoch()                               # the first epoch always evaluates
    s.train_epoch()                               # within EVAL_EVERY_S: the test set waits
    assert s.history.test_loss[0] is not None and s.history.test_loss[1] is None
    assert s.history.train_loss[1] is not None and 0 <= s.history.train_accuracy[1] <= 1
    s.refresh()
    assert s.metrics["test_loss"] is not None


@pytest.mark.parametrize("raw,classes", [
    ({"data": {"dataset": "digits"}}, 10),
    ({"data": {"dataset": "iris"}}, 3),
    ({"data": {"dataset": "text", "samples": 100}}, None),
    ({"data": {"dataset": "recall", "samples": 100}}, 2),
])
def test_a_classifier_starts_at_chance(raw, classes):
    """The output layer starts near zero: the first loss is ln k to within 1 %, not the 4.5
    nats of digits with an He-initialised head; and gradients reach the first layer."""
    s = Session(parse_spec(raw))
    k = classes or len(DATASETS["text"].vocab)
    assert s.metrics["test_loss"] == pytest.approx(math.log(k), rel=0.01)
    s.train_batch()
    assert float(s.last_grads[0].abs().sum()) > 0


def test_augmentations_are_seeded_and_change_the_batches():
    raw = {"data": {"dataset": "shapes", "samples": 140, "flip": True, "rotate": 20,
                    "scale": 10, "input_noise": 0.2}, "training": {"batch_size": 20}}
    a, b = Session(parse_spec(raw)), Session(parse_spec(raw))
    plain = Session(parse_spec({**raw, "data": {"dataset": "shapes", "samples": 140}}))
    for s in (a, b, plain):
        s.train_epoch()
    for p, q, r in zip(a.params, b.params, plain.params):
        assert torch.equal(p, q)
    assert any(not torch.equal(p, r) for p, r in zip(a.params, plain.params))
