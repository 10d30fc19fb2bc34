"""Trainer worker processes: one Trainer per process, one process per core.

The server process keeps the sockets; each worker owns its sessions and trains them on its own
core, served by the same loop as a thread's. They talk over one pipe of plain data (the
messages are in docs/internals.md, "Trainers"); a worker that dies is started afresh.
"""
from __future__ import annotations

import itertools
import logging
import multiprocessing
import signal
import threading
from concurrent.futures import Future

from server.errors import Unavailable
from server.trainers.loop import serve
from server.trainers.trainer import Trainer


log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 120.0   # as a local trainer's: an export takes seconds; a dead one never answers
READY_TIMEOUT_S = 120.0  # a worker imports torch and the engine before it can train: seconds


class WorkerGone(Unavailable):
    pass


class WorkerTrainer:
    """The server's handle on one worker process: the same request/post as LocalTrainer."""

    def __init__(self, index: int, config: dict, emit, on_lost=None):
        """`on_lost(index)` is called when the process dies (its sessions are gone)."""
        self.index, self.config, self.emit = index, config, emit
        self.on_lost = on_lost
        self._send_lock = threading.Lock()
        self._pending: dict[int, Future] = {}
        self._ids = itertools.count()
        self._stopping = False
        self._ready = threading.Event()
        self.process = self.conn = None

    def start(self) -> None:
        self._ready.clear()
        ctx = multiprocessing.get_context("spawn")
        mine, theirs = ctx.Pipe()
        self.process = ctx.Process(target=main, args=(theirs, self.config),
                                   name=f"nn-playground-trainer-{self.index}", daemon=True)
        self.process.start()
        theirs.close()
        self.conn = mine
        threading.Thread(target=self._read, args=(mine,), name=f"worker-{self.index}-reader",
                         daemon=True).start()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def wait_ready(self) -> None:
        """Block until the worker can train (it says so once its Trainer is built)."""
        if not self._ready.wait(READY_TIMEOUT_S):
            raise WorkerGone(f"training worker {self.index} did not start "
                             f"in {READY_TIMEOUT_S:g} s")

    def request(self, method: str, *args):
        future: Future = Future()
        rid = next(self._ids)
        self._pending[rid] = future
        try:
            self._send(("request", rid, method, args))
            return future.result(CALL_TIMEOUT_S)
        except TimeoutError:
            raise Unavailable(f"the trainer did not answer in {CALL_TIMEOUT_S:g} s") from None
        finally:
            self._pending.pop(rid, None)

    def post(self, method: str, *args) -> None:
        try:
            self._send(("post", None, method, args))
        except WorkerGone:
            pass                   # nothing to tell: its sessions are gone with it

    def _send(self, message) -> None:
        with self._send_lock:
            try:
                self.conn.send(message)
            except (OSError, ValueError, AttributeError) as exc:
                raise WorkerGone(f"training worker {self.index} is not running") from exc

    def _read(self, conn) -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "emit":
                _, event, payload, to = message
                try:
                    self.emit(event, payload, to=to)
                except Exception:                 # a client gone mid-send
                    log.exception("emit %s failed", event)
            elif message[0] == "ready":
                self._ready.set()
            elif message[0] == "reply":
                _, rid, ok, value = message
                future = self._pending.get(rid)
                if future is not None:
                    future.set_result(value) if ok else future.set_exception(RuntimeError(value))
        self._ready.clear()                       # new sessions go elsewhere until it is back
        for future in [f for f in list(self._pending.values()) if not f.done()]:
            future.set_exception(WorkerGone("the server lost this session: its trainer "
                                            "stopped"))
        if not self._stopping:
            log.error("training worker %d died; starting a new one", self.index)
            if self.on_lost is not None:
                self.on_lost(self.index)
            self.start()

    def stop(self) -> None:
        self._stopping = True
        try:
            self._send(("stop",))
        except WorkerGone:
            pass
        if self.process is not None:
            self.process.join(2)
            if self.process.is_alive():
                self.process.terminate()


def main(conn, config: dict) -> None:
    """The worker process: its own Trainer, served by the same loop as a thread's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the server's to handle
    sending = threading.Lock()        # the loop and the lanes both answer and emit

    def send(message) -> None:
        with sending:
            conn.send(message)

    def emit(event, payload, to=None):
        send(("emit", event, payload, to))

    stopped = []

    def receive(timeout: float):
        try:
            if not conn.poll(timeout):
                return None
            message = conn.recv()
        except (EOFError, OSError):                   # the server went away
            message = ("stop",)
        if message[0] == "stop":
            stopped.append(True)
            return None
        _, rid, method, args = message
        return rid, method, args

    def reply(rid, ok: bool, value) -> None:
        if rid is not None:
            send(("reply", rid, ok, value if ok else f"{type(value).__name__}: {value}"))

    trainer = Trainer(emit, fps=config["fps"], device=config["device"],
                      data_dir=config["data_dir"], batching=config["batching"])
    send(("ready",))
    serve(trainer, receive, reply, lambda: not stopped)
