"""The runner: which browser owns which session, the limits, and the trainers that hold them.

`call(session_id, owner, op, args)` runs an op on the trainer that holds the session (a thread
here, or a worker process per core) and answers its ack, or None when the session is not this
owner's. Limits: `max_sessions` in all, `max_per_owner` per browser and `max_per_address` per
address. A client that goes away has its sessions paused and kept `detached_ttl` seconds for a
reconnect; a session whose client sent no op and acknowledged no frame for `idle_ttl` seconds
goes too, socket or not (a page playing in view acknowledges frames all the time). When the
server is full, or an address holds its most, a new session makes room (among that address's,
for the second): the oldest detached session goes first, then the one idle longest (at least
`evict_idle` s); one in use never. A trainer that dies takes its sessions
with it: their slots are freed at once. A client whose session went is told (a `lost` event,
docs/protocol.md), and its page opens a new one.
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass

from flask import Flask

from engine.spec.budget import estimate
from engine.spec.network import plan_layers
from engine.spec.types import Spec
from engine.training.devices import pick_device
from server.errors import Full
from server.trainers.local import LocalTrainer
from server.trainers.trainer import Trainer
from server.trainers.workers import WorkerTrainer


log = logging.getLogger(__name__)

SESSION_ID_BYTES = 16    # 128-bit unguessable ids
REAP_EVERY_S = 10.0
LOST_MESSAGE = "the server lost this session (its trainer stopped)"
IDLE_MESSAGE = "this session was closed after {minutes} minutes unused"
EVICTED_MESSAGE = "this session was closed to make room: the server was full and it was unused"
MEMORY_SHARE = 0.75      # of the machine's memory, what all sessions' budgets may add up to
MB = 2 ** 20

__all__ = ["Full", "Runner", "init_app"]


@dataclass
class Slot:
    owner: str
    sid: str | None
    trainer: int
    address: str | None = None
    detached_at: float | None = None
    used_at: float = 0.0             # the client's last op or frame ack: idle time counts from it
    memory: int = 0                  # bytes its spec may hold (engine.spec.budget)


class Runner:
    def __init__(self, emit, fps: float = 30, device: str = "auto", max_sessions: int = 200,
                 max_per_owner: int = 8, detached_ttl: float = 600, data_dir: str | None = None,
                 workers: int = 0, clock=time.perf_counter, batching: bool = True,
                 max_per_address: int | None = None, idle_ttl: float = 1800,
                 evict_idle: float = 120, memory_budget: int | None = None):
        if fps <= 0:
            raise ValueError(f"fps: {fps} must be above 0")
        self.emit, self.fps = emit, fps
        self.device = pick_device(device)
        self.max_sessions, self.max_per_owner, self.detached_ttl = (
            max_sessions, max_per_owner, detached_ttl)
        self.max_per_address = max_per_address or max_sessions
        self.idle_ttl, self.evict_idle = idle_ttl, evict_idle
        self.memory_budget = memory_budget or physical_memory() * MEMORY_SHARE
        self.slots: dict[str, Slot] = {}
        self._registry = threading.Lock()
        self.clock = clock               # detached sessions' ages
        self._stopped = threading.Event()
        if workers:
            config = {"fps": fps, "device": device, "data_dir": data_dir, "batching": batching}
            self.trainers = [WorkerTrainer(i, config, emit, self._lost)
                             for i in range(workers)]
        else:
            self.trainers = [LocalTrainer(Trainer(emit, fps, device, data_dir, clock=clock,
                                                  batching=batching))]

    # ---- sessions -----------------------------------------------------------------------
    def create(self, spec: Spec, owner: str, sid: str, op: str = "opened",
               args: dict | None = None, address: str | None = None) -> tuple[str, dict]:
        """A new session for `owner`: its id and the answer of op `op` on it (`opened`: the
        counters, and a frame is sent; `restore` for a fork). The slot is taken under the
        registry lock (making room if the server is full); the session is built outside it.
        A build that fails or times out frees the slot here and the session on the trainer."""
        memory = memory_of(spec)
        with self._registry:
            self._reap_locked()
            self._make_room_locked(owner, address, memory)
            index = self._placement_locked()
            key = secrets.token_urlsafe(SESSION_ID_BYTES)
            self.slots[key] = Slot(owner, sid, index, address, used_at=self.clock(),
                                   memory=memory)
        answer = None
        try:
            answer = self.trainers[index].request("create", key, spec, sid, op, args)
        finally:
            if not answer_ok(answer):
                with self._registry:
                    self.slots.pop(key, None)
                self.trainers[index].post("remove", key)     # a late build is dropped too
        return key, answer

    def resize(self, session_id, owner: str, spec: Spec) -> None:
        """A session is about to be rebuilt from `spec`: commit its memory, or refuse (Full)
        when the server's memory cannot take it."""
        slot = self._slot(session_id, owner)
        if slot is None:
            return
        memory = memory_of(spec)
        with self._registry:
            others = sum(s.memory for s in self.slots.values()) - slot.memory
            if others + memory > self.memory_budget:
                raise Full(self._memory_refusal(memory))
            slot.memory = memory

    def _memory_refusal(self, memory: int) -> str:
        return (f"the server has no memory left for a session of about {memory / MB:,.0f} MB "
                f"({self.memory_budget / MB:,.0f} MB in all): try a smaller model, or again "
                f"later")

    def _placement_locked(self) -> int:
        """The trainer with the fewest sessions among those ready (one restarting after it died
        answers only once it is up again)."""
        load = [0] * len(self.trainers)
        for slot in self.slots.values():
            load[slot.trainer] += 1
        ready = [i for i, t in enumerate(self.trainers) if t.ready] or range(len(self.trainers))
        return min(ready, key=lambda i: load[i])

    def _make_room_locked(self, owner: str, address: str | None, memory: int = 0) -> None:
        """Refuse (Full) or free a slot so that `owner` at `address` may open one more, of
        `memory` bytes."""
        mine = [k for k, s in self.slots.items() if s.owner == owner]
        if len(mine) >= self.max_per_owner:            # drop this browser's oldest detached one
            old = [k for k in mine if self.slots[k].detached_at is not None]
            if not old:
                raise Full(f"this browser already has {self.max_per_owner} sessions open: "
                           f"close a tab first")
            self._remove_locked(old[0])
        if address is not None and sum(s.address == address for s in self.slots.values()) \
                >= self.max_per_address:           # a class behind one NAT: its closed tabs go
            victim = self._evictable_locked(address)
            if victim is None:
                raise Full(f"this address already has {self.max_per_address} sessions open: "
                           f"close some first")
            self._remove_locked(victim, EVICTED_MESSAGE)
        if len(self.slots) >= self.max_sessions:
            victim = self._evictable_locked()
            if victim is None:
                raise Full(f"the server is full ({self.max_sessions} sessions, all in use): "
                           f"try again in a few minutes")
            log.info("server full: removing session %s to make room", victim)
            self._remove_locked(victim, EVICTED_MESSAGE)
        while sum(s.memory for s in self.slots.values()) + memory > self.memory_budget:
            victim = self._evictable_locked()
            if victim is None:
                raise Full(self._memory_refusal(memory))
            log.info("memory full: removing session %s to make room", victim)
            self._remove_locked(victim, EVICTED_MESSAGE)

    def _evictable_locked(self, address: str | None = None) -> str | None:
        """The session to give up for a newcomer (of `address`'s, when given): the oldest
        detached one, else the one idle longest (no op nor frame ack for at least evict_idle
        s), else None."""
        slots = [(k, s) for k, s in self.slots.items() if address is None or s.address == address]
        detached = [(s.detached_at, k) for k, s in slots if s.detached_at is not None]
        if detached:
            return min(detached)[1]
        limit = self.clock() - self.evict_idle
        idle = [(s.used_at, k) for k, s in slots if s.used_at <= limit]
        return min(idle)[1] if idle else None

    def call(self, session_id, owner: str, op: str, args: dict | None = None) -> dict | None:
        slot = self._slot(session_id, owner)
        if slot is None:
            return None
        slot.used_at = self.clock()
        if op == "attach":
            slot.sid, slot.detached_at = args["sid"], None
        return self.trainers[slot.trainer].request("call", session_id, op, args or {})

    def ack(self, session_id, owner: str, seq) -> None:
        slot = self._slot(session_id, owner)
        if slot is not None:
            slot.used_at = self.clock()      # a page showing its frames is in use
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
        """Drop the sessions whose client left detached_ttl ago, and those nobody used for
        idle_ttl (a page left open, or hidden, does not hold a session for ever)."""
        now = self.clock()
        for key in [k for k, s in self.slots.items()
                    if (s.detached_at is not None and now - s.detached_at > self.detached_ttl)
                    or now - s.used_at > self.idle_ttl]:
            self._remove_locked(key, IDLE_MESSAGE.format(minutes=round(self.idle_ttl / 60)))

    def _lost(self, index: int) -> None:
        """Trainer `index` died with its sessions: free their slots and tell their clients, so
        a page opens a new session at once rather than on its next click."""
        with self._registry:
            gone = [(k, s.sid) for k, s in self.slots.items() if s.trainer == index]
            for key, _ in gone:
                del self.slots[key]
        for key, sid in gone:
            self._tell_lost(key, sid, LOST_MESSAGE, "trainer")

    def _tell_lost(self, key: str, sid: str | None, message: str, reason: str) -> None:
        if sid is not None:
            self.emit("lost", {"session_id": key, "message": message, "reason": reason}, to=sid)

    def _remove_locked(self, key: str, why: str | None = None) -> None:
        """Remove a session; `why` tells its client (a page still open opens a new one)."""
        slot = self.slots.pop(key)
        self.trainers[slot.trainer].post("remove", key)
        if why is not None:
            self._tell_lost(key, slot.sid, why, "idle")

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


def memory_of(spec: Spec) -> int:
    """Bytes a session of this spec may hold, as its budget estimates them."""
    return estimate(spec, plan_layers(spec)).memory


def physical_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


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
                    max_per_address=c["MAX_SESSIONS_PER_ADDRESS"],
                    detached_ttl=c["DETACHED_TTL_S"], idle_ttl=c["IDLE_TTL_S"],
                    evict_idle=c["EVICT_IDLE_S"], memory_budget=c["MEMORY_BUDGET_BYTES"],
                    data_dir=c["DATA_DIR"],
                    workers=worker_count(c["WORKERS"]) if c["RUNNER_AUTOSTART"] else 0)
    app.extensions["runner"] = runner
    if c["RUNNER_AUTOSTART"]:
        runner.start()
