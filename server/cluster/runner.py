"""The runner of a web node (`nn-playground serve --redis URL`): the same interface as
server.trainers.runner.Runner, with the facts in Redis instead of this process.

A session's slot (owner, client socket, address, node, kind, times) is a Redis hash, so any web
node serves any request for it; the limits are counted on Redis sets under one Redis lock; the
session is placed on a trainer node (server.cluster.placement) and its ops travel to that node's
inbox (server.cluster.rpc). A request to a node that died waits for the failover monitor
(server.cluster.failover) to move the session, then goes to its new node.
"""
from __future__ import annotations

import logging
import secrets
import time



from engine.spec.types import Spec
from server.cluster import keys, rpc
from server.cluster.placement import NodeView, choose, kind_of
from server.errors import Full, Unavailable
from server.trainers.runner import Runner

log = logging.getLogger(__name__)

SESSION_ID_BYTES = 16
ROUTE_TTL_S = 1.0          # how long an ack trusts a cached session -> node route
USED_EVERY_S = 10.0        # an ack refreshes a session's used_at at most this often
MOVE_WAIT_S = 15.0         # a request to a dead node waits this long for the session to move
LOST_MESSAGE = "the server lost this session (its trainer stopped)"
IDLE_MESSAGE = "this session was closed after {minutes} minutes unused"


class ClusterRunner:
    def __init__(self, url: str, emit, max_sessions: int = 200, max_per_owner: int = 8,
                 max_per_address: int | None = None, detached_ttl: float = 600,
                 idle_ttl: float = 1800):
        self.url, self.emit = url, emit
        self.redis = keys.connect(url)
        self.max_sessions, self.max_per_owner = max_sessions, max_per_owner
        self.max_per_address = max_per_address or max_sessions
        self.detached_ttl, self.idle_ttl = detached_ttl, idle_ttl
        self.device = "trainer nodes"
        self.trainers: list = []               # none here: they are the trainer nodes
        self.by_sid: dict[str, set[str]] = {}  # this node's sockets -> their sessions
        self._routes: dict[str, tuple[str, str, float]] = {}   # key -> owner, node, when
        self._used: dict[str, float] = {}
        self.monitor = None                    # server.cluster.failover.Monitor, set by init

    # ---- placement and limits -------------------------------------------------------------
    def nodes(self, spec: Spec | None = None) -> list[NodeView]:
        """The live trainer nodes, with their load (and how many share `spec`'s kind)."""
        ids = sorted(m.decode() for m in self.redis.smembers(keys.NODES))
        kind = kind_of(spec) if spec is not None else ""
        with self.redis.pipeline(transaction=False) as p:
            for node_id in ids:
                p.hgetall(keys.node(node_id))
                p.scard(keys.placed(node_id))
                p.hget(keys.kinds(node_id), kind)
            got = p.execute()
        views = []
        for k, node_id in enumerate(ids):
            info, load, same = got[3 * k: 3 * k + 3]
            if info:
                views.append(NodeView(node_id, info[b"device"].decode(), int(info[b"cores"]),
                                      int(info[b"capacity"]), load, int(same or 0)))
        return views

    def create(self, spec: Spec, owner: str, sid: str, op: str = "opened",
               args: dict | None = None, address: str | None = None) -> tuple[str, dict]:
        key = secrets.token_urlsafe(SESSION_ID_BYTES)
        with self.redis.lock(keys.SLOTS_LOCK, timeout=10, blocking_timeout=10):
            self._check_limits(owner, address)
            node = choose(self.nodes(spec), spec)
            self.place(key, node, kind_of(spec), {
                "owner": owner, "sid": sid or "", "address": address or "",
                "used_at": time.time(), "detached_at": ""})
        self.by_sid.setdefault(sid, set()).add(key)
        answer = None
        try:
            answer = rpc.request(self.redis, node, "create", key, spec, sid, op, args)
        finally:
            if not (isinstance(answer, dict) and answer.get("ok")):
                self.remove(key)
        return key, answer

    def _check_limits(self, owner: str, address: str | None) -> None:
        with self.redis.pipeline(transaction=False) as p:
            p.smembers(keys.owned(owner))
            p.scard(keys.at(address or ""))
            p.scard(keys.SESSIONS)
            mine, at_address, total = p.execute()
        if len(mine) >= self.max_per_owner:        # drop this browser's oldest detached one
            detached = [(float(d), k.decode()) for k in mine
                        if (d := self.redis.hget(keys.session(k.decode()), "detached_at"))]
            if not detached:
                raise Full(f"this browser already has {self.max_per_owner} sessions open: "
                           f"close a tab first")
            self.remove(min(detached)[1])
        if address is not None and at_address >= self.max_per_address:
            raise Full(f"this address already has {self.max_per_address} sessions open: "
                       f"close some first")
        if total >= self.max_sessions:
            raise Full(f"the server is full ({self.max_sessions} sessions): try again in a few "
                       f"minutes")

    def place(self, key: str, node: str, kind: str, fields: dict | None = None) -> None:
        """Record session `key` on `node` (a new slot when `fields` are given)."""
        with self.redis.pipeline() as p:
            if fields is not None:
                p.hset(keys.session(key), mapping={**fields, "kind": kind})
                p.sadd(keys.SESSIONS, key)
                p.sadd(keys.owned(fields["owner"]), key)
                if fields["address"]:
                    p.sadd(keys.at(fields["address"]), key)
            p.hset(keys.session(key), "node", node)
            p.sadd(keys.placed(node), key)
            p.hincrby(keys.kinds(node), kind, 1)
            p.execute()

    def resize(self, session_id, owner: str, spec: Spec) -> None:
        """Each trainer node bounds its own memory by its capacity: nothing to commit here."""

    # ---- requests ---------------------------------------------------------------------------
    def _slot(self, session_id, owner: str) -> dict | None:
        if not isinstance(session_id, str) or len(session_id) > 64:
            return None
        raw = self.redis.hgetall(keys.session(session_id))
        slot = {k.decode(): v.decode() for k, v in raw.items()}
        return slot if slot.get("owner") == owner and slot.get("node") else None

    def call(self, session_id, owner: str, op: str, args: dict | None = None) -> dict | None:
        slot = self._slot(session_id, owner)
        if slot is None:
            return None
        fields = {"used_at": time.time()}
        if op == "attach":
            fields.update(sid=args["sid"], detached_at="")
            self.by_sid.setdefault(args["sid"], set()).add(session_id)
        self.redis.hset(keys.session(session_id), mapping=fields)
        try:
            return rpc.request(self.redis, slot["node"], "call", session_id, op, args or {})
        except rpc.NodeGone:
            node = self._moved(session_id, slot["node"])
            return rpc.request(self.redis, node, "call", session_id, op, args or {})

    def _moved(self, key: str, gone: str) -> str:
        """The node session `key` went to after `gone` died (the failover monitor moves it)."""
        deadline = time.monotonic() + MOVE_WAIT_S
        while time.monotonic() < deadline:
            node = self.redis.hget(keys.session(key), "node")
            if node is None:
                break
            if node.decode() != gone and self.redis.exists(keys.node(node.decode())):
                return node.decode()
            time.sleep(keys.HEARTBEAT_S)
        raise Unavailable("the trainer of this session stopped and it could not be moved")

    def ack(self, session_id, owner: str, seq) -> None:
        route = self._routes.get(session_id) if isinstance(session_id, str) else None
        now = time.monotonic()
        if route is None or now - route[2] > ROUTE_TTL_S:
            slot = self._slot(session_id, owner)
            if slot is None:
                return
            route = self._routes[session_id] = (slot["owner"], slot["node"], now)
        if route[0] != owner:
            return
        rpc.post(self.redis, route[1], "ack", session_id, seq)
        if now - self._used.get(session_id, 0.0) > USED_EVERY_S:   # a page showing frames
            self._used[session_id] = now
            self.redis.hset(keys.session(session_id), "used_at", time.time())

    def sid_of(self, session_id: str) -> str | None:
        sid = self.redis.hget(keys.session(session_id), "sid")
        return sid.decode() if sid else None

    def owns(self, session_id, owner: str) -> bool:
        return self._slot(session_id, owner) is not None

    def detach(self, sid: str) -> None:
        """This node's client went away: pause its sessions, keep them for a reconnect."""
        for key in self.by_sid.pop(sid, set()):
            slot = self.redis.hgetall(keys.session(key))
            if slot.get(b"sid", b"").decode() != sid:
                continue                           # re-attached elsewhere meanwhile
            self.redis.hset(keys.session(key), mapping={"sid": "", "detached_at": time.time()})
            rpc.post(self.redis, slot[b"node"].decode(), "call", key, "detach", {})

    summary = Runner.summary            # the same: its `call` goes to the session's node

    def sessions_of(self, owner: str) -> list[dict]:
        out = []
        for key in sorted(k.decode() for k in self.redis.smembers(keys.owned(owner))):
            answer = self.call(key, owner, "brief")
            if answer is not None and answer.pop("ok"):
                out.append({"session_id": key, **answer})
        return out

    # ---- removal ----------------------------------------------------------------------------
    def remove(self, key: str, why: str | None = None, reason: str = "idle") -> None:
        """Forget session `key` everywhere; `why` tells its client."""
        slot = {k.decode(): v.decode() for k, v in self.redis.hgetall(keys.session(key)).items()}
        with self.redis.pipeline() as p:
            p.delete(keys.session(key), keys.checkpoint(key))
            p.srem(keys.SESSIONS, key)
            if slot:
                p.srem(keys.owned(slot["owner"]), key)
                p.srem(keys.at(slot["address"]), key)
                if slot.get("node"):
                    p.srem(keys.placed(slot["node"]), key)
                    p.hincrby(keys.kinds(slot["node"]), slot["kind"], -1)
            p.execute()
        if slot.get("node"):
            rpc.post(self.redis, slot["node"], "remove", key)
        if why is not None and slot.get("sid"):
            self.emit("lost", {"session_id": key, "message": why, "reason": reason},
                      to=slot["sid"])

    def reap(self) -> None:
        """Remove the sessions whose client left detached_ttl ago or that nobody used for
        idle_ttl (any web node may do it; a second removal finds nothing)."""
        now = time.time()
        for key in [k.decode() for k in self.redis.smembers(keys.SESSIONS)]:
            detached, used = self.redis.hmget(keys.session(key), "detached_at", "used_at")
            if (detached and now - float(detached) > self.detached_ttl) or \
                    (used and now - float(used) > self.idle_ttl):
                self.remove(key, IDLE_MESSAGE.format(minutes=round(self.idle_ttl / 60)))

    # ---- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        if self.monitor is not None:
            self.monitor.start()

    def stop(self) -> None:
        if self.monitor is not None:
            self.monitor.stop()
