"""Work that must not run on the thread that received it, done in order per key on a few
threads: each key's jobs run one after another, in the order given; different keys run side by
side on at most `threads` threads. Used for a connection's socket events (so its reader thread
keeps reading: pings, frame acks) and for a trainer's long ops (so its rounds go on).
"""
from __future__ import annotations

import logging
import os
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Hashable

log = logging.getLogger(__name__)


class Busy(RuntimeError):
    """A key already has `max_pending` jobs waiting."""


class SerialPool:
    def __init__(self, threads: int, name: str, max_pending: int | None = None, nice: int = 0):
        """`nice`: the threads' scheduling niceness (Linux: per thread), so that their work
        takes only the CPU time others leave."""
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix=name,
                                       initializer=_be_nice, initargs=(nice,))
        self.max_pending = max_pending
        self.queues: dict[Hashable, deque] = {}
        self.lock = threading.Lock()

    def submit(self, key: Hashable, job: Callable) -> Future:
        """Run `job()` after the key's earlier jobs; its Future. Busy when the key has
        `max_pending` jobs waiting (nothing is queued then)."""
        future: Future = Future()
        with self.lock:
            queue = self.queues.get(key)
            start = queue is None
            if start:
                queue = self.queues[key] = deque()
            elif self.max_pending is not None and len(queue) >= self.max_pending:
                raise Busy(f"{len(queue)} requests are still waiting")
            queue.append((job, future))
        if start:
            self.pool.submit(self._drain, key)
        return future

    def busy(self, key: Hashable) -> bool:
        """True while the key has a job queued or running."""
        return key in self.queues

    def _drain(self, key: Hashable) -> None:
        while True:
            with self.lock:
                queue = self.queues[key]
                if not queue:
                    del self.queues[key]
                    return
                job, future = queue[0]
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(job())
                except BaseException as exc:       # noqa: BLE001 (the future carries it)
                    future.set_exception(exc)
            with self.lock:
                queue.popleft()        # only now: busy() stays true while the job runs

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _be_nice(nice: int) -> None:
    if nice:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
        except (AttributeError, OSError):       # not Linux: every thread shares one priority
            log.info("thread priorities are not supported here")
