"""A trainer node: `nn-playground trainer --redis URL` on any machine that reaches Redis.

It runs today's trainers (a thread, or a worker process per core: server.trainers), registers
itself in Redis with a heartbeat (device, cores, capacity, load; the key expires NODE_TTL_S
after the last beat), takes the requests and posts of the sessions placed on it from its inbox
(server.cluster.rpc), sends frames to the clients through Flask-SocketIO's external emitter on
the same Redis, and checkpoints its sessions (server.cluster.checkpoint) every
CHECKPOINT_EVERY_S and after every op that changes one. docs/scaling.md has the whole picture.
"""
from __future__ import annotations

import logging
import os
import queue
import secrets
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import redis
from flask_socketio import SocketIO

from server.cluster import checkpoint, keys, rpc
from server.cluster.placement import NodeView, choose, kind_of
from server.errors import PayloadError
from server.trainers.local import LocalTrainer
from server.trainers.operations import READ_ONLY
from server.trainers.trainer import Trainer
from server.trainers.workers import WorkerTrainer
from engine.training.devices import pick_device

log = logging.getLogger(__name__)

SESSIONS_PER_CORE = 50      # a node's default capacity: a core trains ~40 2-D students well
REQUEST_THREADS = 32        # requests waiting on a trainer's answer (builds take seconds)
RETRY_S = 0.5               # between tries while Redis is away


class TrainerNode:
    def __init__(self, url: str, device: str = "auto", workers: int = 0, fps: float = 30,
                 data_dir: str | None = None, capacity: int | None = None,
                 node_id: str | None = None):
        self.url, self.id = url, node_id or f"{socket.gethostname()}-{secrets.token_hex(4)}"
        self.redis = keys.connect(url)
        self.device = pick_device(device)
        self.cores = max(1, workers)
        self.capacity = capacity or SESSIONS_PER_CORE * self.cores
        self.emitter = SocketIO(message_queue=url)
        self.outbox: queue.SimpleQueue = queue.SimpleQueue()
        if workers:
            config = {"fps": fps, "device": device, "data_dir": data_dir, "batching": True}
            self.trainers = [WorkerTrainer(i, config, self._emit, self._lost)
                             for i in range(workers)]
        else:
            self.trainers = [LocalTrainer(Trainer(self._emit, fps, device, data_dir))]
        self.where: dict[str, int] = {}          # session -> index of the trainer holding it
        self.kinds: dict[str, str] = {}
        self.force: set[str] = set()             # sessions to checkpoint at the next pass
        self.pool = ThreadPoolExecutor(REQUEST_THREADS, thread_name_prefix="node-request")
        self.stopped = threading.Event()
        self.checkpoint_now = threading.Event()

    def _emit(self, event, payload, to=None) -> None:
        """Queued for the sender thread: a trainer's round never waits on Redis."""
        self.outbox.put((event, payload, to))

    def _sending(self) -> None:
        while (message := self.outbox.get()) is not None:
            event, payload, to = message
            try:
                self.emitter.emit(event, payload, to=to)
            except redis.RedisError as exc:      # Redis away: this frame is lost, not the node
                log.warning("emit %s failed: %s", event, exc)

    # ---- lifecycle ------------------------------------------------------------------------
    def run(self) -> None:
        """Start the trainers, register, and serve the inbox until stop()."""
        for trainer in self.trainers:
            trainer.start()
        for trainer in self.trainers:
            trainer.wait_ready()
        self._beat()
        for target, name in ((self._beating, "heartbeat"), (self._checkpointing, "checkpoint"),
                             (self._sending, "emit")):
            threading.Thread(target=target, name=name, daemon=True).start()
        log.info("trainer node %s: %d trainer(s) on %s, capacity %d", self.id,
                 len(self.trainers), self.device, self.capacity)
        while not self.stopped.is_set():
            try:
                got = self.redis.blpop([keys.inbox(self.id)], timeout=1)
            except redis.RedisError as exc:
                log.warning("redis: %s", exc)
                time.sleep(RETRY_S)
                continue
            if got is not None:
                self._dispatch(*keys.unpack(got[1]))

    def stop(self) -> None:
        self.stopped.set()
        self.outbox.put(None)
        for trainer in self.trainers:
            trainer.stop()
        try:
            self.redis.delete(keys.node(self.id))
        except redis.RedisError:
            pass

    def _beating(self) -> None:
        while not self.stopped.wait(keys.HEARTBEAT_S):
            try:
                self._beat()
            except redis.RedisError as exc:
                log.warning("heartbeat: %s", exc)

    def _beat(self) -> None:
        with self.redis.pipeline() as p:
            p.hset(keys.node(self.id), mapping={
                "device": self.device.type, "cores": self.cores, "capacity": self.capacity,
                "host": socket.gethostname(), "pid": os.getpid()})
            p.pexpire(keys.node(self.id), int(keys.NODE_TTL_S * 1000))
            p.sadd(keys.NODES, self.id)
            p.execute()

    # ---- requests -------------------------------------------------------------------------
    def _dispatch(self, reply_key: str | None, method: str, args: tuple) -> None:
        if method == "create":
            index = self._place(args[0], args[1])
            self.pool.submit(self._create, reply_key, index, args)
        elif method == "remove":
            index = self.where.pop(args[0], None)
            self.kinds.pop(args[0], None)
            if index is not None:
                self.trainers[index].post("remove", args[0])
        elif args[0] not in self.where:
            rpc.answer(self.redis, reply_key, True, {"ok": False, "errors": PayloadError(
                "session_id", "no such session").errors})
        elif reply_key is None:
            self.trainers[self.where[args[0]]].post(method, *args)
        else:
            self.pool.submit(self._request, reply_key, method, args)

    def _place(self, key: str, spec) -> int:
        """The trainer of this node for a new session: the same rule as between nodes."""
        kind = kind_of(spec)
        views = [NodeView(str(i), self.device.type, 1, 10 ** 9,
                          load=sum(v == i for v in self.where.values()),
                          same=sum(self.where.get(k) == i for k, c in self.kinds.items()
                                   if c == kind))
                 for i, t in enumerate(self.trainers) if t.ready] or \
            [NodeView("0", self.device.type, 1, 10 ** 9)]
        index = int(choose(views, spec))
        self.where[key], self.kinds[key] = index, kind
        return index

    def _create(self, reply_key, index: int, args: tuple) -> None:
        key = args[0]
        try:
            answer = self.trainers[index].request("create", *args)
        except Exception as exc:               # noqa: BLE001 (the caller is told)
            self.where.pop(key, None)
            rpc.answer(self.redis, reply_key, False, exc)
            return
        if not (isinstance(answer, dict) and answer.get("ok")):
            self.where.pop(key, None)
            self.kinds.pop(key, None)
        else:
            self._dirty(key)
        rpc.answer(self.redis, reply_key, True, answer)

    def _request(self, reply_key, method: str, args: tuple) -> None:
        key = args[0]
        try:
            value = self.trainers[self.where[key]].request(method, *args)
        except Exception as exc:               # noqa: BLE001 (the caller is told)
            rpc.answer(self.redis, reply_key, False, exc)
            return
        if method == "call" and args[1] not in READ_ONLY:
            self._dirty(key)
        rpc.answer(self.redis, reply_key, True, value)

    def _dirty(self, key: str) -> None:
        self.force.add(key)
        self.checkpoint_now.set()

    # ---- checkpoints ----------------------------------------------------------------------
    def _checkpointing(self) -> None:
        while not self.stopped.is_set():
            self.checkpoint_now.wait(keys.CHECKPOINT_EVERY_S)
            self.checkpoint_now.clear()
            try:
                self.checkpoint_all()
                self._drop_moved()
            except redis.RedisError as exc:
                log.warning("checkpoint: %s", exc)
            except Exception:                  # noqa: BLE001 (a worker restarting)
                log.exception("checkpoint failed")

    def checkpoint_all(self) -> None:
        force, self.force = self.force, set()
        for index, trainer in enumerate(self.trainers):
            if not trainer.ready:
                continue
            mine = tuple(k for k in force if self.where.get(k) == index)
            checkpoint.save(self.redis, trainer.request("checkpoint", mine))

    def _drop_moved(self) -> None:
        """Sessions placed elsewhere meanwhile (this node was taken for dead while Redis was
        away) or removed while a post was missed: let them go here."""
        held = list(self.where)
        if not held:
            return
        with self.redis.pipeline(transaction=False) as p:
            for key in held:
                p.hget(keys.session(key), "node")
            nodes = p.execute()
        for key, node in zip(held, nodes):
            if node is None or node.decode() != self.id:
                log.info("session %s is no longer here; dropping it", key)
                self._dispatch(None, "remove", (key,))

    def _lost(self, index: int) -> None:
        """A worker process died: its sessions come back on it, from their checkpoints, once
        it is started again (in a thread: this is the dead worker's reader)."""
        threading.Thread(target=self._restore_worker, args=(index,), daemon=True).start()

    def _restore_worker(self, index: int) -> None:
        self.trainers[index].wait_ready()
        for key in [k for k, i in list(self.where.items()) if i == index]:
            cp = checkpoint.load(self.redis, key)
            sid = self.redis.hget(keys.session(key), "sid")
            if cp is None:
                self.where.pop(key, None)
                continue
            request = checkpoint.resume_request(key, cp, sid.decode() if sid else None)
            try:
                self.trainers[index].request("create", *request)
            except Exception:                  # noqa: BLE001
                log.exception("session %s could not be restored", key)
