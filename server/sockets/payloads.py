"""What each socket event may carry: the one table of payload fields, checked before a handler
runs, so an unknown key or a payload that is not an object is refused naming it.

Values are checked where they are used (engine.spec.parse for specs, the ops for indices and
numbers): this table only says which keys an event takes. `session_id` is accepted by every
event the page sends about its session; the page adds it to room_close and room_push too.
"""
from __future__ import annotations

from engine.spec.text import clip, shown
from server.errors import PayloadError

SPEC_SOURCE = ("spec", "hash")
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "open": ("session_id", "experiment") + SPEC_SOURCE,
    "configure": ("session_id",) + SPEC_SOURCE,
    "play": ("session_id",),
    "pause": ("session_id",),
    "reset": ("session_id",),
    "regenerate": ("session_id",),
    "step": ("session_id", "unit"),
    "view": ("session_id", "focus", "views", "sample", "layer", "prompt", "temperature"),
    "examples": ("session_id", "true", "pred"),
    "probe_image": ("session_id", "pixels"),
    "set_weight": ("session_id", "layer", "to", "from", "value"),
    "set_bias": ("session_id", "layer", "unit", "value"),
    "save": ("session_id", "title", "description"),
    "frame_ack": ("session_id", "seq"),
    "room_open": ("session_id",),
    "room_close": ("session_id", "code"),
    "room_push": ("session_id", "code") + SPEC_SOURCE,
    "room_join": ("code",),
    "room_leave": ("code",),
    "room_fork": ("code",),
}
# `open` takes exactly one of these: a re-attach, a saved experiment, or a spec source.
OPEN_SOURCES = ("session_id", "experiment") + SPEC_SOURCE


def payload(event: str, data) -> dict:
    """The event's payload as a dict of known keys, or PayloadError naming what is wrong."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PayloadError("", f"payload: must be an object, not {shown(data)}")
    allowed = EVENT_FIELDS[event]
    for key in data:
        if key not in allowed:
            name = clip(key) if isinstance(key, str) and key else shown(key)   # '' has a name
            raise PayloadError(name, f"unknown field for {event} (allowed: {', '.join(allowed)})")
    if event == "open":
        given = [k for k in OPEN_SOURCES if k in data]
        if len(given) > 1:
            raise PayloadError(given[1], f"open takes one of {', '.join(OPEN_SOURCES)}; "
                                         f"got {', '.join(given)}")
    elif "spec" in data and "hash" in data:
        raise PayloadError("hash", "send a spec or a hash, not both")
    return data


def unknown_event(event) -> dict:
    """The answer to an event no handler takes."""
    return {"ok": False, "errors": [{"path": "event", "message": (
        f"event: {shown(event)} is not an event this server takes (events: "
        f"{', '.join(EVENT_FIELDS)})")}]}
