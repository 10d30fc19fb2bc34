"""Socket.IO handlers: thin. Validate the payload, act on the session under its lock, answer.

Every event answers through its acknowledgement with `{"ok": true, ...}` or
`{"ok": false, "errors": [{"path", "message"}]}` (docs/protocol.md). A session belongs to the
browser whose signed cookie opened it; any other client naming its id is told it does not exist.
"""
from __future__ import annotations

import functools
import logging
import secrets

from flask import Flask, current_app, request, session as cookie
from flask_socketio import Namespace

from engine.data import DataUnavailable
from engine.image_views import VIEWS as IMAGE_VIEWS, examples
from engine.sequence_views import MAX_PROMPT, MAX_TEMPERATURE, VIEWS as SEQUENCE_VIEWS
from engine.spec import SpecError
from server import experiments, store
from server.runner import Full, Runner
from server.specs import from_spec, resolve

log = logging.getLogger(__name__)
OWNER_KEY = "owner"
VIEWS = IMAGE_VIEWS + SEQUENCE_VIEWS


class PayloadError(ValueError):
    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.errors = [{"path": path, "message": f"{path}: {message}"}]


OWNER_ID_BYTES = 16
MAX_EDIT_VALUE = 1e6      # a weight or bias typed into the diagram


def owner_id() -> str:
    """The browser's id from its signed cookie (the page sets it; see on_connect)."""
    if OWNER_KEY not in cookie:
        cookie[OWNER_KEY] = secrets.token_urlsafe(OWNER_ID_BYTES)
    return cookie[OWNER_KEY]


def answer(handler):
    """Turn a handler's dict or raised validation error into the ack payload; never crash."""
    @functools.wraps(handler)
    def wrapped(self, data=None):
        data = {} if data is None else data
        if not isinstance(data, dict):
            return {"ok": False, "errors": [{"path": "", "message": "payload: must be an object"}]}
        try:
            return {"ok": True, **(handler(self, data) or {})}
        except (SpecError, PayloadError) as exc:
            return {"ok": False, "errors": exc.errors}
        except Full as exc:
            return {"ok": False, "errors": [{"path": "", "message": str(exc)}]}
        except DataUnavailable as exc:
            return {"ok": False, "errors": [{"path": "data.dataset",
                                             "message": f"data.dataset: {exc}"}]}
        except Exception:
            log.exception("handler %s failed", handler.__name__)
            return {"ok": False, "errors": [{"path": "", "message": "internal server error"}]}
    return wrapped


def _index(data: dict, key: str, upper: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < upper:
        raise PayloadError(key, f"{value!r} is not an index from 0 to {upper - 1}")
    return value


def _number(data: dict, key: str, bound: float = MAX_EDIT_VALUE) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not abs(value) <= bound:
        raise PayloadError(key, f"{value!r} is not a number from {-bound:g} to {bound:g}")
    return float(value)


def _sequence_options(data: dict, layers: int) -> dict:
    """The sequence probes' settings from a view event: recurrent layer, prompt, temperature."""
    out = {}
    if "layer" in data:
        out["layer"] = _index(data, "layer", max(1, layers))
    if "prompt" in data:
        prompt = data["prompt"]
        if not isinstance(prompt, str) or len(prompt) > MAX_PROMPT:
            raise PayloadError("prompt", f"must be text of at most {MAX_PROMPT} characters")
        out["prompt"] = prompt
    if "temperature" in data:
        value = data["temperature"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not 0 <= value <= MAX_TEMPERATURE:
            raise PayloadError("temperature", f"{value!r} is not a number from 0 to "
                                              f"{MAX_TEMPERATURE:g}")
        out["temperature"] = float(value)
    return out


class PlaygroundNamespace(Namespace):
    def __init__(self, runner: Runner):
        super().__init__("/")
        self.runner = runner

    def _entry(self, data: dict):
        entry = self.runner.get(data.get("session_id"), owner_id())
        if entry is None:
            raise PayloadError("session_id", "no such session")
        return data["session_id"], entry

    def _done(self, key, entry, frame=True) -> dict:
        if frame:
            self.runner.send_frame(key, entry)
        s = entry.session
        return {"status": s.status, "epoch": s.epoch, "step": s.step, "message": s.message,
                "device": s.device.type}

    def on_connect(self, auth=None):
        # Sessions belong to the browser's signed cookie, set by the page (GET /). A socket
        # without one would be a new "browser" per connection, dodging the per-browser limit.
        if OWNER_KEY not in cookie:
            return False

    def on_disconnect(self, reason=None):
        self.runner.detach(request.sid)

    @answer
    def on_open(self, data):
        if "experiment" in data:                       # continue a saved experiment
            return self._fork(data)
        if "session_id" in data:                       # re-attach after a reconnect
            key, entry = self._entry(data)
            with entry.lock:
                self.runner.attach(entry, request.sid)
                return {"session_id": key, **from_spec(entry.session.spec).answer(),
                        **self._done(key, entry)}
        resolved = resolve(data)
        key, entry = self.runner.create(resolved.parsed, owner_id(), request.sid)
        with entry.lock:
            return {"session_id": key, **resolved.answer(), **self._done(key, entry)}

    def _fork(self, data: dict) -> dict:
        """A NEW session of this browser from a saved experiment (which stays as it is)."""
        record = store.load(current_app.config["DATABASE"], data["experiment"])
        if record is None:
            raise PayloadError("experiment", "no such experiment")
        resolved = from_spec(experiments.saved_spec(record))
        key, entry = self.runner.create(resolved.parsed, owner_id(), request.sid)
        with entry.lock:
            entry.recording = experiments.restore(entry.session, record)
            return {"session_id": key, "experiment": data["experiment"], **resolved.answer(),
                    **self._done(key, entry)}

    @answer
    def on_save(self, data):
        """Store the session as an immutable experiment; answers its id and short URL."""
        key, entry = self._entry(data)
        limit = current_app.config["MAX_EXPERIMENT_BYTES"]
        try:
            texts = [store.check_text(f, "" if data.get(f) is None else data[f])
                     for f in ("title", "description")]
            with entry.lock:
                record = experiments.record_of(entry.session, entry.recording, *texts, limit)
            exp_id = store.save(current_app.config["DATABASE"], record, limit)
        except store.RecordError as exc:
            raise PayloadError(exc.path, exc.detail) from None
        return {"id": exp_id, "url": f"/e/{exp_id}"}

    @answer
    def on_configure(self, data):
        key, entry = self._entry(data)
        resolved = resolve(data, required=True)
        with entry.lock:
            reset = entry.session.configure(resolved.parsed)
            if reset:
                self.runner.reset_stream(entry)
            return {**resolved.answer(), "reset": reset, **self._done(key, entry)}

    @answer
    def on_play(self, data):
        key, entry = self._entry(data)
        with entry.lock:
            try:
                entry.session.play()
            except RuntimeError as exc:
                raise PayloadError("status", str(exc)) from None
        self.runner.wake()
        return {"status": "playing"}

    @answer
    def on_pause(self, data):
        key, entry = self._entry(data)
        with entry.lock:
            entry.session.pause()
            return self._done(key, entry)

    @answer
    def on_step(self, data):
        key, entry = self._entry(data)
        unit = data.get("unit", "epoch")
        if unit not in ("epoch", "batch"):
            raise PayloadError("unit", f"{unit!r} is not one of epoch, batch")
        with entry.lock:
            s = entry.session
            s.pause()
            s.train_epoch() if unit == "epoch" else s.train_batch()
            if s.spec.data.family != "points":
                s.refresh()                 # an explicit step shows exact figures
            return self._done(key, entry)

    @answer
    def on_reset(self, data):
        key, entry = self._entry(data)
        with entry.lock:
            entry.session.reset()
            self.runner.reset_stream(entry)
            return self._done(key, entry)

    @answer
    def on_regenerate(self, data):
        key, entry = self._entry(data)
        with entry.lock:
            spec = entry.session.regenerate()
            return {**from_spec(spec).answer(), **self._done(key, entry)}

    @answer
    def on_view(self, data):
        """What is on screen: a focused neuron (2-D), probes and the sample (images)."""
        key, entry = self._entry(data)
        with entry.lock:
            s = entry.session
            if "focus" in data:
                entry.focus = None if data["focus"] is None else _index(
                    data, "focus", max(1, s.neuron_count()))
            if "views" in data:
                views = data["views"]
                if not isinstance(views, list) or not all(v in VIEWS for v in views):
                    raise PayloadError("views", f"must be a list of {', '.join(VIEWS)}")
                entry.views = frozenset(views)
            if "sample" in data:
                entry.sample = _index(data, "sample", max(1, len(s.splits["test"])))
            entry.options.update(_sequence_options(data, len(s.spec.model.layers)))
            return self._done(key, entry)

    @answer
    def on_examples(self, data):
        """The test examples behind one confusion-matrix cell."""
        key, entry = self._entry(data)
        with entry.lock:
            s = entry.session
            k = s.spec.data.n_classes
            if s.spec.data.family not in ("images", "tabular") or s.spec.model.task != "predict":
                raise PayloadError("true", "this model has no confusion matrix")
            images, meta = examples(s, _index(data, "true", k), _index(data, "pred", k))
            out = {"examples": meta}
            if images is not None:
                out["images"] = {"shape": list(images.shape), "dtype": "uint8",
                                 "data": images.tobytes()}
            return out

    def _edit(self, data: dict, apply) -> dict:
        """Validate the layer index, then let `apply(session, layer, sizes)` edit one value."""
        key, entry = self._entry(data)
        with entry.lock:
            if not entry.session.neuron_count():
                raise PayloadError("layer", "only 2-D playground networks have editable links")
            sizes = entry.session.model.sizes
            apply(entry.session, _index(data, "layer", len(sizes) - 1), sizes)
            return self._done(key, entry)

    @answer
    def on_set_weight(self, data):
        return self._edit(data, lambda s, layer, sizes: s.set_weight(
            layer, _index(data, "to", sizes[layer + 1]), _index(data, "from", sizes[layer]),
            _number(data, "value")))

    @answer
    def on_set_bias(self, data):
        return self._edit(data, lambda s, layer, sizes: s.set_bias(
            layer, _index(data, "unit", sizes[layer + 1]), _number(data, "value")))

    def on_frame_ack(self, data=None):
        data = data if isinstance(data, dict) else {}
        entry = self.runner.get(data.get("session_id"), owner_id())
        if entry is not None:
            self.runner.ack(entry, data.get("seq"))


def init_app(app: Flask, socketio) -> None:
    socketio.on_namespace(PlaygroundNamespace(app.extensions["runner"]))
