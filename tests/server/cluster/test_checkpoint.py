"""Checkpoints: what a trainer node writes of its sessions and how another node resumes one
(Trainer.checkpoint, server.cluster.checkpoint, operations.moved). In process, no Redis."""
from __future__ import annotations

import torch

from engine.spec.parse import parse_spec
from server.cluster.checkpoint import resume_request
from server.trainers.trainer import Trainer

from serverkit import FakeClock

XOR = parse_spec({"data": {"dataset": "xor"}})


class Emits(list):
    def __call__(self, event, payload, to=None):
        self.append((event, payload, to))


def trained(emit) -> Trainer:
    trainer = Trainer(emit, fps=20, device="cpu", clock=FakeClock())
    assert trainer.create("k", XOR, "sid-1")["ok"]
    trainer.call("k", "play", {})
    for _ in range(5):
        trainer.tick()
    return trainer


def test_only_sessions_that_changed_since_their_last_checkpoint_are_written():
    trainer = trained(Emits())
    first = trainer.checkpoint()
    assert set(first) == {"k"} and first["k"]["status"] == "playing" and first["k"]["epoch"] > 0
    assert trainer.checkpoint() == {}                 # nothing trained since
    assert set(trainer.checkpoint(force=("k",))) == {"k"}
    trainer.tick()
    assert set(trainer.checkpoint()) == {"k"}


def test_a_session_resumes_on_another_trainer_as_it_was_and_its_client_is_told():
    old = trained(Emits())
    cp = old.checkpoint()["k"]
    emits = Emits()
    new = Trainer(emits, fps=20, device="cpu", clock=FakeClock())
    answer = new.create(*resume_request("k", cp, "sid-2"))
    assert answer["ok"] and answer["epoch"] == cp["epoch"], answer
    before, after = old.entries["k"].session, new.entries["k"].session
    for (name, a), (_, b) in zip(before.model.state_dict().items(),
                                 after.model.state_dict().items()):
        assert torch.equal(a, b), name
    assert after.status == "playing"                  # it was playing: it goes on
    message = f"moved to another trainer, resumed at epoch {cp['epoch']}"
    assert after.message == message
    moved = [(p, to) for e, p, to in emits if e == "moved"]
    assert moved == [({"session_id": "k", "epoch": cp["epoch"], "message": message}, "sid-2")]
    assert any(e == "frame" and to == "sid-2" for e, _, to in emits)
