"""Socket.IO handlers, one `on_<event>` each: validate what needs no session, then ask the
runner to run the op on the trainer that holds the session, and answer.

Every event answers `{"ok": true, ...}` or `{"ok": false, "errors": [{"path", "message"}]}`
(docs/protocol.md). A session belongs to the browser whose signed cookie opened it; any other
client naming its id is told it does not exist.
"""
from __future__ import annotations

import functools
import logging

from flask import Flask, current_app, request, session as cookie
from flask_socketio import Namespace

from server import records, store
from server.sockets import rooms
from server.errors import PayloadError, errors_of
from server.owners import OWNER_KEY, owner_id
from server.specs import from_spec, resolve
from server.trainers.runner import Runner

log = logging.getLogger(__name__)


def answer(handler):
    """Turn a handler's dict or raised validation error into the ack payload; never crash."""
    @functools.wraps(handler)
    def wrapped(self, data=None):
        data = {} if data is None else data
        if not isinstance(data, dict):
            return {"ok": False, "errors": [{"path": "", "message": "payload: must be an object"}]}
        try:
            out = handler(self, data) or {}
            return out if "ok" in out else {"ok": True, **out}
        except Exception as exc:
            errors = errors_of(exc)
            if errors is None:
                log.exception("handler %s failed", handler.__name__)
                errors = [{"path": "", "message": "internal server error"}]
            return {"ok": False, "errors": errors}
    return wrapped


def _ok(reply: dict | None) -> dict:
    """A trainer's answer as this handler's, or "no such session"."""
    if reply is None:
        raise PayloadError("session_id", "no such session")
    return reply


class PlaygroundNamespace(Namespace):
    def __init__(self, runner: Runner):
        super().__init__("/")
        self.runner = runner

    def _mine(self, data: dict) -> None:
        """Refuse a session that is not this browser's before looking at the rest."""
        if not self.runner.owns(data.get("session_id"), owner_id()):
            raise PayloadError("session_id", "no such session")

    def _call(self, data: dict, op: str, args: dict | None = None) -> dict:
        return _ok(self.runner.call(data.get("session_id"), owner_id(), op,
                                    data if args is None else args))

    def on_connect(self, auth=None):
        # Sessions belong to the browser's signed cookie, set by the page (GET /). A socket
        # without one would be a new "browser" per connection, dodging the per-browser limit.
        if OWNER_KEY not in cookie:
            return False

    def on_disconnect(self, reason=None):
        self.runner.detach(request.sid)
        rooms.disconnected(current_app.extensions["rooms"], request.sid)

    @answer
    def on_open(self, data):
        if "experiment" in data:                       # continue a saved experiment
            return self._fork(data)
        if "session_id" in data:                       # re-attach after a reconnect
            reply = self._call(data, "attach", {"sid": request.sid})
            return {"session_id": data["session_id"], **reply} if reply["ok"] else reply
        resolved = resolve(data)
        key, reply = self.runner.create(resolved.parsed, owner_id(), request.sid)
        return {"session_id": key, **resolved.answer(), **reply} if reply["ok"] else reply

    def _fork(self, data: dict) -> dict:
        """A NEW session of this browser from a saved experiment (which stays as it is)."""
        record = store.load(current_app.config["DATABASE"], data["experiment"])
        if record is None:
            raise PayloadError("experiment", "no such experiment")
        resolved = from_spec(records.saved_spec(record))
        key, reply = self.runner.create(resolved.parsed, owner_id(), request.sid, "restore",
                                        {"record": record})
        if not reply["ok"]:
            return reply
        return {"session_id": key, "experiment": data["experiment"], **resolved.answer(),
                **reply}

    @answer
    def on_save(self, data):
        """Store the session as an immutable experiment; answers its id and short URL."""
        self._mine(data)
        limit = current_app.config["MAX_EXPERIMENT_BYTES"]
        title, description = [store.check_text(f, "" if data.get(f) is None else data[f])
                              for f in ("title", "description")]
        reply = self._call(data, "record", {"title": title, "description": description,
                                            "limit": limit})
        if not reply["ok"]:
            return reply
        exp_id = store.save(current_app.config["DATABASE"], reply["record"], limit)
        return {"id": exp_id, "url": f"/e/{exp_id}"}

    @answer
    def on_configure(self, data):
        self._mine(data)
        resolved = resolve(data, required=True)
        reply = self._call(data, "configure", {"spec": resolved.parsed})
        return {**resolved.answer(), **reply} if reply["ok"] else reply

    @answer
    def on_play(self, data):
        return self._call(data, "play")

    @answer
    def on_pause(self, data):
        return self._call(data, "pause")

    @answer
    def on_step(self, data):
        unit = data.get("unit", "epoch")
        if unit not in ("epoch", "batch"):
            raise PayloadError("unit", f"{unit!r} is not one of epoch, batch")
        return self._call(data, "step", {"unit": unit})

    @answer
    def on_reset(self, data):
        return self._call(data, "reset")

    @answer
    def on_regenerate(self, data):
        return self._call(data, "regenerate")

    @answer
    def on_view(self, data):
        """What is on screen: a focused neuron (2-D), probes and the sample (images)."""
        return self._call(data, "view")

    @answer
    def on_examples(self, data):
        """The test examples behind one confusion-matrix cell."""
        return self._call(data, "confusion_examples")

    @answer
    def on_set_weight(self, data):
        return self._call(data, "set_weight")

    @answer
    def on_set_bias(self, data):
        return self._call(data, "set_bias")

    def on_frame_ack(self, data=None):
        data = data if isinstance(data, dict) else {}
        self.runner.ack(data.get("session_id"), owner_id(), data.get("seq"))

    # ---- live rooms (server.sockets.rooms) ----------------------------------------------------
    def _room(self, handler, data: dict) -> dict:
        return handler(self.runner, current_app.extensions["rooms"], owner_id(), request.sid,
                       data)

    @answer
    def on_room_open(self, data):
        return self._room(rooms.room_open, data)

    @answer
    def on_room_close(self, data):
        return self._room(rooms.room_close, data)

    @answer
    def on_room_push(self, data):
        return self._room(rooms.room_push, data)

    @answer
    def on_room_join(self, data):
        return self._room(rooms.room_join, data)

    @answer
    def on_room_leave(self, data):
        return self._room(rooms.room_leave, data)

    @answer
    def on_room_fork(self, data):
        return self._room(rooms.room_fork, data)


def init_app(app: Flask, socketio) -> None:
    app.extensions["rooms"] = rooms.Rooms(app.extensions["runner"], socketio.emit)
    socketio.on_namespace(PlaygroundNamespace(app.extensions["runner"]))
