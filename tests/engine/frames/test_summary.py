"""engine/summary.py: a run as plain JSON for the Compare page. Oracles: the arrays it sends
decode to exactly what the views' own probes make, and a saved run's recorded frame gives the
same output as the live session it was recorded from."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from trainkit import trained

from engine.frames import images as image_frames
from engine.frames.recording import Recording
from engine.frames.snapshot import snapshot
from engine.frames.summary import TEXT_OPTIONS, output_kind, output_of, summarize
from engine.spec.parse import parse_spec
from engine.training.session import Session

XOR = {"data": {"dataset": "xor"}}
EPOCHS = 4
MAX_BYTES = 100_000


def decoded(entry: dict) -> np.ndarray:
    data = base64.b64decode(entry["data_b64"])
    return np.frombuffer(data, dtype=entry["dtype"]).reshape(entry["shape"])


def as_json(summary: dict) -> str:
    """What travels: JSON with no NaN or infinity."""
    return json.dumps(summary, allow_nan=False)


def test_a_2d_run_sends_its_spec_history_and_output_map():
    s = trained(XOR, EPOCHS)
    out = summarize(s)
    assert len(as_json(out)) < MAX_BYTES
    assert out["spec"] == s.spec.to_dict()
    assert (out["status"], out["epoch"], out["step"]) == ("paused", EPOCHS, s.step)
    assert out["history"]["epoch"] == list(range(1, EPOCHS + 1))
    assert out["history"]["test_loss"] == s.history.test_loss and out["history"]["stride"] == 1
    assert out["metrics"]["test_loss"] == pytest.approx(s.metrics["test_loss"])
    frame = snapshot(s, include_data=True)
    assert out["output"]["kind"] == "map"
    arrays = out["output"]["arrays"]
    assert set(arrays) == {"output", "train_x", "train_y"}          # test points are not shown
    for name in arrays:
        np.testing.assert_array_equal(decoded(arrays[name]), frame.arrays[name])
    assert decoded(arrays["output"]).shape == (100, 100)


def test_test_points_and_class_maps_go_along_when_shown():
    s = trained({"data": {"dataset": "spiral", "classes": 3},
                 "training": {"loss": "cross_entropy"}, "view": {"show_test_data": True}}, 1)
    arrays = summarize(s)["output"]["arrays"]
    assert {"output", "output_class", "test_x", "test_y"} <= set(arrays)
    np.testing.assert_array_equal(decoded(arrays["test_x"]), s.splits["test"].points)


def test_the_largest_2d_set_stays_small():
    s = Session(parse_spec({"data": {"dataset": "circle", "samples": 5000, "train_ratio": 90}}))
    assert len(as_json(summarize(s))) < MAX_BYTES


def test_an_image_classifier_sends_its_confusion_matrix():
    s = trained({"data": {"dataset": "digits", "samples": 300}}, 1)
    out = summarize(s)
    assert out["output"]["kind"] == "confusion"
    matrix = decoded(out["output"]["arrays"]["confusion"])
    expected: dict = {}
    image_frames.confusion(s, expected, {})
    np.testing.assert_array_equal(matrix, expected["confusion"])
    assert matrix.sum() == len(s.splits["test"])
    assert out["history"]["train_accuracy"][-1] is not None
    assert len(as_json(out)) < MAX_BYTES


@pytest.mark.parametrize("raw, kind, names", [
    ({"data": {"dataset": "sine-wave"}}, "series", {"series_input", "series_target",
                                                    "series_prediction", "forecast", "forecast_truth"}),
    ({"data": {"dataset": "text"}}, "text", set()),
    ({"data": {"dataset": "recall", "seq_length": 10}}, "none", set()),
    ({"data": {"dataset": "iris"}, "model": {"task": "autoencoder"}}, "none", set()),
])
def test_other_models_send_their_main_output(raw, kind, names):
    s = Session(parse_spec(raw))
    out = summarize(s)["output"]
    assert out["kind"] == kind and set(out["arrays"]) == names
    if kind == "text":
        expected = snapshot(s, views=frozenset({"text"}), options=TEXT_OPTIONS).scalars["text"]
        assert out["text"] == expected and out["text"]["sample"]


def test_a_recorded_frame_gives_the_live_output():
    """A saved run is drawn from its last recorded frame: the same arrays as live."""
    for raw in (XOR, {"data": {"dataset": "digits", "samples": 300}}, {"data": {"dataset": "sine-wave"}},
                {"data": {"dataset": "text"}}):
        s = trained(raw, 2)
        recording = Recording()
        recording.capture(s)
        frame = recording.frames[-1]
        spec = s.spec.to_dict()
        assert output_of(spec, frame.arrays, frame.scalars) == summarize(s)["output"], raw


def test_a_diverged_run_travels_as_json():
    spec = {"data": {"dataset": "plane", "samples": 100},
            "model": {"layers": [{"units": 8, "activation": "relu"}] * 2},
            "training": {"learning_rate": 10, "batch_size": 1}}
    s = Session(parse_spec(spec))
    s.train_epoch()
    out = summarize(s)
    assert out["status"] == "diverged" and out["message"]
    as_json(out)


@pytest.mark.parametrize("spec, kind", [
    ({"data": {"dataset": "moons"}}, "map"),
    ({"data": {"dataset": "fashion-mnist"}}, "confusion"),
    ({"data": {"dataset": "two-sines"}}, "series"),
    ({"data": {"dataset": "no-such-set"}}, "none"),
    ({}, "none"),
])
def test_output_kind_reads_a_spec_that_may_be_old(spec, kind):
    assert output_kind(spec) == kind
