"""`nn-playground` / `python -m server.cli`: spec and train, as a shell user runs them.

The commands that must be checked end to end run as subprocesses, all started at once (each
one imports torch, which is most of its time); the rest call `server.cli.main` in-process.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from server.cli import build_parser
from server.config import ROOT
from server.specs import resolve

from serverkit import DIVERGING, TF_HASH, run_main

TF_URL = "https://playground.tensorflow.org/" + TF_HASH
FILE_SPEC = {"data": {"dataset": "moons", "noise": 10},
             "model": {"layers": [{"units": 3, "activation": "relu"}]},
             "training": {"optimizer": "adam", "learning_rate": 0.01}}


class Runs:
    """The subprocesses, started together; `result(name)` waits for one."""

    def __init__(self, commands: dict[str, list[str]]):
        self.procs = {
            name: subprocess.Popen([sys.executable, "-m", "server.cli", *args], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name, args in commands.items()}
        self.done: dict[str, subprocess.CompletedProcess] = {}

    def result(self, name: str) -> subprocess.CompletedProcess:
        if name not in self.done:
            proc = self.procs[name]
            out, err = proc.communicate(timeout=120)
            self.done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        return self.done[name]

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    spec_file = tmp_path_factory.mktemp("cli") / "experiment.json"
    spec_file.write_text(json.dumps(FILE_SPEC))
    runs = Runs({
        "help": ["--help"],
        "bad": ["spec", "#batchSize=0&learningRate=abc"],
        "tf": ["spec", TF_URL],
        "file": ["spec", str(spec_file)],
        "train": ["train", "#dataset=xor&networkShape=4,2", "--epochs", "150", "--json",
                  "--threads", "1"],
    })
    yield runs
    runs.close()


def test_help_lists_the_commands(runs):
    r = runs.result("help")
    assert r.returncode == 0, r.stderr
    for command in ("serve", "spec", "train"):
        assert command in r.stdout


def test_spec_with_a_bad_value_exits_2_with_the_errors_on_stderr(runs):
    r = runs.result("bad")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "training.batch_size: 0 is below the minimum 1" in r.stderr
    assert "training.learning_rate: 'abc' is not a number" in r.stderr


def test_spec_of_a_tf_link_prints_the_normalised_spec(runs):
    r = runs.result("tf")
    assert r.returncode == 0, r.stderr
    spec = json.loads(r.stdout)
    assert spec["data"]["dataset"] == "xor"
    assert [(l["units"], l["activation"]) for l in spec["model"]["layers"]] == \
        [(5, "tanh"), (3, "tanh")]
    assert spec["data"]["features"] == ["x1", "x2", "x1x2"]
    assert spec == resolve({"hash": TF_HASH}).spec


def test_spec_of_a_json_file(runs):
    r = runs.result("file")
    assert r.returncode == 0, r.stderr
    spec = json.loads(r.stdout)
    assert spec["data"]["dataset"] == "moons" and spec["data"]["noise"] == 10
    assert spec["model"]["layers"] == [{"kind": "dense", "units": 3, "activation": "relu"}]
    assert spec["training"]["optimizer"] == "adam"
    assert spec["training"]["batch_size"] == 10                  # defaults filled in


def test_train_prints_one_json_line_of_final_metrics(runs):
    r = runs.result("train")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["epochs"] == 150
    assert result["device"] == "cpu"                   # a 2-D playground net stays on the CPU
    assert result["accuracy"] > 0.9
    assert 0 <= result["train_loss"] < 0.2 and 0 <= result["test_loss"] < 0.2
    assert result["seconds"] > 0
    assert result["status"] == "paused"


# ---- in-process ----------------------------------------------------------------------------

def test_spec_of_a_file_holding_a_hash(tmp_path, capsys):
    path = tmp_path / "link.txt"
    path.write_text(TF_URL + "\n")
    code, out, _ = run_main(["spec", str(path)], capsys)
    assert code == 0 and json.loads(out)["data"]["dataset"] == "xor"


def test_train_with_a_bad_spec_exits_2(capsys):
    code, out, err = run_main(["train", "#batchSize=0", "--epochs", "3"], capsys)
    assert code == 2 and out == ""
    assert "training.batch_size: 0 is below the minimum 1" in err


def test_train_needs_at_least_one_epoch(capsys):
    code, _, err = run_main(["train", "#dataset=xor", "--epochs", "0"], capsys)
    assert code == 2 and "--epochs" in err


def test_train_without_json_prints_a_table(capsys):
    code, out, err = run_main(["train", "#dataset=xor", "--epochs", "2"], capsys)
    assert code == 0
    assert "epoch 2/2" in err                                        # the progress bar
    rows = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines())}
    assert rows["epochs"] == "2" and rows["device"] == "cpu" and rows["status"] == "paused"


def test_train_stops_when_the_loss_diverges(tmp_path, capsys):
    path = tmp_path / "diverging.json"
    path.write_text(json.dumps(DIVERGING))
    code, out, _ = run_main(["train", str(path), "--epochs", "50", "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert result["status"] == "diverged" and result["epochs"] < 50
    assert "lower the learning rate" in result["message"]


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def test_train_json_is_strict_json_when_the_loss_diverges(tmp_path, capsys):
    path = tmp_path / "diverging.json"
    path.write_text(json.dumps(DIVERGING))
    _, out, _ = run_main(["train", str(path), "--epochs", "5", "--json"], capsys)
    json.loads(out, parse_constant=_reject_constant)


def test_spec_of_a_missing_file_exits_2(tmp_path, capsys):
    code, out, err = run_main(["spec", str(tmp_path / "typo.json")], capsys)
    assert code == 2 and out == "" and "typo.json" in err


def test_spec_of_a_broken_json_file_exits_2(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('{"data": {"dataset": "moons"')
    code, out, err = run_main(["spec", str(path)], capsys)
    assert code == 2 and out == "" and "broken.json" in err


def test_spec_with_a_huge_number_exits_2(capsys):
    code, _, err = run_main(["spec", "#batchSize=1" + "0" * 400], capsys)
    assert code == 2 and "training.batch_size" in err


# ---- logs for real runs -------------------------------------------------------------------------

LOGGED = {"data": {"dataset": "iris", "validation_ratio": 20},
          "training": {"schedule": "cosine", "schedule_epochs": 4}}


def test_train_logs_every_epoch_as_json_lines_and_tensorboard_events(tmp_path, capsys):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    spec, log, board = tmp_path / "iris.json", tmp_path / "run.jsonl", tmp_path / "tb"
    spec.write_text(json.dumps(LOGGED))
    code, out, _ = run_main(["train", str(spec), "--epochs", "4", "--json", "--log", str(log),
                             "--tensorboard", str(board)], capsys)
    assert code == 0
    result = json.loads(out)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["epoch"] for e in entries] == [1, 2, 3, 4]
    for e in entries:
        for key in ("train_loss", "val_loss", "test_loss", "train_accuracy", "val_accuracy",
                    "test_accuracy", "lr", "seconds", "step"):
            assert isinstance(e[key], (int, float)), key
        assert len(e["test_report"]["per_class"]) == 3
    assert entries[0]["lr"] > entries[-1]["lr"]                  # the cosine schedule
    assert entries[-1]["test_loss"] == pytest.approx(result["test_loss"])
    events = EventAccumulator(str(board))
    events.Reload()
    tags = events.Tags()["scalars"]
    assert {"loss/train", "loss/val", "loss/test", "accuracy/test", "lr", "seconds",
            "test/macro_f1"} <= set(tags)
    test_loss = events.Scalars("loss/test")
    assert [s.step for s in test_loss] == [1, 2, 3, 4]
    assert [s.value for s in test_loss] == pytest.approx([e["test_loss"] for e in entries],
                                                         rel=1e-6)


def test_train_json_has_every_splits_figures_and_the_split(capsys):
    code, out, _ = run_main(["train", "#dataset=xor&validation=20", "--epochs", "3", "--json"],
                            capsys)
    result = json.loads(out)
    for key in ("train_loss", "val_loss", "test_loss", "train_accuracy", "val_accuracy",
                "test_accuracy", "accuracy"):
        assert key in result, key
    assert result["split"]["val"] > 0 and "Random split" in result["split"]["text"]
    assert "macro_f1" in result["test_report"]


def test_the_progress_line_labels_every_figure(capsys):
    code, _, err = run_main(["train", "#dataset=xor&validation=20", "--epochs", "2"], capsys)
    line = err.strip().split("\r")[-1]
    for label in ("epoch 2/2", "loss train", "test", "val", "accuracy train", "lr 0.03", "ETA"):
        assert label in line, line


def test_threads_default_to_every_core():
    args = build_parser().parse_args(["train", "#", "--epochs", "1"])
    assert args.threads == (os.cpu_count() or 1)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
@pytest.mark.parametrize("command", [["serve"], ["train", "#dataset=xor", "--epochs", "1"]])
def test_asking_for_cuda_without_it_is_a_one_line_error(command, capsys):
    code, out, err = run_main([*command, "--device", "cuda"], capsys)
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "no CUDA device" in err
def test_train_takes_a_csv_of_points_with_data(tmp_path, capsys):
    path = tmp_path / "points.csv"
    path.write_text("x,y,kind\n" + "".join(f"{i},{i % 3},{'a' if i < 5 else 'b'}\n"
                                           for i in range(10)))
    code, out, _ = run_main(["train", "#networkShape=4", "--data", str(path), "--epochs", "30",
                             "--json"], capsys)
    assert code == 0 and json.loads(out)["epochs"] == 30 and "accuracy" in json.loads(out)


def test_train_names_the_row_and_column_of_a_bad_csv(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,c\n1,2,x\n3,q,y\n")
    code, _, err = run_main(["train", "", "--data", str(path), "--epochs", "1"], capsys)
    assert code == 2 and f"{path}: row 3, column 'b': 'q' is not a number" in err
    code, _, err = run_main(["train", "#dataset=digits", "--data", str(tmp_path / "none.csv"),
                             "--epochs", "1"], capsys)
    assert code == 2 and "cannot read" in err
