"""Sessions that share an architecture train as one batched model in their trainer
(server/batching.py over engine/batched.py): grouped while they play alike, apart once touched."""
from __future__ import annotations

import torch

from serverkit import Browser



def ack_all(socks):
    for sock in socks:
        for frame in sock.frames():
            sock.ack(frame)


def test_sessions_alike_train_as_one_group_and_part_when_one_changes(app, trainer):
    socks = []
    for dataset in ("circle", "xor", "spiral"):
        sock = Browser(app).socket()
        sock.open(spec={"data": {"dataset": dataset}})
        socks.append(sock)
    other = Browser(app).socket()
    other.open(spec={"model": {"layers": [{"units": 6, "activation": "relu"}]}})
    for sock in socks + [other]:
        assert sock.call("play")["ok"]
    for _ in range(20):
        trainer.tick()
        ack_all(socks + [other])
    groups = trainer.groups.groups
    assert list(groups) == [frozenset(s.session_id for s in socks)]       # the odd one alone
    sessions = [trainer.entries[s.session_id].session for s in socks + [other]]
    assert all(s.epoch > 0 for s in sessions)
    grouped = sessions[0].model.weight(0)
    assert grouped._base is not None                    # a view of the group's stack
    # An edit takes the group apart; every member keeps its weights and trains on.
    before = [s.model.weight(0).clone() for s in sessions[:3]]
    assert socks[1].call("configure", spec={"data": {"dataset": "xor"},
                                            "training": {"learning_rate": 0.1}})["ok"]
    assert trainer.groups.groups == {}
    assert all(torch.equal(b, s.model.weight(0)) for b, s in zip(before, sessions[:3]))
    epochs = [s.epoch for s in sessions]
    for _ in range(20):
        trainer.tick()
        ack_all(socks + [other])
    assert all(s.epoch > e for s, e in zip(sessions, epochs))
    assert len(trainer.groups.groups) == 1        # regrouped: the lr is per member
