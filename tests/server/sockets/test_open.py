"""Opening a session over the socket: the answer, the first frame, and every refusal."""
from __future__ import annotations

import numpy as np
from server import socketio
from server.specs import resolve

from serverkit import (BAD_SPEC, N_TRAIN, TF_HASH, TF_INPUTS, TF_UNITS, Browser, array,
                      check_bad_spec_errors, error_paths)




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


def test_open_with_bad_values_creates_no_session(sock, trainer):
    check_bad_spec_errors(sock.call("open", {"spec": BAD_SPEC}))
    paths = error_paths(sock.call("open", {"hash": "#batchSize=0&learningRate=abc"}))
    assert "minimum 1" in paths["training.batch_size"]
    assert "training.learning_rate" in paths
    assert trainer.entries == {} and sock.frames() == []


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


def test_a_sequence_session_opens_with_its_layer_plan(sock):
    answer = sock.call("open", {"spec": {"data": {"dataset": "sine-wave"}}})
    assert answer["ok"], answer
    assert answer["plan"][0]["out_shape"] == [20, 16]          # an LSTM over 20 steps
    assert answer["plan"][-1]["out_shape"] == [20, 1]           # the next value at every step
