"""The training controls: pause, step, reset, configure, regenerate, and divergence."""
from __future__ import annotations

import numpy as np
import pytest
from server.specs import resolve

from serverkit import (BAD_SPEC, BATCHES_PER_EPOCH, DIVERGING, N_TRAIN, TF_HASH, TF_INPUTS,
                      TF_UNITS, Browser, array, check_bad_spec_errors, error_paths,
                      play_and_collect, weights)





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


def test_reset_draws_new_starting_weights_from_the_next_seed(sock, trainer):
    opened = sock.open(hash=TF_HASH)
    start = sock.frame()
    for _ in range(2):
        sock.call("step", unit="epoch")
    sock.call("play")
    trainer.tick()
    answer = sock.call("reset")
    assert answer["ok"] and answer["epoch"] == 0 and answer["step"] == 0
    assert answer["status"] == "paused"
    seed = answer["spec"]["training"]["seed"]
    assert seed != opened["spec"]["training"]["seed"] and f"trainSeed={seed}" in answer["hash"]
    frame = sock.frames()[-1]
    assert frame["epoch"] == 0 and frame["history"] == start["history"]   # start 0, nothing in it
    assert weights(frame) != weights(start)                # a new start ...
    again = Browser(sock.app).socket()                     # ... that the link repeats exactly
    again.open(hash=answer["hash"])
    assert weights(again.frame()) == weights(frame)
    assert trainer.tick() == 0


def test_reset_with_same_start_restores_the_starting_weights(sock, trainer):
    sock.open(hash=TF_HASH + "&sameStart=true")
    start = sock.frame()
    for _ in range(2):
        sock.call("step", unit="epoch")
    trained = sock.frames()[-1]
    assert weights(trained) != weights(start)
    answer = sock.call("reset")
    assert answer["ok"] and answer["spec"]["training"]["seed"] == start_seed(answer)
    frame = sock.frames()[-1]
    assert frame["epoch"] == 0 and frame["step"] == 0
    assert frame["arrays"]["weight.0"]["data"] == start["arrays"]["weight.0"]["data"]
    assert weights(frame) == weights(start)


def start_seed(answer) -> int:
    """TF_HASH's seed=0.12345 is data seed 12345, and the training seed follows it."""
    assert answer["spec"]["data"]["seed"] == 12345
    return 12345


def test_a_batch_step_shows_that_batch_s_loss(opened):
    before = opened.call("step", unit="batch")
    first = opened.frames()[-1]
    opened.call("step", unit="batch")
    second = opened.frames()[-1]
    assert before["ok"] and first["epoch"] == second["epoch"] == 0
    assert second["step"] == first["step"] + 1
    assert second["metrics"]["train_loss"] != first["metrics"]["train_loss"]


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


def test_configure_with_bad_values_lists_every_error_and_changes_nothing(opened, trainer):
    opened.call("step", unit="epoch")
    opened.frames()
    check_bad_spec_errors(opened.call("configure", spec=BAD_SPEC))
    assert opened.frames() == []
    session = trainer.entries[opened.session_id].session
    assert session.epoch == 1 and session.spec.data.dataset == "xor"


@pytest.mark.parametrize("payload", [{}, {"spec": None}], ids=["missing", "null"])
def test_configure_without_a_spec_is_refused(opened, trainer, payload):
    opened.call("step", unit="epoch")
    answer = opened.call("configure", {"session_id": opened.session_id, **payload})
    assert answer["ok"] is False
    assert trainer.entries[opened.session_id].session.spec.data.dataset == "xor"


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


def test_step_on_a_diverged_session_is_refused_with_the_advice(sock, trainer):
    sock.open(spec=DIVERGING)
    sock.call("play")
    for _ in range(50):
        trainer.tick()
        if trainer.entries[sock.session_id].session.status == "diverged":
            break
    session = trainer.entries[sock.session_id].session
    assert session.status == "diverged"
    epoch = session.epoch
    answer = sock.call("step", unit="epoch")
    assert not answer["ok"] and answer["errors"][0]["path"] == "status"
    assert "lower the learning rate" in answer["errors"][0]["message"]
    assert session.epoch == epoch                  # no training on broken weights
