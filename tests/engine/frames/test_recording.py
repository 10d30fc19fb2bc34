"""A run's recording: bounded, spread over the epochs, showing what the family's views show."""
import numpy as np

from engine.frames import recording as recording_module

from engine.frames.recording import Recording
from engine.spec.parse import parse_spec
from engine.training.session import Session


def test_recording_spreads_a_long_run_over_few_frames(monkeypatch):
    monkeypatch.setattr(recording_module, "MAX_FRAMES", 5)
    s, rec = Session(parse_spec({"data": {"samples": 40}, "training": {"batch_size": 40}})), Recording()
    rec.capture(s)
    for _ in range(20):
        s.train_epoch()
        rec.capture(s)
    epochs = [f.epoch for f in rec.frames]
    assert len(epochs) <= 5 and epochs[0] == 0 and rec.stride == 8
    assert epochs == sorted(epochs) and all(e % rec.stride == 0 for e in epochs)
    first, last = rec.frames[0].arrays["output"], rec.frames[-1].arrays["output"]
    assert first.shape == (100, 100) and not np.array_equal(first, last)
    assert "train_x" in rec.frames[0].arrays and "train_x" not in rec.frames[-1].arrays
    assert {"weight.0", "bias.2", "neurons"} <= set(rec.frames[-1].arrays)
    assert not rec.capture(s)                   # the same epoch twice: nothing new


def test_image_frames_hold_filters_and_confusion():
    s, rec = Session(parse_spec({"data": {"dataset": "digits", "samples": 300}})), Recording()
    s.train_epoch()
    assert rec.capture(s)
    arrays = rec.frames[0].arrays
    assert "filters.0" in arrays and arrays["confusion"].shape == (10, 10)
