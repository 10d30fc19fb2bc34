"""A served trainer runs ops on its lanes, beside its rounds: an op that takes long holds up
neither the trainer's loop nor any other session's training, frames or ops; the session it
works on sits out the rounds meanwhile."""
from __future__ import annotations

import threading
import time

from engine.spec.parse import parse_spec
from server.trainers import operations
from server.trainers.trainer import Trainer
from serverkit import Browser

XOR = {"data": {"dataset": "xor"}}
DEADLINE_S = 30


def wait_until(predicate, what: str) -> None:
    end = time.monotonic() + DEADLINE_S
    while not predicate():
        assert time.monotonic() < end, what
        time.sleep(0.01)


def test_a_long_op_holds_up_no_other_session(app, runner, monkeypatch):
    started, release = threading.Event(), threading.Event()

    def slow(trainer, key, entry, args):
        started.set()
        release.wait(DEADLINE_S)
        return {"slow": True}
    monkeypatch.setitem(operations.OPS, "brief", slow)

    stuck, other = Browser(app).socket(), Browser(app).socket()
    stuck.open(spec=XOR)
    other.open(spec=XOR)
    stuck_session = runner.trainers[0].trainer.entries[stuck.session_id].session
    stuck_session.status = "playing"          # as if it played: it must sit out the rounds
    runner.trainers[0].start()
    owner = runner.slots[stuck.session_id].owner
    result = {}
    waiter = threading.Thread(target=lambda: result.update(
        runner.call(stuck.session_id, owner, "brief")))
    waiter.start()
    assert started.wait(DEADLINE_S)
    epoch = stuck_session.epoch
    other.client.get_received()
    assert other.call("play") == {"ok": True, "status": "playing"}     # answered meanwhile
    frames = []
    wait_until(lambda: frames.extend(m for m in other.client.get_received()
                                     if m["name"] == "frame") or len(frames) >= 3,
               "the other session's frames stopped")
    for frame in frames:
        other.ack(frame["args"][0])
    assert stuck_session.epoch == epoch       # not trained while its op ran
    assert waiter.is_alive()
    release.set()
    waiter.join(DEADLINE_S)
    assert result == {"ok": True, "slow": True}
    wait_until(lambda: stuck_session.epoch > epoch, "the session did not train afterwards")


def test_ops_on_one_session_run_in_the_order_asked(app, trainer, monkeypatch):
    order = []

    def record(trainer, key, entry, args):
        time.sleep(0.002 * (5 - args["n"]))   # earlier ones take longer: order must still hold
        order.append(args["n"])
        return {}
    monkeypatch.setitem(operations.OPS, "brief", record)
    sock = Browser(app).socket()
    sock.open(spec=XOR)
    trainer.start_lane()
    futures = [trainer.call(sock.session_id, "brief", {"n": n}) for n in range(5)]
    assert [f.result(DEADLINE_S) for f in futures] == [{"ok": True}] * 5
    assert order == [0, 1, 2, 3, 4]


def test_an_ack_of_the_first_frame_that_comes_at_once_is_not_lost():
    """A client may acknowledge the frame an open sends before the new session is listed:
    it must count, or the session waits out the ack timeout before its next frame."""
    acked = []

    def emit(event, payload, to=None):
        trainer.ack("s", payload["seq"])
        acked.append(payload["seq"])

    trainer = Trainer(emit, fps=30, device="cpu")
    answer = trainer.create("s", parse_spec({"data": {"dataset": "xor"}}), sid="client")
    assert answer["ok"] and acked == [1]
    assert trainer.entries["s"].awaiting is None
