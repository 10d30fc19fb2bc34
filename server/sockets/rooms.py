"""Live rooms: a teacher shows one session to a class.

The teacher opens a room on a session and gets a join code and link (`/r/<code>`); students
who join receive that session's frames (with a history cursor of their own), may open the
teacher's pushed specs or fork the session as their own, and never drive it: every session op
still needs the owner's cookie. Events and answers: docs/protocol.md ("Live rooms").
"""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field

from flask import current_app
from flask_socketio import join_room, leave_room

from engine.spec.text import shown

from server.errors import PayloadError
from server.owners import address
from server.records import saved_spec
from server.specs import from_spec, resolve


CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"     # no 0/O, 1/I: read off a projector
CODE_LENGTH = 6                                         # 32^6 ≈ 10^9 codes
MAX_ROOMS = 100
MAX_VIEWERS = 200


class NoRoom(PayloadError):
    """No open room has the code: a wrong guess, charged to the guesser (server.limits)."""


def normal_code(text) -> str:
    """A code as typed (any case, spaces around, a dash in the middle) as the rooms know it."""
    return str(text).strip().replace("-", "").replace(" ", "").upper()[:CODE_LENGTH * 2]


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass
class Room:
    code: str
    session_id: str
    owner: str                       # the teacher's browser
    viewers: set = field(default_factory=set)      # student socket ids
    pushed: dict | None = None       # the last spec the teacher pushed

    @property
    def channel(self) -> str:
        return f"room:{self.code}"


class Rooms:
    def __init__(self, runner, emit, max_rooms: int = MAX_ROOMS):
        self.runner, self.emit, self.max_rooms = runner, emit, max_rooms
        self.by_code: dict[str, Room] = {}
        self.lock = threading.Lock()

    def open(self, session_id, owner: str) -> Room:
        with self.lock:
            for room in self.by_code.values():
                if room.session_id == session_id and room.owner == owner:
                    return room                                # one room per session
            if len(self.by_code) >= self.max_rooms:
                raise PayloadError("room", f"the server has {self.max_rooms} rooms open; "
                                           f"close one or try later")
            code = _new_code()
            while code in self.by_code:
                code = _new_code()
            room = self.by_code[code] = Room(code, session_id, owner)
        reply = self.runner.call(session_id, owner, "watch", {"room": room.channel})
        if not reply or not reply["ok"]:
            self._drop(code)
            raise PayloadError("session_id", "no such session")
        return room

    def is_open(self, code) -> bool:
        return normal_code(code) in self.by_code

    def find(self, code) -> Room:
        room = self.by_code.get(normal_code(code)) if isinstance(code, str) else None
        if room is None:
            raise NoRoom("code", f"no room has the code {shown(code)}: check it with your "
                                 f"teacher")
        return room

    def mine(self, code, owner: str) -> Room:
        room = self.find(code)
        if room.owner != owner:
            raise PayloadError("code", "only the teacher who opened the room can do that")
        return room

    def close(self, room: Room) -> None:
        self._drop(room.code)
        self.runner.call(room.session_id, room.owner, "watch", {"room": None})
        self.emit("room", {"code": room.code, "viewers": 0, "open": False}, to=room.channel)

    def _drop(self, code: str) -> None:
        with self.lock:
            self.by_code.pop(code, None)

    def join(self, room: Room, sid: str) -> None:
        with self.lock:
            if len(room.viewers) >= MAX_VIEWERS:
                raise PayloadError("code", f"this room is full ({MAX_VIEWERS} watching)")
            room.viewers.add(sid)

    def leave(self, sid: str) -> list[Room]:
        with self.lock:
            left = [r for r in self.by_code.values() if sid in r.viewers]
            for room in left:
                room.viewers.discard(sid)
        return left

    def push(self, room: Room, pushed: dict) -> None:
        room.pushed = pushed

    def drop_viewer(self, room: Room, sid: str) -> bool:
        """Whether `sid` was watching `room` (it no longer is)."""
        with self.lock:
            was = sid in room.viewers
            room.viewers.discard(sid)
        return was

    def announce(self, room: Room) -> None:
        """The viewer count, to the room and the teacher's socket."""
        payload = {"code": room.code, "viewers": len(room.viewers), "open": True}
        self.emit("room", payload, to=room.channel)
        teacher = self.runner.sid_of(room.session_id)
        if teacher is not None:
            self.emit("room", payload, to=teacher)


# ---- the socket events (each wrapped by its on_<event> handler) ----------------------------

def room_open(runner, rooms: Rooms, owner: str, sid: str, data: dict) -> dict:
    room = rooms.open(data.get("session_id"), owner)
    return {"code": room.code, "url": f"/r/{room.code}", "viewers": len(room.viewers)}


def room_close(runner, rooms: Rooms, owner: str, sid: str, data: dict) -> dict:
    rooms.close(rooms.mine(data.get("code"), owner))
    return {}


def room_push(runner, rooms: Rooms, owner: str, sid: str, data: dict) -> dict:
    room = rooms.mine(data.get("code"), owner)
    resolved = resolve(data, required=True)
    rooms.push(room, {"spec": resolved.spec, "hash": resolved.hash})
    rooms.emit("room_push", room.pushed, to=room.channel)
    return {"viewers": len(room.viewers)}


def room_join(runner, rooms: Rooms, owner: str, sid: str, data: dict) -> dict:
    room = rooms.find(data.get("code"))
    rooms.join(room, sid)
    join_room(room.channel)
    reply = runner.call(room.session_id, room.owner, "watch", {"room": room.channel})
    if not reply or not reply["ok"]:                 # the teacher's session has gone
        rooms.close(room)
        raise PayloadError("code", "this room has closed")
    rooms.announce(room)
    return {**{k: v for k, v in reply.items() if k != "ok"}, "code": room.code,
            "viewers": len(room.viewers), "pushed": room.pushed}


def room_leave(runner, rooms: Rooms, owner: str, sid: str, data: dict) -> dict:
    room = rooms.find(data.get("code"))
    leave_room(room.channel)
    if rooms.drop_viewer(room, sid):
        rooms.announce(room)
    return {}


def room_fork(runner, rooms: Rooms, owner: str, sid: str, data: dict) -> dict:
    """The teacher's session as it is now, as a new session of this student's."""
    room = rooms.find(data.get("code"))
    if sid not in room.viewers:
        raise PayloadError("code", "join the room first")
    reply = runner.call(room.session_id, room.owner, "record",
                        {"title": "", "description": "",
                         "limit": current_app.config["MAX_EXPERIMENT_BYTES"]})
    if not reply or not reply["ok"]:
        raise PayloadError("code", "this room has closed")
    resolved = from_spec(saved_spec(reply["record"]))
    key, answer = runner.create(resolved.parsed, owner, sid, "restore",
                                {"record": reply["record"]}, address=address())
    if not answer["ok"]:
        return answer
    return {"session_id": key, **resolved.answer(), **answer}


def disconnected(rooms: Rooms, sid: str) -> None:
    for room in rooms.leave(sid):
        rooms.announce(room)
