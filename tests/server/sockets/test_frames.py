"""Frames as a client receives them: history sent once, paced by fps and acks, what a view
asks for, strict JSON."""
from __future__ import annotations

import json
import numpy as np
import pytest
from server.trainers.trainer import ACK_TIMEOUT_S

from serverkit import DIVERGING, TF_INPUTS, TF_UNITS, array, error_paths, play_and_collect




def test_play_advances_epochs_and_sends_each_history_entry_once(opened, trainer):
    assert opened.call("play") == {"ok": True, "status": "playing"}
    frames = play_and_collect(opened, trainer, 20)        # a frame every ~3 ticks at 20 fps
    assert len(frames) >= 5
    assert frames[-1]["status"] == "playing" and frames[-1]["epoch"] >= 3
    sent = 0
    epochs = []
    for frame in frames:
        h = frame["history"]
        assert h["start"] == sent, "history.start must equal what was sent before"
        n = len(h["epoch"])
        assert all(len(h[k]) == n for k in ("train_loss", "test_loss", "train_accuracy",
                                            "test_accuracy"))
        sent += n
        epochs += h["epoch"]
    assert epochs == list(range(1, frames[-1]["epoch"] + 1))      # each once, in order
    seqs = [f["seq"] for f in frames]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert frames[-1]["step"] > frames[0]["step"]


def test_no_frame_while_the_last_one_is_unacknowledged(opened, trainer, clock):
    opened.call("play")
    for _ in range(10):
        trainer.tick()
    assert len(opened.frames()) == 1
    assert trainer.entries[opened.session_id].session.epoch > 0       # it did train


def test_frames_are_paced_by_fps_and_acks(opened, runner, trainer, clock, monkeypatch):
    entry = trainer.entries[opened.session_id]
    monkeypatch.setattr(entry.session, "train_for", lambda seconds, clock: 0)
    clock.step = 0.0
    interval = 1.0 / runner.fps
    opened.call("play")
    trainer.tick()
    assert opened.frames() == [], "a frame before 1/fps had passed"
    clock.advance(interval + 1e-6)
    trainer.tick()
    first = opened.frame()
    clock.advance(1.0)                        # long past 1/fps, but not acknowledged
    for _ in range(5):
        trainer.tick()
    assert opened.frames() == []
    opened.send("frame_ack", {"session_id": opened.session_id, "seq": first["seq"] - 1})
    trainer.tick()
    assert opened.frames() == [], "an ack of an older frame released the next one"
    opened.ack(first)
    trainer.tick()
    second = opened.frame()
    assert second["seq"] == first["seq"] + 1
    opened.ack(second)
    trainer.tick()
    assert opened.frames() == [], "acknowledged, but 1/fps had not passed"
    clock.advance(interval * 0.9)
    trainer.tick()
    assert opened.frames() == []
    clock.advance(interval * 0.2)
    trainer.tick()
    assert opened.frame()["seq"] == second["seq"] + 1


def test_frames_keep_the_fps_cadence_when_slices_end_late(opened, runner, trainer, clock, monkeypatch):
    """A frame goes out after the slice in which it fell due, a little late; the next one is
    still due one interval after the first was, so a client that acks at once gets fps frames
    a second, not fewer."""
    entry = trainer.entries[opened.session_id]
    interval = 1.0 / runner.fps
    monkeypatch.setattr(entry.session, "train_for", lambda seconds, clock: clock.advance(0.4 * interval))
    monkeypatch.setattr(trainer, "frame_share", float("inf"))   # frames cost no training time
    clock.step = 0.0
    opened.call("play")
    frames = 0
    seconds = 3.0
    while clock.now < seconds:
        trainer.tick()
        for frame in opened.frames():
            opened.ack(frame)
            frames += 1
    assert frames >= seconds * runner.fps - 1


def test_a_lost_ack_does_not_freeze_the_client(opened, trainer, clock, monkeypatch):
    entry = trainer.entries[opened.session_id]
    monkeypatch.setattr(entry.session, "train_for", lambda seconds, clock: 0)
    clock.step = 0.0
    opened.call("play")
    clock.advance(1.0)
    trainer.tick()
    first = opened.frame()
    clock.advance(ACK_TIMEOUT_S / 2)
    trainer.tick()
    assert opened.frames() == []
    clock.advance(ACK_TIMEOUT_S)
    trainer.tick()
    assert opened.frame()["seq"] == first["seq"] + 1


def test_view_focus_sends_the_full_size_map(opened):
    n = TF_INPUTS + sum(TF_UNITS)
    assert opened.call("view", focus=n - 1)["ok"]
    frame = opened.frame()
    focus = array(frame, "focus")
    assert focus.shape == (100, 100) and focus.dtype == np.uint8
    opened.call("step", unit="batch")
    assert "focus" in opened.frame()["arrays"]                # it stays on
    # inputs first: x1 spans the columns (column 0 is x1 = -6), x2 the rows (row 0 is x2 = +6)
    opened.call("view", focus=0)
    x1 = array(opened.frame(), "focus")
    assert (x1[:, 0] == 0).all() and (x1[:, -1] == 255).all() and (x1 == x1[0]).all()
    opened.call("view", focus=1)
    x2 = array(opened.frame(), "focus")
    assert (x2[0] == 255).all() and (x2[-1] == 0).all()
    assert opened.call("view", focus=None)["ok"]
    assert "focus" not in opened.frame()["arrays"]


@pytest.mark.parametrize("focus", [TF_INPUTS + sum(TF_UNITS), -1, "1", True, [0]])
def test_view_with_a_bad_focus(opened, focus):
    paths = error_paths(opened.call("view", focus=focus))
    assert list(paths) == ["focus"] and "0 to 10" in paths["focus"]


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def test_a_diverged_frame_is_strict_json(sock, runner):
    sock.open(spec=DIVERGING)
    sock.call("step", unit="epoch")
    frame = sock.frames()[-1]
    assert frame["status"] == "diverged"
    scalars = {k: v for k, v in frame.items() if k not in ("arrays", "blob")}
    json.loads(json.dumps(scalars), parse_constant=_reject_constant)
