"""The runner: who gets CPU time, and when each client gets a frame.

ONE trainer thread trains every playing session in turn (a time slice each, so none starves)
and emits each session's newest frame at most every 1/fps s, and only once the client has
acknowledged the previous one: a slow client gets fewer, fresher frames, never a queue of stale
ones. Handlers mutate sessions under the entry's lock; tests call `tick()` themselves.
This is the seam where trainer worker processes can later replace the in-process thread.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from flask import Flask

from engine.devices import pick_device
from engine.recording import Recording
from engine.session import Session
from engine.spec import Spec
from engine.views import snapshot

log = logging.getLogger(__name__)

MIN_SLICE_S = 0.002      # below this, switching sessions costs more than it shares
MAX_SLICE_S = 0.02       # above this, the frame interval is late
ACK_TIMEOUT_S = 2.0      # an ack lost on the way must not freeze a client forever
IDLE_WAIT_S = 0.1        # how long the trainer sleeps when nothing plays
SESSION_ID_BYTES = 16    # 128-bit unguessable ids
REAP_EVERY_S = 10.0


class Full(RuntimeError):
    """The server (or this browser) has as many sessions as it may."""


@dataclass
class Entry:
    """A session and what its client has been sent."""
    session: Session
    owner: str
    sid: str | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    seq: int = 0
    awaiting: int | None = None          # seq of the frame not yet acknowledged
    last_emit: float = 0.0
    history_sent: int = 0
    history_version: int = 0             # History.version the client has
    data_sent: int = -1                  # data_version the client has
    focus: int | None = None
    views: frozenset = frozenset()       # image/table probes the client shows
    sample: int = 0                      # test example the probes show
    options: dict = field(default_factory=dict)   # sequence probes: layer, prompt, temperature
    quantized: dict | None = None        # the last int8 quantisation (engine/quantize.py)
    recording: Recording = field(default_factory=Recording)   # snapshots for a saved replay
    detached_at: float | None = None


def encode(frame, session_id: str, seq: int) -> dict:
    """A Frame as a Socket.IO payload: numeric arrays as binary attachments."""
    arrays = {name: {"shape": list(a.shape), "dtype": str(a.dtype),
                     "data": np.ascontiguousarray(a).tobytes()}
              for name, a in frame.arrays.items()}
    return {"session_id": session_id, "seq": seq, **frame.scalars, "arrays": arrays}


class Runner:
    def __init__(self, emit, fps: float = 30, device: str = "auto", max_sessions: int = 200,
                 max_per_owner: int = 8, detached_ttl: float = 600, data_dir: str | None = None,
                 clock=time.perf_counter):
        self.emit, self.fps, self.clock = emit, fps, clock
        self.requested_device = device
        self.device = pick_device(device)
        self.data_dir = data_dir
        self.max_sessions, self.max_per_owner, self.detached_ttl = (
            max_sessions, max_per_owner, detached_ttl)
        if fps <= 0:
            raise ValueError(f"fps: {fps} must be above 0")
        self.entries: dict[str, Entry] = {}
        self._building = 0                   # sessions being built outside the lock
        self._registry = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- sessions -----------------------------------------------------------------------
    def create(self, spec: Spec, owner: str, sid: str) -> tuple[str, Entry]:
        """A new session for `owner`. The slot is reserved under the registry lock; the
        session (data, model) is built outside it, so a slow build stalls nobody else."""
        with self._registry:
            if len(self.entries) + self._building >= self.max_sessions:
                raise Full(f"the server is full ({self.max_sessions} sessions): try again later")
            mine = [k for k, e in self.entries.items() if e.owner == owner]
            if len(mine) >= self.max_per_owner:       # drop this browser's oldest detached one
                old = [k for k in mine if self.entries[k].detached_at is not None]
                if not old:
                    raise Full(f"this browser already has {self.max_per_owner} sessions open")
                del self.entries[old[0]]
            self._building += 1
        try:
            entry = Entry(Session(spec, self.device_for(spec), self.data_dir), owner, sid)
        finally:
            with self._registry:
                self._building -= 1
        key = secrets.token_urlsafe(SESSION_ID_BYTES)
        with self._registry:
            self.entries[key] = entry
        return key, entry

    def device_for(self, spec: Spec):
        """Image models get the GPU where there is one; 2-D nets stay on the CPU (devices.py)."""
        return pick_device(self.requested_device, heavy=spec.data.family == "images")

    def get(self, session_id, owner: str) -> Entry | None:
        """The entry if it exists and belongs to `owner`; None otherwise (indistinguishable)."""
        entry = self.entries.get(session_id) if isinstance(session_id, str) else None
        return entry if entry is not None and entry.owner == owner else None

    def detach(self, sid: str) -> None:
        """The client went away: pause its sessions and keep them a while for a reconnect."""
        now = self.clock()
        for entry in list(self.entries.values()):
            if entry.sid == sid:
                with entry.lock:
                    entry.session.pause()
                    entry.sid, entry.detached_at, entry.awaiting = None, now, None

    def attach(self, entry: Entry, sid: str) -> None:
        entry.sid, entry.detached_at, entry.awaiting = sid, None, None
        entry.history_sent, entry.data_sent = 0, -1       # the new page has nothing yet

    def _reap(self) -> None:
        now = self.clock()
        with self._registry:
            for key in [k for k, e in self.entries.items()
                        if e.detached_at is not None and now - e.detached_at > self.detached_ttl]:
                del self.entries[key]

    # ---- frames -------------------------------------------------------------------------
    def send_frame(self, session_id: str, entry: Entry) -> None:
        """Snapshot and emit now (caller holds entry.lock)."""
        s = entry.session
        entry.recording.capture(s)
        if entry.sid is None:
            return
        if s.history.version != entry.history_version:     # compacted: send it whole again
            entry.history_sent, entry.history_version = 0, s.history.version
        frame = snapshot(s, focus=entry.focus, history_from=entry.history_sent,
                         include_data=entry.data_sent != s.data_version, views=entry.views,
                         sample=entry.sample, options=entry.options)
        entry.seq += 1
        entry.history_sent, entry.data_sent = len(s.history), s.data_version
        entry.awaiting, entry.last_emit = entry.seq, self.clock()
        self.emit("frame", encode(frame, session_id, entry.seq), to=entry.sid)

    def ack(self, entry: Entry, seq) -> None:
        if entry.awaiting == seq:
            entry.awaiting = None

    def _frame_due(self, entry: Entry, now: float) -> bool:
        if entry.sid is None or now - entry.last_emit < 1.0 / self.fps:
            return False
        return entry.awaiting is None or now - entry.last_emit > ACK_TIMEOUT_S

    def _budget(self, entry: Entry, slice_s: float) -> float:
        """Train until this client's next frame is due (so frames are not late by a slice)."""
        if entry.sid is None or entry.awaiting is not None:
            return slice_s
        due_in = entry.last_emit + 1.0 / self.fps - self.clock()
        return min(slice_s, max(MIN_SLICE_S, due_in))

    def reset_stream(self, entry: Entry) -> None:
        """After a reset the history starts again from 0 for the client too, and an int8
        copy of the old weights no longer describes the model."""
        entry.history_sent = 0
        entry.quantized = None
        entry.recording.clear()

    # ---- training loop ------------------------------------------------------------------
    def playing(self) -> list[tuple[str, Entry]]:
        return [(k, e) for k, e in list(self.entries.items()) if e.session.status == "playing"]

    def tick(self) -> int:
        """One round: a time slice for every playing session, then the frames that are due.
        Returns how many sessions trained."""
        active = self.playing()
        if not active:
            return 0
        slice_s = min(MAX_SLICE_S, max(MIN_SLICE_S, 1.0 / self.fps / len(active)))
        for key, entry in active:
            with entry.lock:
                try:
                    if entry.session.status == "playing":
                        entry.session.train_for(self._budget(entry, slice_s), self.clock)
                    if self._frame_due(entry, self.clock()) or entry.session.status != "playing":
                        self.send_frame(key, entry)
                except Exception as exc:   # one broken session must not stop everyone's
                    log.exception("session %s failed", key)
                    if entry.session.status == "playing":
                        entry.session.status = "paused"
                        entry.session.message = f"training stopped by an internal error: {exc}"
        return len(active)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        torch.set_num_threads(1)     # one thread per trainer: two burnt 180% CPU for less work
        last_reap = self.clock()
        while not self._stop.is_set():
            if not self.tick():
                self._wake.wait(IDLE_WAIT_S)
                self._wake.clear()
            if self.clock() - last_reap > REAP_EVERY_S:
                self._reap()
                last_reap = self.clock()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="trainer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()


def init_app(app: Flask, socketio) -> None:
    c = app.config
    runner = Runner(socketio.emit, fps=c["FPS"], device=c["DEVICE"],
                    max_sessions=c["MAX_SESSIONS"], max_per_owner=c["MAX_SESSIONS_PER_OWNER"],
                    detached_ttl=c["DETACHED_TTL_S"], data_dir=c["DATA_DIR"])
    app.extensions["runner"] = runner
    if c["RUNNER_AUTOSTART"]:
        runner.start()
