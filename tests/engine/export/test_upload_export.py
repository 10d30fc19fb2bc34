"""An exported upload carries its data: data.npz (the parsed arrays) beside model.py, so
`python model.py --train N` in a fresh interpreter, from elsewhere, draws the app's rows and
split and ends at the app's losses. The CLI's --data makes such a run from a CSV or a zip."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from engine.data.imagezips import images_from_zip
from engine.data.tablefiles import table_from_csv
from engine.export.files import export, zipped
from engine.spec.parse import parse_spec
from engine.training.session import Session
from server.cli import main
from uploadkit import shapes_zip, stored, table_csv

UPLOAD_ID = "d" * 32
EPOCHS = 4


def _session(tmp_path, kind: str) -> Session:
    if kind == "table":
        t = table_from_csv(table_csv(40))
        info = stored(tmp_path / "uploads", UPLOAD_ID, t.X, t.y, "table", t.class_names)
    else:
        im = images_from_zip(shapes_zip(6), 8, colour=True)
        info = stored(tmp_path / "uploads", UPLOAD_ID, im.X, im.y, "images", im.class_names)
    spec = parse_spec({"data": {"dataset": f"upload-{kind}", "upload": UPLOAD_ID}},
                      {UPLOAD_ID: info}.get)
    torch.manual_seed(0)
    s = Session(spec)
    for _ in range(EPOCHS):
        s.train_epoch()
    s.refresh()
    return s


@pytest.mark.parametrize("kind", ["table", "images"])
def test_model_py_trains_on_the_exported_data_to_the_apps_losses(tmp_path, kind):
    s = _session(tmp_path, kind)
    out = tmp_path / "export"
    paths = export(s, out)
    assert "data.npz" in {p.name for p in paths.values()}
    with np.load(out / "data.npz", allow_pickle=False) as f:
        assert f["X"].shape[0] == s.spec.data.samples
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run([sys.executable, str(out / "model.py"), "--train", str(EPOCHS)],
                         cwd=elsewhere, env={**os.environ, "PYTHONPATH": ""},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    last = run.stdout.strip().splitlines()[-1].split()
    figures = dict(zip(last[2::2], map(float, last[3::2])))
    assert figures["test_loss"] == pytest.approx(s.metrics["test_loss"], abs=1e-4)


def test_the_export_zip_holds_the_data(tmp_path):
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(zipped(_session(tmp_path, "table")))) as z:
        assert "data.npz" in z.namelist() and "model.py" in z.namelist()


@pytest.mark.parametrize("name, body, args, said", [
    ("flowers.csv", table_csv(40), ["--label", "kind"],
     "a table (40 rows; features width, height, weight; label 'kind': big, small)"),
    ("shapes.zip", shapes_zip(4), ["--image-size", "8", "--colour"],
     "images (12 at 8×8 colour; circle 4, cross 4, square 4)"),
    ("points.csv", b"x1,x2,c\n1,2,a\n3,4,b\n5,6,a\n7,8,b\n", [], "points (4 points; a, b)"),
])
def test_cli_train_data_detects_the_kind_and_trains(tmp_path, capsys, name, body, args, said):
    path = tmp_path / name
    path.write_bytes(body)
    main(["train", "{}", "--data", str(path), "--epochs", "2", "--json", *args])
    captured = capsys.readouterr()
    assert f"--data {path}: {said}" in captured.err
    result = json.loads(captured.out)
    assert result["epochs"] == 2 and result["test_loss"] is not None


def test_cli_train_names_a_bad_entry_of_a_zip(tmp_path, capsys):
    path = tmp_path / "bad.zip"
    path.write_bytes(shapes_zip(2, extra={"../x.png": b"x"}))
    with pytest.raises(SystemExit) as caught:
        main(["train", "{}", "--data", str(path), "--epochs", "1"])
    assert caught.value.code == 2
    assert "../x.png: a path that leaves the zip's folder" in capsys.readouterr().err
