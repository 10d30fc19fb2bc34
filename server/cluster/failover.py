"""The failover monitor, on every web node: finds trainer nodes whose heartbeat lapsed and moves
their sessions to live nodes from their last checkpoints; reaps idle sessions too.

One web node moves a dead node's sessions (it holds keys.failover(node), SET NX); each session
is rebuilt on the node placement chooses, told its client's socket and room, and plays on if it
was playing; its client gets a `moved` event (server.trainers.operations.moved). A session with
no checkpoint is lost and its client told. After Redis was unreachable the monitor waits a
heartbeat TTL before judging any node, so a Redis restart does not look like dead nodes.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import redis

from server.cluster import checkpoint, keys, rpc
from server.cluster.placement import choose
from server.cluster.runner import LOST_MESSAGE, ClusterRunner
from server.errors import Full

log = logging.getLogger(__name__)

CHECK_EVERY_S = keys.HEARTBEAT_S
REAP_EVERY_S = 10.0
CLAIM_TTL_S = 60           # a web node that dies mid-failover leaves the claim to lapse
MOVERS = 8                 # sessions rebuilt at once on the live nodes


class Monitor:
    def __init__(self, runner: ClusterRunner):
        self.runner, self.redis = runner, runner.redis
        self.stopped = threading.Event()
        self.healthy_since: float | None = None
        self.movers = ThreadPoolExecutor(MOVERS, thread_name_prefix="failover")

    def start(self) -> None:
        threading.Thread(target=self._run, name="failover", daemon=True).start()

    def stop(self) -> None:
        self.stopped.set()

    def _run(self) -> None:
        reaped = time.monotonic()
        while not self.stopped.wait(CHECK_EVERY_S):
            try:
                self.check()
                if time.monotonic() - reaped > REAP_EVERY_S:
                    reaped = time.monotonic()
                    self.runner.reap()
            except redis.RedisError as exc:
                self.healthy_since = None
                log.warning("redis: %s", exc)
            except Exception:                  # noqa: BLE001 (the monitor must keep going)
                log.exception("failover check failed")

    def check(self) -> None:
        """Move the sessions of every node that stopped beating."""
        now = time.monotonic()
        self.redis.ping()
        if self.healthy_since is None:
            self.healthy_since = now
        if now - self.healthy_since < keys.NODE_TTL_S + CHECK_EVERY_S:
            return                             # Redis just came back: let the nodes beat
        for node in self.dead_nodes():
            if self.redis.set(keys.failover(node), "1", nx=True, ex=CLAIM_TTL_S):
                self.fail_over(node)

    def dead_nodes(self) -> list[str]:
        ids = [m.decode() for m in self.redis.smembers(keys.NODES)]
        with self.redis.pipeline(transaction=False) as p:
            for node in ids:
                p.exists(keys.node(node))
            alive = p.execute()
        return [node for node, up in zip(ids, alive) if not up]

    def fail_over(self, dead: str) -> None:
        held = [k.decode() for k in self.redis.smembers(keys.placed(dead))]
        log.warning("trainer node %s stopped: moving its %d session(s)", dead, len(held))
        list(self.movers.map(lambda key: self.move(key, dead), held))
        with self.redis.pipeline() as p:
            p.delete(keys.placed(dead), keys.kinds(dead), keys.inbox(dead))
            p.srem(keys.NODES, dead)
            p.execute()

    def move(self, key: str, dead: str) -> None:
        slot = {k.decode(): v.decode() for k, v in self.redis.hgetall(keys.session(key)).items()}
        cp = checkpoint.load(self.redis, key)
        if not slot:
            return
        if cp is None:
            self.runner.remove(key, LOST_MESSAGE, "trainer")
            return
        request = checkpoint.resume_request(key, cp, slot["sid"] or None)
        try:
            node = choose([n for n in self.runner.nodes(request[1]) if n.id != dead], request[1])
        except Full:
            self.runner.remove(key, LOST_MESSAGE, "trainer")
            return
        with self.redis.pipeline() as p:
            p.srem(keys.placed(dead), key)
            p.hincrby(keys.kinds(dead), slot["kind"], -1)
            p.execute()
        self.runner.place(key, node, slot["kind"])
        try:
            answer = rpc.request(self.redis, node, "create", *request)
        except Exception:                      # noqa: BLE001
            log.exception("session %s could not be resumed on %s", key, node)
            answer = None
        if not (isinstance(answer, dict) and answer.get("ok")):
            self.runner.remove(key, LOST_MESSAGE, "trainer")
