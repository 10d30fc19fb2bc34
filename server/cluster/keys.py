"""Where the cluster keeps its facts in Redis, how long they live, and how values travel.

One table of key names, so the web nodes (server.cluster.runner), the trainer nodes
(server.cluster.node) and the failover monitor (server.cluster.failover) never spell a key
twice. Values that hold specs, records or replies are pickled: Redis is the cluster's private
back end, reachable only by its nodes (docs/scaling.md), like the worker pipes of one machine.
"""
from __future__ import annotations

import pickle

import redis

PREFIX = "nnp"
HEARTBEAT_S = 0.5          # a trainer node renews its registration this often
NODE_TTL_S = 2.0           # ...and is dead when it has not for this long (4 beats missed)
CHECKPOINT_EVERY_S = 2.0   # a playing session loses at most this much training, plus NODE_TTL_S
REPLY_TTL_S = 60           # an answer nobody collected (its caller timed out) goes away
CHECKPOINT_TTL_S = 24 * 3600   # a checkpoint of a session nobody removed (a lost web node)

NODES = f"{PREFIX}:nodes"                  # set: every trainer node ever registered, till failed over
SESSIONS = f"{PREFIX}:sessions"            # set: every live session's key
ROOMS = f"{PREFIX}:rooms"                  # set: every open room's code
SLOTS_LOCK = f"{PREFIX}:lock:slots"        # the limits are checked and a slot taken under it


def node(node_id: str) -> str:
    """hash: device, capacity, cores, host; expires NODE_TTL_S after the last heartbeat."""
    return f"{PREFIX}:node:{node_id}"


def inbox(node_id: str) -> str:
    """list: the requests and posts for a trainer node, oldest first."""
    return f"{PREFIX}:inbox:{node_id}"


def placed(node_id: str) -> str:
    """set: the sessions placed on a node."""
    return f"{PREFIX}:placed:{node_id}"


def kinds(node_id: str) -> str:
    """hash: architecture key -> how many of the node's sessions have it (placement)."""
    return f"{PREFIX}:kinds:{node_id}"


def session(key: str) -> str:
    """hash: owner, sid, node, address, memory, kind, used_at, detached_at."""
    return f"{PREFIX}:session:{key}"


def owned(owner: str) -> str:
    return f"{PREFIX}:owner:{owner}"


def at(address: str) -> str:
    return f"{PREFIX}:address:{address}"


def checkpoint(key: str) -> str:
    """string: a pickled checkpoint (records.checkpoint_of plus status, sid, room)."""
    return f"{PREFIX}:checkpoint:{key}"


def failover(node_id: str) -> str:
    """string: held by the web node that moves a dead node's sessions (SET NX)."""
    return f"{PREFIX}:failover:{node_id}"


def room(code: str) -> str:
    """hash: session_id, owner, pushed (JSON)."""
    return f"{PREFIX}:room:{code}"


def viewers(code: str) -> str:
    return f"{PREFIX}:viewers:{code}"


def connect(url: str) -> redis.Redis:
    """A client that gives up on a dead server within seconds rather than hanging a request."""
    return redis.Redis.from_url(url, socket_connect_timeout=2, health_check_interval=10)


def pack(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(blob: bytes | None):
    return None if blob is None else pickle.loads(blob)
