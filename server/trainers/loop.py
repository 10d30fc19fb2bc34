"""The one loop that runs a trainer, on a thread of the server (server.trainers.local) or in a
worker process (server.trainers.workers): the requests that came in, then a round of training.
A request whose op went to a lane is answered when the lane is done with it."""
from __future__ import annotations

import logging
from concurrent.futures import Future

import torch

from server.trainers.trainer import Trainer

log = logging.getLogger(__name__)


def serve(trainer: Trainer, receive, reply, running) -> None:
    """Serve `trainer` until `running()` is False; when idle it waits for a request
    as long as trainer.idle_wait() allows. `receive(timeout)` gives (token, method, args) or None; `reply(token, ok,
    value)` answers one (value: the result, or the exception); `running()` False stops it."""
    torch.set_num_threads(1)     # one thread per trainer: two burnt 180% CPU for less work
    trainer.start_lane()
    busy = False
    while running():
        timeout = 0 if busy else trainer.idle_wait()
        while (request := receive(timeout)) is not None:
            timeout = 0                        # the rest that came in, then a round
            token, method, args = request
            try:
                value, ok = getattr(trainer, method)(*args), True
            except Exception as exc:           # noqa: BLE001 (the caller is told)
                log.exception("trainer %s failed", method)
                value, ok = exc, False
            if ok and isinstance(value, Future):   # an op on a lane: answered when it is done
                value.add_done_callback(lambda done, token=token: _answer(reply, token, done))
            else:
                reply(token, ok, value)
        busy = bool(trainer.tick())


def _answer(reply, token, done: Future) -> None:
    exc = done.exception()
    if exc is not None:
        log.error("trainer op failed", exc_info=exc)
    reply(token, exc is None, done.result() if exc is None else exc)
