"""A trainer: the sessions one core trains, and when each receiver gets a frame.

One trainer is ONE thread of control (server.trainers.loop) that trains in rounds: a round
(`tick`) gives every playing unit a time slice in proportion to its cost, then sends the frames
that are due: one per 1/fps s per client at most, after its last ack. The ops clients ask for (building
a session, a step, an export, ...) may take seconds, so once served they run beside the rounds
on a few "lane" threads (server.serial), each session's in the order asked; a session with an op
queued or running sits out the rounds, so it is never touched by two threads, and no op holds
up anyone else's training (docs/internals.md, "Trainers").
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

from server import records
from server.trainers import operations
from engine.frames.recording import Recording
from engine.frames.snapshot import snapshot
from engine.spec.budget import estimate
from engine.spec.network import plan_layers
from engine.spec.types import Spec
from engine.training.devices import pick_device
from engine.training.session import Session
from server.serial import SerialPool
from server.trainers.batching import Groups
from server.trainers.wire import encode


log = logging.getLogger(__name__)

MIN_SLICE_S = 0.002      # below this, switching sessions costs more than it shares
MAX_SLICE_S = 0.02       # above this, the frame interval is late
ACK_TIMEOUT_S = 2.0      # an ack lost on the way must not freeze a client forever
FRAME_SHARE = 0.4        # of a trainer's time, at most, for making frames when it is busy
FRAME_COST_S = 0.001     # a first guess of one frame's cost, before any was measured
CADENCE_SLACK = 0.5      # a frame later than this share of the interval restarts the cadence
MIN_FPS = 12             # never fewer frames a second than this (10 is where a class notices)
IDLE_WAIT_S = 0.1        # how long an idle trainer waits for a request before it looks again
LANE_THREADS = 3         # ops of different sessions side by side: one long op blocks no other
# A session whose pass over its data costs more than this is heavy: its ops (seconds of work)
# run on lanes at nice 10, taking the CPU the rounds leave. Light sessions' ops (milliseconds)
# keep the normal priority, so a machine busy with other work never starves them.
HEAVY_PASS_FLOPS = 1e9
LANE_NICE = 10


@dataclass
class Cursor:
    """What one receiver of a session's frames (its client, or a live room) already has: the
    history entries and the data version. A new receiver starts with nothing."""
    history: int = 0
    data: int = -1


@dataclass
class Entry:
    """A session and what its client has been sent."""
    session: Session
    sid: str | None
    lock: threading.RLock = field(default_factory=threading.RLock)
    seq: int = 0
    awaiting: int | None = None          # seq of the frame not yet acknowledged
    last_emit: float = 0.0
    client: Cursor = field(default_factory=Cursor)
    history_version: int = 0             # History.version the receivers have
    focus: int | None = None
    views: frozenset = frozenset()       # image/table probes the client shows
    sample: int = 0                      # test example the probes show
    options: dict = field(default_factory=dict)   # sequence probes: layer, prompt, temperature
    quantized: dict | None = None        # the last int8 quantisation (engine.export.quantize)
    recording: Recording = field(default_factory=Recording)   # snapshots for a saved replay
    room: str | None = None              # a live room watching: its channel
    room_cursor: Cursor = field(default_factory=Cursor)   # students join at any time


class Trainer:
    def __init__(self, emit, fps: float = 30, device: str = "auto", data_dir: str | None = None,
                 frame_share: float = FRAME_SHARE, batching: bool = True,
                 clock=time.perf_counter):
        if fps <= 0:
            raise ValueError(f"fps: {fps} must be above 0")
        self.emit, self.fps, self.clock = emit, fps, clock
        self.requested_device, self.data_dir = device, data_dir
        self.frame_share = frame_share
        self.frame_cost = FRAME_COST_S       # a moving average of send_frame's seconds
        self.epoch_cost: dict[frozenset, float] = {}   # this round's units' seconds per epoch
        self.entries: dict[str, Entry] = {}
        self.groups = Groups() if batching else None
        self.lanes: dict[bool, SerialPool] | None = None   # None: ops run at once (tests)
        self._heavy: dict[str, bool] = {}       # which lanes a session's ops take
        self._registry = threading.Lock()       # entries change on lanes, rounds read them
        # Sessions being built on a lane: None, then their entry while it answers its first op
        # (the first frame's ack may come before the entry is listed).
        self._building: dict[str, Entry | None] = {}
        self._cancelled: set[str] = set()       # ...that were removed meanwhile (timed out)
        self._marks: dict[str, tuple] = {}      # what each session was at its last checkpoint

    def start_lane(self, threads: int = LANE_THREADS) -> None:
        """Run ops off the serving thread from now on (serve calls this)."""
        if self.lanes is None:
            self.lanes = {False: SerialPool(threads, "trainer-lane"),
                          True: SerialPool(threads, "trainer-heavy-lane", nice=LANE_NICE)}

    def _later(self, key: str, job) -> dict | Future:
        """`job()` now, or on the session's lane (a Future) once the trainer serves."""
        if self.lanes is None:
            return job()
        return self.lanes[self._heavy.get(key, False)].submit(key, job)

    def busy(self, key: str) -> bool:
        """An op of this session is queued or running on a lane: rounds leave it alone."""
        return self.lanes is not None and any(lane.busy(key) for lane in self.lanes.values())

    # ---- sessions (called by the runner, on this trainer's thread) ------------------------
    def device_for(self, spec: Spec):
        """Image models get the GPU where there is one; 2-D nets stay on the CPU (devices.py)."""
        return pick_device(self.requested_device, heavy=spec.data.family == "images")

    def create(self, key: str, spec: Spec, sid: str | None, op: str = "opened",
               args: dict | None = None) -> dict | Future:
        """Build session `key`, then answer op `op` on it (`restore` for a fork), or refuse."""
        with self._registry:
            self._building[key] = None
        self._heavy[key] = estimate(spec, plan_layers(spec)).pass_flops > HEAVY_PASS_FLOPS
        return self._later(key, lambda: self._build(key, spec, sid, op, args or {}))

    def _build(self, key: str, spec: Spec, sid: str | None, op: str, args: dict) -> dict:
        made = []

        def build():
            entry = Entry(Session(spec, self.device_for(spec), self.data_dir), sid)
            made.append(entry)
            with self._registry:
                self._building[key] = entry
        answer = operations.outcome(build)
        if answer["ok"]:
            answer = operations.run(self, key, made[0], op, args)
        with self._registry:
            self._building.pop(key, None)
            if key in self._cancelled:        # removed while it was built: nobody wants it
                self._cancelled.discard(key)
                return {"ok": False, "errors": operations.PayloadError(
                    "session_id", "no such session").errors}
            if answer["ok"]:
                self.entries[key] = made[0]
            else:
                self._heavy.pop(key, None)
        return answer

    def call(self, key: str, op: str, args: dict) -> dict | Future:
        entry = self.entries.get(key)
        if entry is None:
            return {"ok": False, "errors": operations.PayloadError("session_id",
                                                                   "no such session").errors}
        if self.groups is not None and op not in operations.READ_ONLY:
            self.groups.release(key)          # an op may change what the group stacked
        return self._later(key, lambda: operations.run(self, key, entry, op, args))

    def remove(self, key: str) -> None:
        if self.groups is not None:
            self.groups.release(key)
        with self._registry:
            if self.entries.pop(key, None) is None and key in self._building:
                self._cancelled.add(key)
            else:
                self._heavy.pop(key, None)

    def checkpoint(self, force: tuple = ()) -> dict[str, dict]:
        """Checkpoints (records.checkpoint_of, status, client, room) of the sessions that
        changed since their last one, and of `force`'s; on this trainer's thread between
        rounds, so no batched group steps meanwhile. A session an op holds is left for next
        time."""
        out = {}
        with self._registry:
            entries = list(self.entries.items())
        for key, entry in entries:
            s = entry.session
            mark = (s.epoch, s.step, s.status, id(s.spec))
            if (self._marks.get(key) == mark and key not in force) or self.busy(key) \
                    or not entry.lock.acquire(blocking=False):
                continue
            try:
                out[key] = {"record": records.checkpoint_of(s), "status": s.status,
                            "sid": entry.sid, "room": entry.room, "epoch": s.epoch}
                self._marks[key] = mark
            finally:
                entry.lock.release()
        for key in [k for k in self._marks if k not in self.entries]:
            del self._marks[key]
        return out

    def attach(self, entry: Entry, sid: str) -> None:
        entry.sid, entry.awaiting = sid, None
        entry.client = Cursor()                   # the new page has nothing yet

    def watch(self, entry: Entry, room: str | None) -> None:
        entry.room, entry.room_cursor = room, Cursor()   # whoever joined gets everything

    def ack(self, key: str, seq) -> None:
        entry = self.entries.get(key) or self._building.get(key)
        if entry is not None and entry.awaiting == seq:
            entry.awaiting = None

    def reset_stream(self, entry: Entry) -> None:
        """After a reset the history starts again from 0 for every receiver, and an int8 copy
        of the old weights no longer describes the model."""
        entry.client.history = entry.room_cursor.history = 0
        entry.quantized = None
        entry.recording.clear()

    # ---- frames -------------------------------------------------------------------------
    def send_frame(self, key: str, entry: Entry) -> None:
        """Snapshot and emit now, to the client and to a room watching the session (one
        snapshot serves both when they have the same); the recording takes its snapshot from
        the same one when it is due."""
        s = entry.session
        receivers = [(to, cursor) for to, cursor in ((entry.sid, entry.client),
                                                     (entry.room, entry.room_cursor))
                     if to is not None]
        if not receivers:
            entry.recording.capture(s)
            return
        if s.history.version != entry.history_version:     # compacted: send it whole again
            entry.client.history = entry.room_cursor.history = 0
            entry.history_version = s.history.version
        entry.seq += 1
        made: dict[tuple, tuple] = {}
        shot = None
        for to, cursor in receivers:
            state = (cursor.history, cursor.data)
            if state not in made:
                made[state] = self._payload(key, entry, cursor)
            payload, shot = made[state]
            cursor.history, cursor.data = len(s.history), s.data_version
            if to == entry.sid:                  # before the emit: the ack may come at once
                entry.awaiting, entry.last_emit = entry.seq, self.clock()
            self.emit("frame", payload, to=to)
        entry.recording.capture(s, shot)

    def _payload(self, key: str, entry: Entry, cursor: Cursor):
        """The encoded frame for a receiver at `cursor`, and the snapshot it was made from."""
        s = entry.session
        frame = snapshot(s, focus=entry.focus, history_from=cursor.history,
                         include_data=cursor.data != s.data_version, views=entry.views,
                         sample=entry.sample, options=entry.options)
        return {**encode(frame, key, entry.seq), "data_version_from": cursor.data}, frame

    def frame_interval(self, watched: int) -> float:
        """Seconds between one client's frames when `watched` clients share this trainer."""
        shared = watched * self.frame_cost / self.frame_share
        return max(1.0 / self.fps, min(shared, 1.0 / MIN_FPS))

    def _send(self, key: str, entry: Entry) -> None:
        """send_frame from the training loop: its cost measured, a failure stopping only this
        session."""
        start = time.perf_counter()
        try:
            self.send_frame(key, entry)
        except Exception as exc:
            log.exception("frame of %s failed", key)
            self._stop([(key, entry)], exc)
        self.frame_cost += 0.05 * (time.perf_counter() - start - self.frame_cost)

    def _frame_due(self, entry: Entry, now: float, interval: float) -> bool:
        if entry.sid is None or now - entry.last_emit < interval:
            return False
        return entry.awaiting is None or now - entry.last_emit > ACK_TIMEOUT_S

    # ---- training -----------------------------------------------------------------------
    def playing(self) -> list[tuple[str, Entry]]:
        """The sessions this round trains: playing, with no op queued or running."""
        with self._registry:
            entries = list(self.entries.items())
        return [(k, e) for k, e in entries if e.session.status == "playing" and not self.busy(k)]

    def tick(self) -> int:
        """One round: a time slice for every playing unit (see _slices); after each slice, the
        frames that are due (anyone's: a frame waits at most one slice). Returns how many
        sessions trained a step (a speed limit may hold a playing one back)."""
        active = self.playing()
        if not active:
            return 0
        units = self.groups.plan(active) if self.groups is not None else \
            [(None, [member]) for member in active]
        interval = self.frame_interval(sum(e.sid is not None for _, e in active))
        slices = self._slices(units)
        trained = 0
        for (group, members), slice_s in zip(units, slices):
            session = members[0][1].session
            epoch, step, start = session.epoch, session.step, self.clock()
            try:
                if group is not None:
                    group.train_for(slice_s, self.clock)   # frames are checked after it
                else:
                    session.train_for(self._budget(members[0][1], slice_s, interval), self.clock)
            except Exception as exc:   # one broken unit must not stop everyone's
                log.exception("training %s failed", [k for k, _ in members])
                self._stop(members, exc)
            self._measure(members, session.epoch - epoch, self.clock() - start)
            trained += len(members) if session.step != step else 0
            for key, entry in members:           # it stopped (diverged, early stopping): show it
                if entry.session.status != "playing":
                    self._stopped(key, entry)
            self._send_due(active, interval)
        return trained

    def idle_wait(self) -> float:
        """How long the serving loop may wait for a request after a round that trained nothing:
        while sessions play (held by their speed), no longer than half a frame."""
        return min(IDLE_WAIT_S, 0.5 / self.fps) if self.playing() else IDLE_WAIT_S

    def _stopped(self, key: str, entry: Entry) -> None:
        """A session that stopped itself: its last frame, after the whole-set evaluation that
        early stopping leaves to its caller (on a lane: it may take a while)."""
        if not entry.session.needs_refresh:
            self._send(key, entry)
            return

        def refresh():
            with entry.lock:
                entry.session.refresh()
                self.send_frame(key, entry)
        self._later(key, refresh)

    def _slices(self, units) -> list[float]:
        """Each unit's time this round, so that every unit (a session, or a group whose members
        all step together) gains about as many epochs: time in proportion to its measured
        seconds per epoch. A round lasts about 1/fps; a unit not measured yet gets an equal
        share. Fair by progress, not by time: a bigger net gets more time, none starves."""
        keys = [self._unit_key(members) for _, members in units]
        self.epoch_cost = {k: self.epoch_cost[k] for k in keys if k in self.epoch_cost}
        costs = [self.epoch_cost.get(k) for k in keys]
        known = [c for c in costs if c]
        round_s = 1.0 / self.fps
        if not known:
            return [max(MIN_SLICE_S, min(MAX_SLICE_S, round_s / len(units)))] * len(units)
        fill = sum(known) / len(known)
        costs = [c or fill for c in costs]
        epochs = round_s / sum(costs)
        return [max(MIN_SLICE_S, min(MAX_SLICE_S, c * epochs)) for c in costs]

    @staticmethod
    def _unit_key(members) -> frozenset:
        return frozenset(k for k, _ in members)

    def _measure(self, members, epochs: int, seconds: float) -> None:
        if epochs <= 0:
            return
        key = self._unit_key(members)
        cost = seconds / epochs
        old = self.epoch_cost.get(key)
        self.epoch_cost[key] = cost if old is None else old + 0.2 * (cost - old)

    def _send_due(self, active, interval: float) -> None:
        for key, entry in active:
            now = self.clock()
            if entry.session.status == "playing" and self._frame_due(entry, now, interval):
                due = entry.last_emit + interval
                self._send(key, entry)
                # On the 1/fps cadence: a frame late by part of a slice does not push every later
                # one back (that gave 28-29 frames/s at 30 fps); a frame held back by a slow
                # client's ack starts the cadence again from when it went.
                if now - due < interval * CADENCE_SLACK:
                    entry.last_emit = due

    def _budget(self, entry: Entry, slice_s: float, interval: float) -> float:
        """Train until this client's next frame is due (so frames are not late by a slice)."""
        if entry.sid is None or entry.awaiting is not None:
            return slice_s
        due_in = entry.last_emit + interval - self.clock()
        return min(slice_s, max(MIN_SLICE_S, due_in))

    def _stop(self, members, exc: Exception) -> None:
        if self.groups is not None:
            for key, _ in members:
                self.groups.release(key)
        for _, entry in members:
            if entry.session.status == "playing":
                entry.session.status = "paused"
                entry.session.message = f"training stopped by an internal error: {exc}"
