"""Sessions belong to the browser that opened them: other browsers, reconnects, expiry, limits."""
from __future__ import annotations

import pytest
from server.specs import resolve

from serverkit import (N_TRAIN, SESSION_EVENTS, TF_HASH, Browser, array, assert_no_such_session,
                      error_paths, play_and_collect, tick_until_frame)




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
