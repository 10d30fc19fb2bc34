"""Malformed payloads on every event: each refused with the field named, nothing crashes."""
from __future__ import annotations

import pytest

from serverkit import SESSION_EVENTS, assert_no_such_session, error_paths, tick_until_frame




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
            paths = error_paths(answer)
            assert list(paths) == [""] and paths[""].startswith("payload: must be an object"), \
                answer
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
