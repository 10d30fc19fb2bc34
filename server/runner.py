"""The runner: which browser owns which session, the limits, and the trainers that hold them.

Sessions live in trainers (server/trainer.py). With `workers=0` there is one trainer, run by a
thread of this process (or by hand: tests call `tick()`); with `workers=N` there are N worker
processes (server/workers.py), one trainer each, so training and frame-making use every core
while this process only moves bytes between sockets and workers. A new session goes to the
trainer with the fewest sessions. Whatever the trainer, a client's request is the same call:
`call(session_id, owner, op, args)` answers the op's ack dict, or None when the session is not
this owner's (indistinguishable from one that does not exist).

Limits: `max_sessions` in all and `max_per_owner` per browser (the oldest detached session of a
browser at its limit makes room); the refusal names the limit. A client that goes away has its
sessions paused and kept `detached_ttl` seconds for a reconnect.
"""
from __future__ import annotations

import logging
import os
import queue
import secrets
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass

import torch
from flask import Flask

from engine.devices import pick_device
from engine.spec import Spec
from server.operations import Full
from server.trainer import Trainer

log = logging.getLogger(__name__)

IDLE_WAIT_S = 0.1        # how long an idle trainer sleeps before it looks again
SESSION_ID_BYTES = 16    # 128-bit unguessable ids
REAP_EVERY_S = 10.0
CALL_TIMEOUT_S = 120.0   # an export of a big model takes seconds; a dead trainer never answers

__all__ = ["Full", "Runner", "init_app"]


@dataclass
class Slot:
    owner: str
    sid: str | None
    trainer: int
    detached_at: float | None = None


class LocalTrainer:
    """A trainer in this process. Started, a thread runs it and requests queue for that thread;
    not started (tests), requests run at once on the caller's thread."""

    def __init__(self, trainer: Trainer):
        self.trainer = trainer
        self.requests: queue.SimpleQueue = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self._stop = threading.Event()

    def request(self, method: str, *args):
        if self.thread is None:
            return getattr(self.trainer, method)(*args)
        future: Future = Future()
        self.requests.put((future, method, args))
        return future.result(CALL_TIMEOUT_S)

    def post(self, method: str, *args) -> None:
        if self.thread is None:
            getattr(self.trainer, method)(*args)
        else:
            self.requests.put((None, method, args))

    def _serve(self, block: bool) -> None:
        """Run the queued requests (waiting up to IDLE_WAIT_S for the first when `block`)."""
        timeout = IDLE_WAIT_S if block else 0
        while True:
            try:
                item = self.requests.get(timeout=timeout) if timeout else self.requests.get_nowait()
            except queue.Empty:
                return
            timeout = 0
            if item is None:                      # stop()'s nudge
                continue
            future, method, args = item
            try:
                result = getattr(self.trainer, method)(*args)
                if future is not None:
                    future.set_result(result)
            except Exception as exc:              # noqa: BLE001 (the caller sees it)
                log.exception("trainer %s failed", method)
                if future is not None:
                    future.set_exception(exc)

    def _loop(self) -> None:
        torch.set_num_threads(1)     # one thread per trainer: two burnt 180% CPU for less work
        while not self._stop.is_set():
            self._serve(block=False)
            if not self.trainer.tick():
                self._serve(block=True)

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._loop, name="trainer", daemon=True)
            self.thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.requests.put(None)


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
        self._clock = clock
        self._stopped = threading.Event()
        if workers:
            from server.workers import WorkerTrainer
            config = {"fps": fps, "device": device, "data_dir": data_dir, "batching": batching}
            self.trainers = [WorkerTrainer(i, config, emit) for i in range(workers)]
        else:
            self.trainers = [LocalTrainer(Trainer(emit, fps, device, data_dir, clock=clock,
                                                  batching=batching))]

    # ---- in-process conveniences (tests, benches) ------------------------------------------
    @property
    def local(self) -> Trainer:
        return self.trainers[0].trainer

    @property
    def entries(self):
        """The in-process trainer's sessions by id (workers=0 only)."""
        return self.local.entries

    @property
    def clock(self):
        return self._clock

    @clock.setter
    def clock(self, clock) -> None:
        self._clock = clock
        if isinstance(self.trainers[0], LocalTrainer):
            self.local.clock = clock

    def tick(self) -> int:
        return self.local.tick()

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
        now = self._clock()
        for key, slot in list(self.slots.items()):
            if slot.sid == sid:
                slot.sid, slot.detached_at = None, now
                self.trainers[slot.trainer].post("call", key, "detach", {})

    def summary(self, session_id, owner: str) -> dict | None:
        """A live session's spec, history and outputs for the Compare page (engine/summary.py)."""
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
        now = self._clock()
        for key in [k for k, s in self.slots.items()
                    if s.detached_at is not None and now - s.detached_at > self.detached_ttl]:
            self._remove_locked(key)

    def _remove_locked(self, key: str) -> None:
        slot = self.slots.pop(key)
        self.trainers[slot.trainer].post("remove", key)

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        for trainer in self.trainers:
            trainer.start()
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
