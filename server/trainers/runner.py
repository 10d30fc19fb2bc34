"""The runner: which browser owns which session, the limits, and the trainers that hold them.

`call(session_id, owner, op, args)` runs an op on the trainer that holds the session (a thread
here, or a worker process per core) and answers its ack, or None when the session is not this
owner's. Limits: `max_sessions` in all and `max_per_owner` per browser; a client that goes away
has its sessions paused and kept `detached_ttl` seconds for a reconnect.
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass

from flask import Flask

from engine.spec.types import Spec
from engine.training.devices import pick_device
from server.errors import Full
from server.trainers.local import LocalTrainer
from server.trainers.trainer import Trainer
from server.trainers.workers import WorkerTrainer


log = logging.getLogger(__name__)

SESSION_ID_BYTES = 16    # 128-bit unguessable ids
REAP_EVERY_S = 10.0

__all__ = ["Full", "Runner", "init_app"]


@dataclass
class Slot:
    owner: str
    sid: str | None
    trainer: int
    detached_at: float | None = None


class Runner:
    def __init__(self, emit, fps: float = 30, device: str = "auto", max_sessions: int = 200,
                 max_per_owner: int = 8, detached_ttl: float = 600, data_dir: str | None = None,
                 workers: int = 0, clock=time.perf_counter, batching: bool = True):
        if fps <= 0:
            raise ValueError(f"fps: {fps} must be above 0")
        self.emit, self.fps = emit, fps
        self.device = pick_device(device)
        self.max_sessions, self.max_per_owner, self.detached_ttl = (
            max_sessions, max_per_owner, detached_ttl)
        self.slots: dict[str, Slot] = {}
        self._registry = threading.Lock()
        self.clock = clock               # detached sessions' ages
        self._stopped = threading.Event()
        if workers:
            config = {"fps": fps, "device": device, "data_dir": data_dir, "batching": batching}
            self.trainers = [WorkerTrainer(i, config, emit) for i in range(workers)]
        else:
            self.trainers = [LocalTrainer(Trainer(emit, fps, device, data_dir, clock=clock,
                                                  batching=batching))]

    # ---- sessions -----------------------------------------------------------------------
    def create(self, spec: Spec, owner: str, sid: str, op: str = "opened",
               args: dict | None = None) -> tuple[str, dict]:
        """A new session for `owner`: its id and the answer of op `op` on it (`opened`: the
        counters, and a frame is sent; `restore` for a fork). The slot is taken under the registry lock; the session is built outside it."""
        with self._registry:
            self._reap_locked()
            if len(self.slots) >= self.max_sessions:
                raise Full(f"the server is full ({self.max_sessions} sessions): try again later")
            mine = [k for k, s in self.slots.items() if s.owner == owner]
            if len(mine) >= self.max_per_owner:       # drop this browser's oldest detached one
                old = [k for k in mine if self.slots[k].detached_at is not None]
                if not old:
                    raise Full(f"this browser already has {self.max_per_owner} sessions open")
                self._remove_locked(old[0])
            load = [0] * len(self.trainers)
            for slot in self.slots.values():
                load[slot.trainer] += 1
            index = load.index(min(load))
            key = secrets.token_urlsafe(SESSION_ID_BYTES)
            self.slots[key] = Slot(owner, sid, index)   # before the first frame's ack can come
        answer = None
        try:
            answer = self.trainers[index].request("create", key, spec, sid, op, args)
        finally:
            if not answer_ok(answer):
                with self._registry:
                    self.slots.pop(key, None)
        return key, answer

    def call(self, session_id, owner: str, op: str, args: dict | None = None) -> dict | None:
        slot = self._slot(session_id, owner)
        if slot is None:
            return None
        if op == "attach":
            slot.sid, slot.detached_at = args["sid"], None
        return self.trainers[slot.trainer].request("call", session_id, op, args or {})

    def ack(self, session_id, owner: str, seq) -> None:
        slot = self._slot(session_id, owner)
        if slot is not None:
            self.trainers[slot.trainer].post("ack", session_id, seq)

    def sid_of(self, session_id: str) -> str | None:
        """The socket a session's frames go to (None while its client is away)."""
        slot = self.slots.get(session_id)
        return slot.sid if slot is not None else None

    def owns(self, session_id, owner: str) -> bool:
        return self._slot(session_id, owner) is not None

    def _slot(self, session_id, owner: str) -> Slot | None:
        slot = self.slots.get(session_id) if isinstance(session_id, str) else None
        return slot if slot is not None and slot.owner == owner else None

    def detach(self, sid: str) -> None:
        """The client went away: pause its sessions and keep them a while for a reconnect."""
        now = self.clock()
        for key, slot in list(self.slots.items()):
            if slot.sid == sid:
                slot.sid, slot.detached_at = None, now
                self.trainers[slot.trainer].post("call", key, "detach", {})

    def summary(self, session_id, owner: str) -> dict | None:
        """A live session's spec, history and outputs for the Compare page."""
        answer = self.call(session_id, owner, "summary")
        if answer is None or not answer.pop("ok"):
            return None
        return answer

    def sessions_of(self, owner: str) -> list[dict]:
        """This browser's live sessions, oldest first: id, dataset, epoch, status."""
        out = []
        for key in [k for k, s in list(self.slots.items()) if s.owner == owner]:
            answer = self.call(key, owner, "brief")
            if answer is not None and answer.pop("ok"):
                out.append({"session_id": key, **answer})
        return out

    def _reap(self) -> None:
        with self._registry:
            self._reap_locked()

    def _reap_locked(self) -> None:
        now = self.clock()
        for key in [k for k, s in self.slots.items()
                    if s.detached_at is not None and now - s.detached_at > self.detached_ttl]:
            self._remove_locked(key)

    def _remove_locked(self, key: str) -> None:
        slot = self.slots.pop(key)
        self.trainers[slot.trainer].post("remove", key)

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Start every trainer and return once all can train: the server listens after this,
        so its first `open` answers as fast as any other."""
        for trainer in self.trainers:
            trainer.start()
        for trainer in self.trainers:
            trainer.wait_ready()
        threading.Thread(target=self._reaper, name="reaper", daemon=True).start()

    def _reaper(self) -> None:
        while not self._stopped.wait(REAP_EVERY_S):
            self._reap()

    def stop(self) -> None:
        self._stopped.set()
        for trainer in self.trainers:
            trainer.stop()


def answer_ok(answer) -> bool:
    return isinstance(answer, dict) and answer.get("ok") is True


def worker_count(setting) -> int:
    """WORKERS config: "auto" = one per core (0 on a single core: a thread is cheaper)."""
    if setting == "auto":
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        return cores if (cores or 1) > 1 else 0
    return int(setting)


def init_app(app: Flask, socketio) -> None:
    c = app.config
    runner = Runner(socketio.emit, fps=c["FPS"], device=c["DEVICE"],
                    max_sessions=c["MAX_SESSIONS"], max_per_owner=c["MAX_SESSIONS_PER_OWNER"],
                    detached_ttl=c["DETACHED_TTL_S"], data_dir=c["DATA_DIR"],
                    workers=worker_count(c["WORKERS"]) if c["RUNNER_AUTOSTART"] else 0)
    app.extensions["runner"] = runner
    if c["RUNNER_AUTOSTART"]:
        runner.start()
