"""Requests to a trainer node over Redis: the same request/post as a worker's pipe
(server.trainers.workers), carried by the node's inbox list.

A request is RPUSHed as (reply_key, method, args); the node answers (ok, value) on reply_key,
which the caller BLPOPs. A post has no reply key. One list per node keeps a session's ops in
the order its web node sent them.
"""
from __future__ import annotations

import secrets
import time

import redis

from server.cluster import keys
from server.errors import Unavailable

CALL_TIMEOUT_S = 120.0     # as a local trainer's: an export takes seconds
WAIT_SLICE_S = 1           # between slices the caller checks that the node is still alive


class NodeGone(Unavailable):
    """The node stopped beating while the caller waited: the request may not have run."""


def request(r: redis.Redis, node_id: str, method: str, *args, timeout: float = CALL_TIMEOUT_S):
    reply_key = f"{keys.PREFIX}:reply:{secrets.token_hex(8)}"
    r.rpush(keys.inbox(node_id), keys.pack((reply_key, method, args)))
    deadline = time.monotonic() + timeout
    while True:
        got = r.blpop([reply_key], timeout=WAIT_SLICE_S)
        if got is not None:
            ok, value = keys.unpack(got[1])
            if ok:
                return value
            raise RuntimeError(value)
        if not r.exists(keys.node(node_id)):
            raise NodeGone(f"trainer node {node_id} stopped")
        if time.monotonic() > deadline:
            raise Unavailable(f"the trainer did not answer in {timeout:g} s")


def post(r: redis.Redis, node_id: str, method: str, *args) -> None:
    r.rpush(keys.inbox(node_id), keys.pack((None, method, args)))


def answer(r: redis.Redis, reply_key: str | None, ok: bool, value) -> None:
    if reply_key is None:
        return
    with r.pipeline() as p:
        p.rpush(reply_key, keys.pack((ok, value if ok else f"{type(value).__name__}: {value}")))
        p.expire(reply_key, keys.REPLY_TTL_S)
        p.execute()
