"""Frames: what the browser's views receive."""
import numpy as np
import torch

from engine.frames.common import quantize
from engine.frames.points import GRID, THUMB, grid_points
from engine.frames.snapshot import snapshot
from engine.spec.parse import parse_spec
from engine.training.session import Session


ALL7 = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]


def test_grid_orientation_row0_is_top():
    p = grid_points(GRID)
    assert tuple(p[0]) == (-6.0, 6.0) and tuple(p[-1]) == (6.0, -6.0)


def test_quantize_maps_the_tf_colour_domain():
    assert quantize(torch.tensor([-5.0, -1.0, 0.0, 1.0, 3.0])).tolist() == [0, 0, 128, 255, 255]


def test_frame_arrays_for_a_binary_net():
    s = Session(parse_spec({}))
    f = snapshot(s, include_data=True)
    assert f.arrays["output"].shape == (GRID, GRID) and f.arrays["output"].dtype == np.uint8
    assert f.arrays["neurons"].shape == (2 + 4 + 2, THUMB, THUMB)
    assert f.arrays["weight.0"].shape == (4, 2) and f.arrays["bias.2"].shape == (1,)
    assert f.arrays["train_x"].shape == (250, 2) and "focus" not in f.arrays
    assert f.scalars["epoch"] == 0 and f.scalars["history"]["start"] == 0


def test_output_map_follows_the_model():
    s = Session(parse_spec({"data": {"dataset": "gauss"}, "model": {"layers": []}}))
    for _ in range(20):
        s.train_epoch()
    out = snapshot(s).arrays["output"].astype(int)
    assert out[0, -1] > 200 and out[-1, 0] < 55     # class +1 (blue) at (6, 6), −1 at (−6, −6)


def test_focus_map_is_the_neuron_at_full_size():
    s = Session(parse_spec({}))
    f = snapshot(s, focus=0)                 # input x1: rises left to right
    assert f.arrays["focus"].shape == (GRID, GRID)
    row = f.arrays["focus"][0].astype(int)
    assert row[0] == 0 and row[-1] == 255 and (np.diff(row) >= 0).all()


def test_multi_class_frame_has_classes():
    s = Session(parse_spec({"data": {"dataset": "gauss", "classes": 4},
                            "training": {"loss": "cross_entropy", "optimizer": "adam"}}))
    for _ in range(100):
        s.train_epoch()
    cls = snapshot(s).arrays["output_class"]
    assert set(np.unique(cls)) == {0, 1, 2, 3}


def test_one_d_dataset_sends_a_curve():
    s = Session(parse_spec({"data": {"dataset": "sine", "features": ["x1"]}}))
    assert snapshot(s).arrays["curve"].shape == (GRID,)


def test_history_carries_only_new_epochs():
    s = Session(parse_spec({}))
    for _ in range(3):
        s.train_epoch()
    h = snapshot(s, history_from=2).scalars["history"]
    assert h["start"] == 2 and h["epoch"] == [3]


def test_six_by_eight_frame_is_small():
    s = Session(parse_spec({"data": {"features": ALL7},
                            "model": {"layers": [{"units": 8}] * 6}}))
    f = snapshot(s)
    assert sum(a.nbytes for a in f.arrays.values()) <= 30_000
