"""The Socket.IO protocol (docs/protocol.md section 3) as a browser sees it.

Training is driven by `trainer.tick()` under a fake clock (conftest.py): no sleeps, no threads.
"""
from __future__ import annotations

import json

import numpy as np
import pytest


from serverkit import DIVERGING, TF_HASH, TF_INPUTS, TF_UNITS, Browser, array
from engine.data.registry import DATASETS
from server import socketio
from server.specs import resolve
from server.trainers.trainer import ACK_TIMEOUT_S

NO_SUCH_SESSION = "no such session"
N_TRAIN = 250           # the TF link: 500 xor points, 50 % for training
BATCHES_PER_EPOCH = N_TRAIN // 10


def weights(frame: dict) -> dict[str, bytes]:
    return {k: v["data"] for k, v in frame["arrays"].items() if k.startswith(("weight.", "bias."))}


def play_and_collect(sock, trainer, ticks: int) -> list[dict]:
    """Tick `ticks` times, acknowledging every frame as a page does; the frames, in order."""
    got = []
    for _ in range(ticks):
        trainer.tick()
        for frame in sock.frames():
            got.append(frame)
            sock.ack(frame)
    return got


def tick_until_frame(sock, trainer, max_ticks: int = 10) -> dict:
    """Tick until a frame arrives (at 20 fps a frame is due every few ticks); that frame."""
    for _ in range(max_ticks):
        trainer.tick()
        got = sock.frames()
        if got:
            assert len(got) == 1, got
            return got[0]
    raise AssertionError(f"no frame in {max_ticks} ticks")


def error_paths(answer: dict) -> dict[str, str]:
    assert answer["ok"] is False, answer
    assert answer["errors"], answer
    for e in answer["errors"]:
        assert isinstance(e["path"], str) and isinstance(e["message"], str), e
    return {e["path"]: e["message"] for e in answer["errors"]}


def assert_no_such_session(answer: dict) -> None:
    paths = error_paths(answer)
    assert list(paths) == ["session_id"], answer
    assert NO_SUCH_SESSION in paths["session_id"]


# ---- open and the first frame ---------------------------------------------------------------

def test_open_tf_hash_returns_id_normalised_spec_and_hash(sock):
    answer = sock.open(hash=TF_HASH)
    assert isinstance(answer["session_id"], str) and len(answer["session_id"]) >= 20
    spec = answer["spec"]
    assert spec["data"]["dataset"] == "xor"
    assert spec["data"]["features"] == ["x1", "x2", "x1x2"]
    assert [(l["units"], l["activation"]) for l in spec["model"]["layers"]] == \
        [(5, "tanh"), (3, "tanh")]
    assert spec["data"]["seed"] == spec["training"]["seed"] == 12345     # TF seed 0.12345
    assert spec["data"]["samples"] == 500                              # filled in
    # the hash is the normalised spec's: it resolves to the same spec
    assert resolve({"hash": answer["hash"]}).spec == spec
    assert answer["status"] == "paused" and answer["epoch"] == 0 and answer["step"] == 0


def test_open_sends_a_first_frame_with_the_maps_and_weights(sock):
    answer = sock.open(hash=TF_HASH)
    frame = sock.frame()
    assert frame["session_id"] == answer["session_id"]
    assert frame["seq"] == 1 and frame["status"] == "paused" and frame["epoch"] == 0
    assert frame["device"] == "cpu"
    out = frame["arrays"]["output"]
    assert out["shape"] == [100, 100] and out["dtype"] == "uint8"
    assert isinstance(out["data"], bytes) and len(out["data"]) == 10000
    neurons = array(frame, "neurons")
    assert neurons.shape == (TF_INPUTS + sum(TF_UNITS), 16, 16) and neurons.dtype == np.uint8
    sizes = [TF_INPUTS, *TF_UNITS, 1]
    for i in range(len(sizes) - 1):
        w, b = array(frame, f"weight.{i}"), array(frame, f"bias.{i}")
        assert w.shape == (sizes[i + 1], sizes[i]) and w.dtype == np.float32
        assert b.shape == (sizes[i + 1],)
    assert f"weight.{len(sizes) - 1}" not in frame["arrays"]
    # the data travels with the first frame (the page has none yet), as [n, 2] points
    assert array(frame, "train_x").shape == (N_TRAIN, 2)
    assert array(frame, "test_y").shape == (500 - N_TRAIN,)
    assert frame["history"]["start"] == 0 and frame["history"]["epoch"] == []
    assert 0 <= frame["metrics"]["train_accuracy"] <= 1


def test_open_with_a_spec_and_default(sock, trainer):
    answer = sock.call("open", {"spec": {"data": {"dataset": "sine"}}})
    assert answer["ok"] and answer["spec"]["data"]["features"] == ["x1"]
    frame = sock.frame()
    assert array(frame, "curve").shape == (100,)          # 1-D dataset: the prediction curve
    assert sock.call("open", {})["spec"] == resolve({}).spec
    assert len(trainer.entries) == 2


# ---- playing, frames and acknowledgements ---------------------------------------------------

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


def test_pause_stops_training(opened, runner, trainer):
    opened.call("play")
    play_and_collect(opened, trainer, 2)
    answer = opened.call("pause")
    assert answer["ok"] and answer["status"] == "paused"
    frame = opened.frame()
    assert frame["status"] == "paused"
    assert trainer.tick() == 0
    assert opened.frames() == []
    assert trainer.entries[opened.session_id].session.epoch == frame["epoch"]


# ---- step, reset ----------------------------------------------------------------------------

def test_step_epoch(opened):
    answer = opened.call("step", unit="epoch")
    assert answer["ok"] and answer["epoch"] == 1 and answer["step"] == BATCHES_PER_EPOCH
    frame = opened.frame()
    assert frame["epoch"] == 1 and frame["status"] == "paused"
    assert frame["history"]["start"] == 0 and frame["history"]["epoch"] == [1]
    assert len(frame["history"]["train_loss"]) == 1
    opened.call("step", unit="epoch")
    frame = opened.frame()
    assert frame["history"]["start"] == 1 and frame["history"]["epoch"] == [2]


def test_step_batch(opened):
    answer = opened.call("step", unit="batch")
    assert answer["ok"] and answer["step"] == 1 and answer["epoch"] == 0
    frame = opened.frame()
    assert frame["step"] == 1 and frame["epoch"] == 0 and frame["history"]["epoch"] == []


def test_step_pauses_a_playing_session(opened, runner, trainer):
    opened.call("play")
    play_and_collect(opened, trainer, 1)
    answer = opened.call("step", unit="batch")
    assert answer["status"] == "paused"
    assert trainer.tick() == 0


def test_step_with_an_unknown_unit(opened):
    paths = error_paths(opened.call("step", unit="minute"))
    assert "epoch, batch" in paths["unit"]
    assert opened.frames() == []


def test_reset_restores_the_starting_weights(sock, trainer):
    sock.open(hash=TF_HASH)
    start = sock.frame()
    for _ in range(2):
        sock.call("step", unit="epoch")
    trained = sock.frames()[-1]
    assert weights(trained) != weights(start)
    sock.call("play")
    trainer.tick()
    answer = sock.call("reset")
    assert answer["ok"] and answer["epoch"] == 0 and answer["step"] == 0
    assert answer["status"] == "paused"
    frame = sock.frames()[-1]
    assert frame["epoch"] == 0 and frame["step"] == 0
    assert weights(frame) == weights(start)
    assert frame["arrays"]["weight.0"]["data"] == start["arrays"]["weight.0"]["data"]
    assert frame["history"] == start["history"]            # start 0, nothing in it
    assert trainer.tick() == 0


# ---- configure ------------------------------------------------------------------------------

def test_configure_a_live_field_keeps_the_training(opened, trainer):
    opened.call("step", unit="epoch")
    before = opened.frame()
    spec = resolve({"hash": TF_HASH}).spec
    spec["training"]["learning_rate"] = 0.1
    spec["training"]["batch_size"] = 5
    answer = opened.call("configure", spec=spec)
    assert answer["ok"] and answer["reset"] is False, answer
    assert answer["epoch"] == 1
    assert answer["spec"]["training"]["learning_rate"] == 0.1
    assert "learningRate=0.1&" in answer["hash"]
    assert trainer.entries[opened.session_id].session.optimizer.lr == 0.1     # applied live
    frame = opened.frame()
    assert frame["epoch"] == 1 and weights(frame) == weights(before)
    assert frame["history"]["epoch"] == [] and frame["history"]["start"] == 1
    step = opened.call("step", unit="epoch")
    assert step["epoch"] == 2
    assert step["step"] == BATCHES_PER_EPOCH + N_TRAIN // 5      # the new batch size applies


def test_configure_view_fields_keeps_the_training(opened):
    opened.call("step", unit="epoch")
    spec = resolve({"hash": TF_HASH}).spec
    spec["view"]["show_test_data"] = True
    spec["view"]["hidden"] = ["noise"]
    answer = opened.call("configure", spec=spec)
    assert answer["ok"] and answer["reset"] is False and answer["epoch"] == 1


def test_configure_a_new_layer_resets(opened):
    opened.call("step", unit="epoch")
    opened.frames()
    spec = resolve({"hash": TF_HASH}).spec
    spec["model"]["layers"].append({"kind": "dense", "units": 2, "activation": "relu"})
    answer = opened.call("configure", spec=spec)
    assert answer["ok"] and answer["reset"] is True
    assert answer["epoch"] == 0 and answer["step"] == 0
    frame = opened.frame()
    assert frame["epoch"] == 0
    assert frame["history"]["start"] == 0 and frame["history"]["epoch"] == []
    assert array(frame, "neurons").shape[0] == TF_INPUTS + sum(TF_UNITS) + 2
    assert array(frame, "weight.3").shape == (1, 2)
    assert "train_x" not in frame["arrays"]                  # same data: not sent again


def test_configure_new_data_resends_the_data(opened):
    spec = resolve({"hash": TF_HASH}).spec
    spec["data"]["noise"] = 30
    answer = opened.call("configure", spec=spec)
    assert answer["ok"] and answer["reset"] is True
    frame = opened.frame()
    assert array(frame, "train_x").shape == (N_TRAIN, 2)
    assert frame["data_version"] == 2


BAD_SPEC = {"data": {"dataset": "nope"},
            "training": {"batch_size": 0, "learning_rate": "abc"},
            "colour": "red"}


def check_bad_spec_errors(answer: dict) -> None:
    paths = error_paths(answer)
    assert set(paths) == {"data.dataset", "training.batch_size", "training.learning_rate",
                          "colour"}, paths
    for path, message in paths.items():
        assert message.startswith(path + ":"), message
    assert "minimum 1" in paths["training.batch_size"]
    assert "1e-05 to 10" in paths["training.learning_rate"]
    assert all(name in paths["data.dataset"] for name in DATASETS)
    assert "unknown" in paths["colour"]


def test_configure_with_bad_values_lists_every_error_and_changes_nothing(opened, trainer):
    opened.call("step", unit="epoch")
    opened.frames()
    check_bad_spec_errors(opened.call("configure", spec=BAD_SPEC))
    assert opened.frames() == []
    session = trainer.entries[opened.session_id].session
    assert session.epoch == 1 and session.spec.data.dataset == "xor"


def test_open_with_bad_values_creates_no_session(sock, trainer):
    check_bad_spec_errors(sock.call("open", {"spec": BAD_SPEC}))
    paths = error_paths(sock.call("open", {"hash": "#batchSize=0&learningRate=abc"}))
    assert "minimum 1" in paths["training.batch_size"]
    assert "training.learning_rate" in paths
    assert trainer.entries == {} and sock.frames() == []


@pytest.mark.parametrize("payload", [{}, {"spec": None}], ids=["missing", "null"])
def test_configure_without_a_spec_is_refused(opened, trainer, payload):
    opened.call("step", unit="epoch")
    answer = opened.call("configure", {"session_id": opened.session_id, **payload})
    assert answer["ok"] is False
    assert trainer.entries[opened.session_id].session.spec.data.dataset == "xor"


# ---- regenerate -----------------------------------------------------------------------------

def test_regenerate_keeps_the_weights_and_sends_new_data(sock, trainer):
    sock.open(hash=TF_HASH)
    start = sock.frame()
    sock.call("step", unit="epoch")
    trained = sock.frame()
    # no acknowledgement asked for: see test_regenerate_answers_the_new_seed
    sock.send("regenerate", {"session_id": sock.session_id})
    frame = sock.frame()
    assert weights(frame) == weights(trained) and frame["epoch"] == 1
    assert frame["data_version"] == start["data_version"] + 1
    assert array(frame, "train_x").shape == array(start, "train_x").shape
    assert not np.array_equal(array(frame, "train_x"), array(start, "train_x"))
    session = trainer.entries[sock.session_id].session
    assert session.spec.data.seed != 12345 and session.spec.training.seed == 12345


def test_regenerate_answers_the_new_seed(opened):
    answer = opened.call("regenerate")
    assert answer["ok"] and set(answer) >= {"spec", "hash", "status"}
    assert "parsed" not in answer
    seed = answer["spec"]["data"]["seed"]
    assert seed != 12345 and answer["spec"]["training"]["seed"] == 12345
    assert f"seed={seed}&" in answer["hash"]
    assert resolve({"hash": answer["hash"]}).spec == answer["spec"]


# ---- editing weights, focus -----------------------------------------------------------------

def test_set_weight_changes_exactly_that_weight(sock):
    sock.open(hash=TF_HASH)
    start = sock.frame()
    # layer 1 maps the 5 units of hidden layer 0 to the 3 of hidden layer 1
    answer = sock.call("set_weight", layer=1, to=2, **{"from": 4}, value=0.75)
    assert answer["ok"], answer
    frame = sock.frame()
    w, w0 = array(frame, "weight.1"), array(start, "weight.1").copy()
    assert w[2, 4] == np.float32(0.75)
    w0[2, 4] = 0.75
    assert np.array_equal(w, w0)
    for name, data in weights(start).items():
        if name != "weight.1":
            assert frame["arrays"][name]["data"] == data, name


def test_set_bias_changes_exactly_that_bias(sock):
    sock.open(hash=TF_HASH)
    start = sock.frame()
    assert sock.call("set_bias", layer=2, unit=0, value=-0.5)["ok"]
    frame = sock.frame()
    assert array(frame, "bias.2")[0] == np.float32(-0.5)
    for name, data in weights(start).items():
        if name != "bias.2":
            assert frame["arrays"][name]["data"] == data, name


GOOD_EDIT = {"layer": 1, "to": 2, "from": 4, "value": 0.5}


@pytest.mark.parametrize("change, path, words", [
    ({"layer": 3}, "layer", "0 to 2"),
    ({"layer": -1}, "layer", "0 to 2"),
    ({"layer": "0"}, "layer", "'0'"),
    ({"layer": True}, "layer", "True"),
    ({"layer": 1.0}, "layer", "0 to 2"),
    ({"to": 3}, "to", "0 to 2"),
    ({"from": 5}, "from", "0 to 4"),
    ({"from": None}, "from", "None"),
    ({"value": "abc"}, "value", "'abc'"),
    ({"value": None}, "value", "None"),
    ({"value": [1]}, "value", "[1]"),
    ({"value": 1e7}, "value", "1e+06"),
    ({"value": float("nan")}, "value", "nan"),
    ({"value": 10**90}, "value", "1e+06"),     # python-socketio refuses >100-digit ints itself
])
def test_set_weight_with_bad_fields_names_the_field(opened, trainer, change, path, words):
    before = trainer.entries[opened.session_id].session.model.weight(1).clone()
    paths = error_paths(opened.call("set_weight", **{**GOOD_EDIT, **change}))
    assert list(paths) == [path]
    assert paths[path].startswith(path + ":") and words in paths[path], paths
    assert opened.frames() == []
    assert trainer.entries[opened.session_id].session.model.weight(1).equal(before)


@pytest.mark.parametrize("change, path", [({"unit": 3}, "unit"), ({"layer": 3}, "layer"),
                                          ({"value": "x"}, "value")])
def test_set_bias_with_bad_fields_names_the_field(opened, change, path):
    paths = error_paths(opened.call("set_bias", **{"layer": 1, "unit": 0, "value": 1.0,
                                                   **change}))
    assert list(paths) == [path]


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


# ---- divergence -----------------------------------------------------------------------------

def test_divergence_stops_training_and_refuses_play(sock, trainer):
    sock.open(spec=DIVERGING)
    sock.ack(sock.frame())
    assert sock.call("play")["ok"]
    frames = []
    for _ in range(10):
        trainer.tick()
        frames += sock.frames()
        if frames and frames[-1]["status"] == "diverged":
            break
        for f in frames[-1:]:
            sock.ack(f)
    last = frames[-1]
    assert last["status"] == "diverged", [f["status"] for f in frames]
    assert "lower the learning rate" in last["message"]
    assert trainer.tick() == 0                               # nothing plays any more
    paths = error_paths(sock.call("play"))
    assert "lower the learning rate" in paths["status"]
    assert trainer.entries[sock.session_id].session.status == "diverged"
    # a reset lets it play again
    assert sock.call("reset")["status"] == "paused"
    assert sock.call("play")["ok"]


# ---- ownership and isolation ----------------------------------------------------------------

SESSION_EVENTS = [
    ("open", {}), ("configure", {"spec": {}}), ("play", {}), ("pause", {}), ("reset", {}),
    ("regenerate", {}), ("step", {"unit": "epoch"}), ("view", {"focus": 0}),
    ("set_weight", {"layer": 0, "to": 0, "from": 0, "value": 1.0}),
    ("set_bias", {"layer": 0, "unit": 0, "value": 1.0}),
]


@pytest.mark.parametrize("event, fields", SESSION_EVENTS, ids=[e for e, _ in SESSION_EVENTS])
def test_another_browser_cannot_touch_a_session(app, opened, trainer, event, fields):
    other = Browser(app).socket()
    theirs = other.call(event, {"session_id": opened.session_id, **fields})
    assert_no_such_session(theirs)
    # indistinguishable from an id that does not exist
    assert theirs == other.call(event, {"session_id": "x" * 22, **fields})
    session = trainer.entries[opened.session_id].session
    assert session.status == "paused" and session.epoch == 0 and session.step == 0
    assert other.frames() == [] and opened.frames() == []


def test_another_browser_never_receives_frames_nor_releases_them(app, opened, runner, trainer):
    other = Browser(app).socket()
    other.open(hash=TF_HASH)
    other.ack(other.frame())
    opened.call("play")
    mine = tick_until_frame(opened, trainer)
    other.ack(mine)                          # the other browser acks my frame: no effect
    other.send("frame_ack", {"session_id": opened.session_id, "seq": mine["seq"]})
    for _ in range(3):
        trainer.tick()
    assert opened.frames() == []
    opened.call("step", unit="epoch")
    opened.call("view", focus=0)
    assert len(opened.frames()) == 2
    assert other.frames() == []
    assert trainer.entries[other.session_id].session.epoch == 0


def test_a_second_socket_of_the_same_browser_may_use_the_session(visitor, opened):
    tab = visitor.socket()
    answer = tab.call("step", {"session_id": opened.session_id, "unit": "epoch"})
    assert answer["ok"] and answer["epoch"] == 1


# ---- disconnect and re-attach ---------------------------------------------------------------

def test_disconnect_pauses_and_the_same_browser_reattaches(visitor, opened, runner, trainer):
    opened.call("step", unit="epoch")
    opened.frames()
    opened.call("play")
    play_and_collect(opened, trainer, 1)
    sid = opened.session_id
    opened.disconnect()
    entry = trainer.entries[sid]
    assert entry.session.status == "paused" and entry.sid is None
    assert trainer.tick() == 0
    epoch = entry.session.epoch

    again = visitor.socket()
    # no acknowledgement asked for: see test_reattach_answers_the_spec
    again.send("open", {"session_id": sid})
    frame = again.frame()
    assert frame["session_id"] == sid and frame["epoch"] == epoch
    assert frame["history"]["start"] == 0                   # the new page gets it all
    assert frame["history"]["epoch"] == list(range(1, epoch + 1))
    assert array(frame, "train_x").shape == (N_TRAIN, 2)
    again.session_id = sid
    again.ack(frame)
    assert again.call("play")["ok"]
    assert play_and_collect(again, trainer, 6)
    assert entry.session.epoch > epoch


def test_reattach_answers_the_spec(visitor, opened):
    first = resolve({"hash": TF_HASH})
    opened.disconnect()
    again = visitor.socket()
    answer = again.call("open", {"session_id": opened.session_id})
    assert answer["ok"] and answer["session_id"] == opened.session_id
    assert answer["spec"] == first.spec and answer["hash"] == first.hash
    assert "parsed" not in answer


def test_detached_sessions_expire(visitor, opened, runner, trainer, clock):
    sid = opened.session_id
    opened.disconnect()
    clock.advance(runner.detached_ttl - 5)
    runner._reap()
    assert sid in trainer.entries
    clock.advance(10)
    runner._reap()
    assert sid not in trainer.entries
    assert_no_such_session(visitor.socket().call("play", {"session_id": sid}))


# ---- robustness -----------------------------------------------------------------------------

NOT_OBJECTS = [None, [], [1, {"a": 2}], "open", 42, 3.5, True]
BAD_IDS = [{"session_id": None}, {"session_id": ["x"]}, {"session_id": {"$ne": None}},
           {"session_id": 12}, {"session_id": "x" * 10000}, {"session_id": ""}]
EVENTS = [e for e, _ in SESSION_EVENTS if e != "open"]


def check_refused(answer) -> None:
    paths = error_paths(answer)
    assert all(m != "internal server error" for m in paths.values()), answer


@pytest.mark.parametrize("event", EVENTS)
def test_malformed_payloads_are_refused(opened, trainer, event):
    for payload in NOT_OBJECTS + BAD_IDS:          # one app for them all: keeps the suite fast
        answer = opened.client.emit(event, payload, callback=True)
        check_refused(answer)
        if payload is None or isinstance(payload, dict):
            assert_no_such_session(answer)
        else:
            assert error_paths(answer) == {"": "payload: must be an object"}, answer
    assert trainer.entries[opened.session_id].session.epoch == 0
    assert opened.frames() == []


JUNK_SPECS = [
    {"hash": "a" * 8001},
    {"hash": 5},
    {"hash": None},
    {"hash": ["#dataset=xor"]},
    {"hash": "#batchSize=abc&networkShape=a,b&activation=nope"},
    {"spec": "junk"},
    {"spec": [1, 2]},
    {"spec": 7},
    {"spec": {"data": "x"}},
    {"spec": {"data": {"dataset": {"deep": [1, {"x": None}]}}}},
    {"spec": {"data": {"dataset": ["xor"]}}},
    {"spec": {"data": {"features": [1, None]}}},
    {"spec": {"data": {"features": "x1"}}},
    {"spec": {"model": {"layers": "x"}}},
    {"spec": {"model": {"layers": [None, 3, {"units": "x", "activation": ["relu"]}]}}},
    {"spec": {"model": {"layers": [{"units": 4}] * 20}}},
    {"spec": {"model": {"layers": [{"units": 4, "kind": {"a": 1}}]}}},
    {"spec": {"view": {"hidden": {"a": 1}}}},
    {"spec": {"version": [1]}},
    {"spec": {"training": {"learning_rate": float("nan"), "batch_size": float("inf")}}},
    {"spec": {"training": {"batch_size": 2.5, "seed": -1}}},
    {"spec": {"data": {"classes": 9, "samples": True}}},
]


def test_junk_specs_are_refused_by_open_and_configure(opened, trainer):
    for payload in JUNK_SPECS:
        check_refused(opened.call("open", payload))
        assert list(trainer.entries) == [opened.session_id], payload
        check_refused(opened.call("configure", {"session_id": opened.session_id, **payload}))
        assert trainer.entries[opened.session_id].session.spec.data.dataset == "xor", payload
    assert opened.frames() == []


def test_a_huge_hash_names_the_limit(sock):
    paths = error_paths(sock.call("open", {"hash": "#" + "x" * 9000}))
    assert "8000 characters" in paths["hash"]


def test_a_huge_integer_in_a_spec_is_a_range_error(sock):
    paths = error_paths(sock.call("open", {"spec": {"training": {"batch_size": 10**90}}}))
    assert "maximum 1000" in paths["training.batch_size"]


@pytest.mark.parametrize("payload", [[], "open", 42], ids=repr)
def test_open_refuses_a_payload_that_is_not_an_object(sock, trainer, payload):
    check_refused(sock.client.emit("open", payload, callback=True))
    assert trainer.entries == {}


def test_frame_ack_with_junk_is_ignored(opened, runner, trainer):
    for payload in NOT_OBJECTS + BAD_IDS + [{"session_id": opened.session_id, "seq": "x"}]:
        opened.send("frame_ack", payload)
    opened.call("play")
    tick_until_frame(opened, trainer)
    for _ in range(5):
        trainer.tick()
    assert opened.frames() == []            # junk acks released nothing


# ---- limits ---------------------------------------------------------------------------------

def test_per_browser_session_limit(make_app):
    app = make_app(MAX_SESSIONS_PER_OWNER=2)
    trainer = app.extensions["runner"].trainers[0].trainer
    browser = Browser(app)
    sock = browser.socket()
    first = sock.open()["session_id"]
    sock.open()
    answer = sock.call("open", {})
    paths = error_paths(answer)
    assert "already has 2 sessions" in paths[""], answer
    assert len(trainer.entries) == 2
    assert Browser(app).socket().call("open", {})["ok"]       # another browser may
    # after a reconnect the browser's oldest detached session makes room
    sock.disconnect()
    again = browser.socket()
    assert again.call("open", {})["ok"]
    assert first not in trainer.entries
    assert_no_such_session(again.call("play", {"session_id": first}))


def test_server_session_limit(make_app):
    app = make_app(MAX_SESSIONS=1)
    Browser(app).socket().open()
    paths = error_paths(Browser(app).socket().call("open", {}))
    assert "full" in paths[""]


# ---- the app factory ------------------------------------------------------------------------

def test_each_app_gets_its_own_runner_and_handlers(make_app):
    """`socketio` is a module-level singleton: a second create_app must rewire it."""
    first, second = make_app(), make_app()
    assert first.extensions["runner"] is not second.extensions["runner"]
    sock = Browser(second).socket()
    sid = sock.open(hash=TF_HASH)["session_id"]
    assert list(second.extensions["runner"].trainers[0].trainer.entries) == [sid]
    assert first.extensions["runner"].trainers[0].trainer.entries == {}
    assert sock.frame()["session_id"] == sid
    assert socketio.server is not None


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def test_a_diverged_frame_is_strict_json(sock, runner):
    sock.open(spec=DIVERGING)
    sock.call("step", unit="epoch")
    frame = sock.frames()[-1]
    assert frame["status"] == "diverged"
    scalars = {k: v for k, v in frame.items() if k not in ("arrays", "blob")}
    json.loads(json.dumps(scalars), parse_constant=_reject_constant)


def test_a_sequence_session_opens_with_its_layer_plan(sock):
    answer = sock.call("open", {"spec": {"data": {"dataset": "sine-wave"}}})
    assert answer["ok"], answer
    assert answer["plan"][0]["out_shape"] == [20, 16]          # an LSTM over 20 steps
    assert answer["plan"][-1]["out_shape"] == [20, 1]           # the next value at every step
