"""Export: the standalone script, weights, ONNX, spec and history reproduce the app's model.

The exported `model.py` runs in a fresh interpreter with no engine on its path (all its runs
start at once: each one's time is mostly importing torch) and must predict what the session
predicts within 1e-5; onnxruntime must do the same with model.onnx. In-process checks run the
script's own functions (`runpy`) against the session: the data it draws, and the weights its
`train()` reaches from scratch, which are the app's own.
"""
from __future__ import annotations

import ast
import csv
import json
import os
import runpy
import subprocess
import sys

import numpy as np
import onnxruntime as ort
import pytest
import torch

from trainkit import trained

from engine.data.features import FEATURES, feature_matrix
from engine.data.images import write_idx
from engine.export.errors import ExportError
from engine.export.files import check_script, export, exported_module, sample_inputs, write_onnx
from engine.export.script import script
from engine.spec.fields import ACTIVATIONS
from engine.spec.parse import parse_spec
from engine.training.session import Session
from server.cli import main


TOLERANCE = 1e-5
FAST = {"optimizer": "adam", "learning_rate": 0.003, "batch_size": 32}
CASES = {
    "spiral": ({"data": {"dataset": "spiral", "classes": 3, "features": ["x1", "x2", "x1x2"]},
                "model": {"layers": [{"units": 6, "activation": "relu"},
                                     {"units": 4, "activation": "tanh"}]},
                "training": {"loss": "cross_entropy", "optimizer": "adam",
                             "learning_rate": 0.03}}, 5),
    "digits": ({"data": {"dataset": "digits", "augment": "shift"},
                "model": {"layers": [
                    {"kind": "conv2d", "filters": 8, "kernel": 3, "padding": 1},
                    {"kind": "batchnorm", "activation": "relu"},
                    {"kind": "residual", "filters": 12, "kernel": 3},
                    {"kind": "maxpool"},
                    {"kind": "avgpool"},
                    {"kind": "flatten"},
                    {"kind": "dense", "units": 32, "activation": "relu"},
                    {"kind": "dropout", "rate": 0.25}]},
                "training": FAST}, 2),
    "iris": ({"data": {"dataset": "iris", "validation_ratio": 20},
              "model": {"layers": [{"units": 16, "activation": "relu"},
                                   {"kind": "batchnorm", "activation": "elu"},
                                   {"kind": "dropout", "rate": 0.1}]},
              "training": {**FAST, "regularization": "L2", "regularization_rate": 0.001,
                           "early_stopping": 5}}, 4),
}
# What an exported script may import: nothing of ours.
ALLOWED_IMPORTS = {"__future__", "argparse", "collections", "gzip", "math", "pathlib", "numpy",
                   "torch", "safetensors", "sklearn"}


def app_outputs(s: Session, x: torch.Tensor) -> np.ndarray:
    with torch.no_grad(), s.eval_mode():
        return s.model(x).cpu().numpy()


def run_script(directory, *args, cwd) -> subprocess.Popen:
    """`python model.py ARGS` in a fresh interpreter, from elsewhere, PYTHONPATH empty."""
    return subprocess.Popen([sys.executable, str(directory / "model.py"), *map(str, args)],
                            cwd=cwd, env={**os.environ, "PYTHONPATH": ""},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> tuple[str, str]:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out, err


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Each case trained and exported; its script's --predict (and spiral's --train 2) starts in
    a fresh interpreter as soon as it is written, while the next case trains."""
    root = tmp_path_factory.mktemp("export")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    out = {}
    for name, (raw, epochs) in CASES.items():
        s = trained(raw, epochs)
        directory = root / name
        paths = export(s, directory)
        x = s.splits["test"].x.cpu()
        given, written = elsewhere / f"{name}_in.npy", elsewhere / f"{name}_out.npy"
        np.save(given, x.numpy())
        out[name] = {"session": s, "dir": directory, "paths": paths, "x": x,
                     "want": app_outputs(s, x), "out": written,
                     "predict": run_script(directory, "--predict", given, written,
                                           cwd=elsewhere)}
        if name == "spiral":
            out[name]["train"] = run_script(directory, "--train", 2, cwd=elsewhere)
    return out


@pytest.mark.parametrize("name", CASES)
def test_every_file_is_written(exported, name):
    assert sorted(p.name for p in exported[name]["dir"].iterdir()) == [
        "history.csv", "model.onnx", "model.py", "requirements.txt", "spec.json",
        "weights.safetensors"]
    assert set(exported[name]["paths"]) == {"history.csv", "model.onnx", "model.py",
                                            "requirements.txt", "spec.json",
                                            "weights.safetensors"}


@pytest.mark.parametrize("name", CASES)
def test_requirements_pin_what_the_script_imports(exported, name):
    from importlib import metadata
    lines = (exported[name]["dir"] / "requirements.txt").read_text().splitlines()
    pins = dict(line.split("==") for line in lines if line and not line.startswith("#"))
    want = {"numpy", "safetensors", "torch"} | ({"scikit-learn"} if name != "spiral" else set())
    assert set(pins) == want
    for package, version in pins.items():
        assert metadata.version(package).split("+")[0] == version


@pytest.mark.parametrize("name", CASES)
def test_script_in_a_fresh_interpreter_predicts_as_the_app(exported, name):
    case = exported[name]
    finish(case["predict"])
    got = np.load(case["out"])
    assert got.shape == case["want"].shape
    np.testing.assert_allclose(got, case["want"], rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("name", CASES)
def test_onnx_in_onnxruntime_predicts_as_the_app(exported, name):
    case = exported[name]
    session = ort.InferenceSession(str(case["paths"]["model.onnx"]),
                                   providers=["CPUExecutionProvider"])
    for x in (case["x"], case["x"][:1]):                 # any batch size
        got = session.run(["output"], {"input": x.numpy()})[0]
        np.testing.assert_allclose(got, app_outputs(case["session"], x), rtol=0,
                                   atol=TOLERANCE)


@pytest.mark.parametrize("name", CASES)
def test_script_imports_nothing_of_ours(exported, name):
    tree = ast.parse((exported[name]["dir"] / "model.py").read_text())
    tops = {(n.module if isinstance(n, ast.ImportFrom) else a.name).split(".")[0]
            for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
            for a in n.names}
    assert tops <= ALLOWED_IMPORTS


@pytest.mark.parametrize("name", CASES)
def test_spec_and_history(exported, name):
    case = exported[name]
    s = case["session"]
    assert parse_spec(json.loads(case["paths"]["spec.json"].read_text())) == s.spec
    with open(case["paths"]["history.csv"], newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == s.epoch == CASES[name][1]
    assert list(rows[0]) == ["epoch", "train_loss", "test_loss", "val_loss", "train_accuracy",
                             "test_accuracy", "seconds", "examples", "lr"]
    assert [int(r["epoch"]) for r in rows] == list(range(1, s.epoch + 1))
    assert float(rows[-1]["train_loss"]) == pytest.approx(s.history.train_loss[-1])
    if name == "spiral":                                 # no validation split: empty cells
        assert all(r["val_loss"] == "" for r in rows)
    if name == "iris":
        assert rows[-1]["val_loss"] != ""


def test_script_trains_from_scratch_and_prints_losses(exported):
    out, _ = finish(exported["spiral"]["train"])
    lines = out.strip().splitlines()
    assert [line.split()[:2] for line in lines] == [["epoch", "1"], ["epoch", "2"]]
    loss = float(lines[-1].split("train_loss")[1].split()[0])
    assert 0 < loss < 5


@pytest.mark.parametrize("name", CASES)
def test_script_draws_the_apps_data(exported, name):
    ns = runpy.run_path(str(exported[name]["dir"] / "model.py"), run_name="exported")
    data, s = ns["load_data"](), exported[name]["session"]
    for split in ("train", "val", "test"):
        x, t = data[split]
        assert torch.equal(x, s.splits[split].x.cpu()), split
        assert torch.equal(t, s.splits[split].t.cpu()), split


@pytest.mark.parametrize("name", ["spiral", "digits", "iris"])
def test_script_trains_to_the_apps_weights(exported, name):
    """Same initialisation, batch order, shifts, dropout masks and updates: the script's
    train() from scratch ends where the app did, at the same test loss."""
    case = exported[name]
    ns = runpy.run_path(str(case["dir"] / "model.py"), run_name="exported")
    logs: list[str] = []
    with torch.random.fork_rng(devices=[]):
        model = ns["train"](CASES[name][1], log=logs.append)
    with torch.no_grad():
        got = model(case["x"]).numpy()
    np.testing.assert_allclose(got, case["want"], rtol=0, atol=TOLERANCE)
    last = dict(zip(logs[-1].split()[2::2], map(float, logs[-1].split()[3::2])))
    assert last["test_loss"] == pytest.approx(case["session"].metrics["test_loss"], abs=1e-4)


# ---- every activation, head, point set, feature and family ------------------------------------

def check_in_process(s: Session) -> dict:
    """The script's network loads the session's weights and agrees with it; its data too."""
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.py"
        path.write_text(script(s))
        module = exported_module(s)
        check_script(path, module, sample_inputs(s, 16))  # raises ExportError on a mismatch
        ns = runpy.run_path(str(path), run_name="exported")
    data = ns["load_data"]()
    for split in ("train", "test"):
        assert torch.equal(data[split][0], s.splits[split].x.cpu())
        assert torch.equal(data[split][1], s.splits[split].t.cpu())
    return ns


def test_activation_table_covers_the_spec():
    assert all(FEATURES[name].code for name in FEATURES)


ACTS = list(ACTIVATIONS)
HEADS = {  # (dataset, classes, loss, activations): a tanh head, one logit, k logits, regression
    "mse": ("xor", 2, "mse", ACTS[::2]), "one_logit": ("moons", 2, "cross_entropy", ACTS[1::2]),
    "k_logits": ("gauss", 4, "cross_entropy", ACTS[:3]),
    "regression": ("multi-gauss", 2, "mse", ACTS[3:6])}


@pytest.mark.parametrize("head", HEADS)
def test_every_activation_and_head_exports(head, tmp_path):
    dataset, classes, loss, acts = HEADS[head]
    s = trained({"data": {"dataset": dataset, "classes": classes, "samples": 100},
                 "model": {"layers": [{"units": 3, "activation": a} for a in acts]},
                 "training": {"loss": loss}}, 1)
    check_in_process(s)
    if head in ("mse", "one_logit"):                    # every activation, both 1-unit heads
        module, x = exported_module(s), s.splits["test"].x
        write_onnx(module, x[:4], tmp_path / "m.onnx")
        got = ort.InferenceSession(str(tmp_path / "m.onnx")).run(None, {"input": x.numpy()})[0]
        np.testing.assert_allclose(got, app_outputs(s, x), rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("dataset", ["circle", "xor", "gauss", "spiral", "moons",
                                     "checkerboard", "plane", "multi-gauss", "sine"])
def test_every_point_set_and_feature_is_drawn_as_the_app_draws_it(dataset):
    feats = ["x1", "x1sq", "sinx1", "cosx1"] if dataset == "sine" else list(FEATURES)
    s = Session(parse_spec({"data": {"dataset": dataset, "noise": 20, "seed": 7,
                                     "features": feats, "samples": 120}}))
    check_in_process(s)


def test_feature_expressions_match_the_engine():
    X = np.random.default_rng(0).uniform(-6, 6, (50, 2)).astype(np.float32)
    x1, x2 = X[:, 0], X[:, 1]
    for name, code in ((f.name, f.code) for f in FEATURES.values()):
        got = eval(code, {"np": np, "x1": x1, "x2": x2})
        np.testing.assert_array_equal(got, feature_matrix(X, [name])[:, 0])


FAMILIES = {
    "fashion-like-augmented": {"data": {"dataset": "shapes", "samples": 140, "flip": True,
                                        "rotate": 15, "scale": 10, "input_noise": 0.1,
                                        "augment": "shift"},
                               "training": {"label_smoothing": 0.1}},
    "iris-adamw-one-cycle": {"data": {"dataset": "iris"},
                             "training": {"optimizer": "adamw", "weight_decay": 0.05,
                                          "schedule": "one_cycle", "schedule_epochs": 3,
                                          "warmup": 1}},
    "text-lstm": {"data": {"dataset": "text", "samples": 60, "seq_length": 10},
                  "model": {"layers": [{"kind": "embedding", "dim": 4},
                                       {"kind": "lstm", "units": 8},
                                       {"kind": "dense", "units": 4, "activation": "relu"}]}},
    "sine-gru": {"data": {"dataset": "sine-wave", "samples": 60, "noise": 10},
                 "model": {"layers": [{"kind": "gru", "units": 4, "num_layers": 2}]}},
    "recall-rnn": {"data": {"dataset": "recall", "samples": 60},
                   "model": {"layers": [{"kind": "rnn", "units": 4, "activation": "relu"},
                                        {"kind": "dropout", "rate": 0.1}]}},
    "parity-lstm": {"data": {"dataset": "parity-count", "samples": 60}},
    "digits-autoencoder": {"data": {"dataset": "digits", "samples": 200},
                           "model": {"task": "autoencoder"}},
    "iris-autoencoder": {"data": {"dataset": "iris"},
                         "model": {"task": "autoencoder",
                                   "layers": [{"units": 8, "activation": "gelu"}]}},
    "shapes-raw": {"data": {"dataset": "shapes", "samples": 140, "noise": 10,
                            "normalize": False}},
}


@pytest.mark.parametrize("name", FAMILIES)
def test_every_family_exports(name):
    raw = FAMILIES[name]
    s = trained({**raw, "training": {**FAST, **raw.get("training", {})}}, 1)
    ns = check_in_process(s)
    logs: list[str] = []
    with torch.random.fork_rng(devices=[]):
        model = ns["train"](1, log=logs.append)
    x = s.splits["test"].x
    with torch.no_grad():
        np.testing.assert_allclose(model(x).numpy(), app_outputs(s, x), rtol=0,
                                   atol=TOLERANCE)


def test_mnist_reads_idx_files(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "mnist").mkdir()
    for part, n in (("train", 60), ("t10k", 20)):
        write_idx(tmp_path / "mnist" / f"{part}-images-idx3-ubyte.gz",
                  rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(tmp_path / "mnist" / f"{part}-labels-idx1-ubyte",
                  rng.integers(0, 10, n, dtype=np.uint8))
    s = trained({"data": {"dataset": "mnist", "samples": 80},
                 "model": {"layers": [{"kind": "conv2d", "filters": 2, "kernel": 5,
                                       "stride": 4}]},
                 "training": FAST}, 1, data_dir=str(tmp_path))
    ns = check_in_process(s)
    assert ns["DATA_DIR"] == str((tmp_path / "mnist").resolve())


def test_a_script_that_disagrees_is_refused(tmp_path):
    s = Session(parse_spec({"data": {"dataset": "xor"}}))
    path = tmp_path / "model.py"
    path.write_text(script(s).replace("nn.Linear(2, 4), nn.Tanh()", "nn.Linear(2, 4), nn.ReLU()"))
    with pytest.raises(ExportError, match="disagrees"):
        check_script(path, exported_module(s), sample_inputs(s, 8))


def test_cli_train_exports_and_quantizes(tmp_path, capsys):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"data": {"dataset": "digits", "samples": 400},
                                "model": {"layers": [{"kind": "conv2d", "filters": 4,
                                                      "kernel": 3},
                                                     {"kind": "maxpool"},
                                                     {"kind": "dense", "units": 128,
                                                      "activation": "relu"}]},
                                "training": FAST}))
    main(["train", str(spec), "--epochs", "2", "--json", "--export", str(tmp_path / "out"),
          "--quantize"])
    result = json.loads(capsys.readouterr().out)
    assert result["export"] == ["history.csv", "model.onnx", "model.py", "model_int8.json",
                                "model_int8.pt", "requirements.txt", "spec.json",
                                "weights.safetensors"]
    assert result["int8_bytes"] < result["float_bytes"]
    assert result["float_accuracy"] == pytest.approx(result["accuracy"])
    assert abs(result["int8_accuracy"] - result["float_accuracy"]) <= result["tolerance"]
    with open(tmp_path / "out" / "history.csv") as f:
        assert len(f.readlines()) == 1 + 2


@pytest.mark.parametrize("training", [{"optimizer": "adam", "learning_rate": 0.01},
                                      {"schedule": "cosine", "schedule_epochs": 150,
                                       "warmup": 10, "learning_rate": 0.1}])
def test_a_2d_script_retrains_the_apps_run_over_150_epochs(training):
    """The 2-D net's train() uses the app's weight layout, batch order and initialisation:
    after 150 epochs its losses are the app's to 1e-4 (they were 0.002 apart with
    nn.Linear's layout and Adam)."""
    s = Session(parse_spec({"data": {"dataset": "spiral"},
                            "model": {"layers": [{"units": 8, "activation": "tanh"},
                                                 {"units": 8, "activation": "tanh"}]},
                            "training": training}))
    app = []
    for _ in range(150):
        s.train_epoch()
        app.append(s.metrics)
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.py"
        path.write_text(script(s))
        ns = runpy.run_path(str(path), run_name="exported")
    logs: list[str] = []
    model = ns["train"](150, log=logs.append)
    final = ns["evaluate"](model, ns["load_data"]())
    assert len(logs) == 150
    assert final["train_loss"] == pytest.approx(app[-1]["train_loss"], abs=1e-4)
    assert final["test_loss"] == pytest.approx(app[-1]["test_loss"], abs=1e-4)
    for line, m in zip(logs[::10], app[::10]):                  # the whole way, not just the end
        logged = dict(zip(line.split()[2::2], map(float, line.split()[3::2])))
        assert logged["test_loss"] == pytest.approx(m["test_loss"], abs=1e-4)


@pytest.mark.parametrize("name", ["text-lstm", "sine-gru", "recall-rnn"])
def test_recurrent_onnx_takes_any_length_and_carries_its_state(name, tmp_path):
    """Two sequence lengths, neither the training one; and a sequence fed in two pieces with
    the state passed on gives what it gives whole."""
    from engine.export.stateful import Stateful
    s = trained({**FAMILIES[name], "training": FAST}, 1)
    module = exported_module(s)
    write_onnx(module, sample_inputs(s, 4), tmp_path / "m.onnx")
    ort_session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    names = [i.name for i in ort_session.get_inputs()]
    model = Stateful(module)
    x = s.splits["test"].x[:3]
    long = torch.cat([x, x, x[:, :7]], 1)                          # 2T + 7 steps
    for seq in (x[:, :6], long):
        feed = {"input": seq.numpy(), **{n: z.numpy() for n, z in
                                         zip(names[1:], model.zero_states(3))}}
        got = ort_session.run(None, feed)
        with torch.no_grad():
            want = model(seq, *model.zero_states(3))
        assert got[0].shape == tuple(want[0].shape)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w.numpy(), rtol=0, atol=TOLERANCE)
        if seq is long and name != "recall-rnn":                  # many to many: in two pieces
            cut = 11
            first = ort_session.run(None, {**feed, "input": seq[:, :cut].numpy()})
            second = ort_session.run(None, {"input": seq[:, cut:].numpy(),
                                            **dict(zip(names[1:], first[1:]))})
            np.testing.assert_allclose(np.concatenate([first[0], second[0]], 1), got[0],
                                       rtol=0, atol=TOLERANCE)
