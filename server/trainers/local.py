"""A trainer in this process: a thread runs it (`serve`), and requests queue for that thread.
Not started (tests, benches), requests run at once on the caller's thread.
"""
from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

from server.errors import Unavailable
from server.trainers.loop import serve
from server.trainers.trainer import Trainer


CALL_TIMEOUT_S = 120.0   # an export of a big model takes seconds; a dead trainer never answers


class LocalTrainer:
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
        try:
            return future.result(CALL_TIMEOUT_S)
        except TimeoutError:
            raise Unavailable(f"the trainer did not answer in {CALL_TIMEOUT_S:g} s") from None

    def post(self, method: str, *args) -> None:
        if self.thread is None:
            getattr(self.trainer, method)(*args)
        else:
            self.requests.put((None, method, args))

    def _receive(self, timeout: float):
        try:
            return self.requests.get(timeout=timeout) if timeout else self.requests.get_nowait()
        except queue.Empty:
            return None                  # stop()'s nudge is a None too

    @staticmethod
    def _reply(future: Future | None, ok: bool, value) -> None:
        if future is not None:
            future.set_result(value) if ok else future.set_exception(value)

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(
                target=serve, args=(self.trainer, self._receive, self._reply,
                                    lambda: not self._stop.is_set()),
                name="trainer", daemon=True)
            self.thread.start()

    ready = True                   # a thread of this process can always take a session

    def wait_ready(self) -> None:
        """A thread of this process can train as soon as it runs."""

    def stop(self) -> None:
        self._stop.set()
        self.requests.put(None)
