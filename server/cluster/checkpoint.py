"""Checkpoints in Redis: what a trainer node writes of its sessions every few seconds and after
each op that changes one (server.trainers.trainer.Trainer.checkpoint), and how a session is
built again from one on another node (server.cluster.failover) or on a restarted worker."""
from __future__ import annotations

import redis

from server.cluster import keys
from server.records import saved_spec

MOVED_MESSAGE = "moved to another trainer, resumed at epoch {epoch}"


def save(r: redis.Redis, checkpoints: dict[str, dict]) -> None:
    if not checkpoints:
        return
    with r.pipeline(transaction=False) as p:
        for key, cp in checkpoints.items():
            p.set(keys.checkpoint(key), keys.pack(cp), ex=keys.CHECKPOINT_TTL_S)
        p.execute()


def load(r: redis.Redis, key: str) -> dict | None:
    return keys.unpack(r.get(keys.checkpoint(key)))


def resume_request(key: str, cp: dict, sid: str | None) -> tuple:
    """The trainer `create` request that rebuilds session `key` from checkpoint `cp`, sending
    its frames to `sid` (the client may have re-attached since the checkpoint)."""
    epoch = cp["record"]["epoch"]
    how = {"message": MOVED_MESSAGE.format(epoch=epoch), "status": cp["status"],
           "room": cp["room"]}
    return (key, saved_spec(cp["record"]), sid, "restore", {"record": cp["record"],
                                                            "moved": how})
