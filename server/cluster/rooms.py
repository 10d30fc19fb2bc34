"""Live rooms kept in Redis, for web nodes (server.sockets.rooms keeps them in one process): a
teacher on one node, students on others. A room is a hash (session, teacher, pushed spec) and a
set of viewer sockets; the room's channel is a Socket.IO room, which the message queue spans."""
from __future__ import annotations

import json

from server.cluster import keys
from server.errors import PayloadError
from server.sockets.rooms import MAX_VIEWERS, NoRoom, Room, Rooms, _new_code
from engine.spec.text import shown


class RedisRooms(Rooms):
    def __init__(self, runner, emit):
        super().__init__(runner, emit)
        self.redis = runner.redis

    def open(self, session_id, owner: str) -> Room:
        for code in self._codes():
            room = self._load(code)
            if room is not None and room.session_id == session_id and room.owner == owner:
                return room
        if len(self._codes()) >= self.max_rooms:
            raise PayloadError("room", f"the server has {self.max_rooms} rooms open; "
                                       f"close one or try later")
        code = _new_code()
        while not self.redis.hsetnx(keys.room(code), "session_id", str(session_id)):
            code = _new_code()
        self.redis.hset(keys.room(code), mapping={"owner": owner, "pushed": "null"})
        self.redis.sadd(keys.ROOMS, code)
        room = Room(code, session_id, owner)
        reply = self.runner.call(session_id, owner, "watch", {"room": room.channel})
        if not reply or not reply["ok"]:
            self._drop(code)
            raise PayloadError("session_id", "no such session")
        return room

    def _codes(self) -> list[str]:
        return [c.decode() for c in self.redis.smembers(keys.ROOMS)]

    def _load(self, code: str) -> Room | None:
        raw = self.redis.hgetall(keys.room(code))
        if b"owner" not in raw:
            return None
        viewers = {v.decode() for v in self.redis.smembers(keys.viewers(code))}
        return Room(code, raw[b"session_id"].decode(), raw[b"owner"].decode(), viewers,
                    json.loads(raw[b"pushed"]))

    def find(self, code) -> Room:
        room = self._load(code.strip().upper()) if isinstance(code, str) and \
            len(code) < 64 else None
        if room is None:
            raise NoRoom("code", f"no room has the code {shown(code)}: check it with your "
                                 f"teacher")
        return room

    def _drop(self, code: str) -> None:
        self.redis.delete(keys.room(code), keys.viewers(code))
        self.redis.srem(keys.ROOMS, code)

    def join(self, room: Room, sid: str) -> None:
        if self.redis.scard(keys.viewers(room.code)) >= MAX_VIEWERS:
            raise PayloadError("code", f"this room is full ({MAX_VIEWERS} watching)")
        self.redis.sadd(keys.viewers(room.code), sid)
        room.viewers.add(sid)

    def leave(self, sid: str) -> list[Room]:
        left = []
        for code in self._codes():
            if self.redis.srem(keys.viewers(code), sid):
                room = self._load(code)
                if room is not None:
                    left.append(room)
        return left

    def push(self, room: Room, pushed: dict) -> None:
        room.pushed = pushed
        self.redis.hset(keys.room(room.code), "pushed", json.dumps(pushed))

    def drop_viewer(self, room: Room, sid: str) -> bool:
        room.viewers.discard(sid)
        return bool(self.redis.srem(keys.viewers(room.code), sid))

    def announce(self, room: Room) -> None:
        room.viewers = {v.decode() for v in self.redis.smembers(keys.viewers(room.code))}
        super().announce(room)
