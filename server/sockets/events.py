"""Socket.IO handlers, one `on_<event>` each: check the payload's keys (server.sockets.payloads),
validate what needs no session, take the rate limits' tokens (server.limits), then ask the
runner to run the op on the trainer that holds the session, and answer.

Every event answers `{"ok": true, ...}` or `{"ok": false, "errors": [{"path", "message"}]}`
(docs/protocol.md), an event no handler takes included. A session belongs to the browser whose
signed cookie opened it; any other client naming its id is told it does not exist.
"""
from __future__ import annotations

import functools
import logging

from flask import Flask, current_app, request, session as cookie
from flask_socketio import Namespace

from engine.spec.text import shown
from server import records, store
from server.sockets import drawing, rooms
from server.errors import PayloadError, errors_of
from server.limits import Connections
from server.owners import OWNER_KEY, address, address_tag, owner_id
from server.sockets.payloads import EVENT_FIELDS, payload, unknown_event
from server.specs import from_spec, resolve
from server.trainers.runner import Runner

log = logging.getLogger(__name__)


def answer(handler):
    """Check the payload against its event's fields, then turn the handler's dict or raised
    refusal into the ack payload; never crash."""
    event = handler.__name__.removeprefix("on_")

    @functools.wraps(handler)
    def wrapped(self, data=None):
        try:
            out = handler(self, payload(event, data)) or {}
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
    def __init__(self, runner: Runner, connections: Connections):
        super().__init__("/")
        self.runner, self.connections = runner, connections

    def trigger_event(self, event, *args):
        """Events no handler takes are answered, naming the event (python-socketio would ack
        them with nothing)."""
        if event not in ("connect", "disconnect") and event not in EVENT_FIELDS:
            return unknown_event(event)
        return super().trigger_event(event, *args)

    def _limit(self, kind: str) -> None:
        """Spend a token of `kind` for this browser and this address (SlowDown when out)."""
        current_app.extensions["limits"].take(kind, browser=owner_id(), address=address())

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
        refusal = self.connections.admit(request.sid, address(), owner_id())
        if refusal:
            raise ConnectionRefusedError(refusal)

    def on_disconnect(self, reason=None):
        self.connections.leave(request.sid)
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
        self._limit("open")
        key, reply = self.runner.create(resolved.parsed, owner_id(), request.sid,
                                        address=address())
        return {"session_id": key, **resolved.answer(), **reply} if reply["ok"] else reply

    def _fork(self, data: dict) -> dict:
        """A NEW session of this browser from a saved experiment (which stays as it is)."""
        record = store.current().load(data["experiment"])
        if record is None:
            raise PayloadError("experiment", "no such experiment")
        resolved = from_spec(records.saved_spec(record))
        self._limit("open")
        key, reply = self.runner.create(resolved.parsed, owner_id(), request.sid, "restore",
                                        {"record": record}, address=address())
        if not reply["ok"]:
            return reply
        return {"session_id": key, "experiment": data["experiment"], **resolved.answer(),
                **reply}

    @answer
    def on_save(self, data):
        """Store the session as an immutable experiment; answers its id and short URL."""
        self._mine(data)
        self._limit("save")
        limit = current_app.config["MAX_EXPERIMENT_BYTES"]
        title, description = [store.check_text(f, "" if data.get(f) is None else data[f])
                              for f in ("title", "description")]
        reply = self._call(data, "record", {"title": title, "description": description,
                                            "limit": limit})
        if not reply["ok"]:
            return reply
        c = current_app.config
        quota = store.Quota(owner_id(), address_tag(), c["SAVE_QUOTA_BROWSER_BYTES"],
                            c["SAVE_QUOTA_ADDRESS_BYTES"], c["MIN_FREE_DISK_BYTES"])
        exp_id = store.current().save(reply["record"], limit, quota)
        current_app.extensions["uploads"].pin_named(reply["record"]["spec"])
        return {"id": exp_id, "url": f"/e/{exp_id}"}

    @answer
    def on_configure(self, data):
        self._mine(data)
        resolved = resolve(data, required=True)
        self.runner.resize(data["session_id"], owner_id(), resolved.parsed)
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
            raise PayloadError("unit", f"{shown(unit)} is not one of epoch, batch")
        self._mine(data)
        self._limit("step")
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
    def on_probe_image(self, data):
        """A drawing from the pad through the session's image classifier."""
        self._mine(data)
        pixels = drawing.pixels_of(data)
        self._limit("probe")
        return self._call(data, "probe_image", {"pixels": pixels})

    @answer
    def on_set_weight(self, data):
        return self._call(data, "set_weight")

    @answer
    def on_set_bias(self, data):
        return self._call(data, "set_bias")

    @answer
    def on_frame_ack(self, data):
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
        limits = current_app.extensions["limits"]
        limits.take("room_guess", spend=False, browser=owner_id(), address=address())
        try:
            return self._room(rooms.room_join, data)
        except rooms.NoRoom:
            limits.take("room_guess", browser=owner_id(), address=address())
            raise

    @answer
    def on_room_leave(self, data):
        return self._room(rooms.room_leave, data)

    @answer
    def on_room_fork(self, data):
        self._limit("open")
        return self._room(rooms.room_fork, data)


def init_app(app: Flask, socketio) -> None:
    app.extensions["rooms"] = rooms.Rooms(app.extensions["runner"], socketio.emit)
    connections = Connections(app.config["MAX_SOCKETS_PER_ADDRESS"],
                              app.config["MAX_SOCKETS_PER_BROWSER"])
    socketio.on_namespace(PlaygroundNamespace(app.extensions["runner"], connections))
