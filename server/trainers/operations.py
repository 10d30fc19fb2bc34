"""What a client can do to one of its sessions, as plain functions on the trainer's Entry.

Handlers and routes validate what they can without the session, then the runner has the
session's trainer `run(trainer, key, entry, op, args)` under the entry's lock. Every op answers
a dict; a refusal becomes `{"ok": false, "errors": [...]}`, so only plain data crosses a
process boundary.
"""
from __future__ import annotations

import logging

import numpy as np

from engine.frames import images as image_frames
from engine.frames import sequences as sequence_frames
from engine.export.files import zip_name, zipped
from engine.export.quantize import export_quantized, figures, quantize
from engine.data.drawing import DRAW_SIZE
from engine.frames.drawing import drawable, probe_drawing
from engine.frames.images import examples
from engine.frames.sequences import MAX_PROMPT, MAX_TEMPERATURE
from engine.frames.summary import summarize
from engine.spec.text import shown
from server.errors import PayloadError, outcome
from server import records
from server.specs import from_spec
from server.trainers.wire import packed

log = logging.getLogger(__name__)
VIEWS = image_frames.VIEWS + sequence_frames.VIEWS
MAX_EDIT_VALUE = 1e6      # a weight or bias typed into the diagram


# ---- payload checks that need the session ---------------------------------------------------

def index(data: dict, key: str, upper: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < upper:
        raise PayloadError(key, f"{shown(value)} is not an index from 0 to {upper - 1}")
    return value


def number(data: dict, key: str, bound: float = MAX_EDIT_VALUE) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not abs(value) <= bound:
        raise PayloadError(key, f"{shown(value)} is not a number from {-bound:g} to {bound:g}")
    return float(value)


def sequence_options(data: dict, layers: int) -> dict:
    """The sequence probes' settings from a view event: recurrent layer, prompt, temperature."""
    out = {}
    if "layer" in data:
        out["layer"] = index(data, "layer", max(1, layers))
    if "prompt" in data:
        prompt = data["prompt"]
        if not isinstance(prompt, str) or len(prompt) > MAX_PROMPT:
            raise PayloadError("prompt", f"must be text of at most {MAX_PROMPT} characters")
        out["prompt"] = prompt
    if "temperature" in data:
        value = data["temperature"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not 0 <= value <= MAX_TEMPERATURE:
            raise PayloadError("temperature", f"{shown(value)} is not a number from 0 to "
                                              f"{MAX_TEMPERATURE:g}")
        out["temperature"] = float(value)
    return out


# ---- the ops --------------------------------------------------------------------------------

def done(trainer, key, entry, frame: bool = True) -> dict:
    """The session's counters (and, by default, a frame of now)."""
    if frame:
        trainer.send_frame(key, entry)
    s = entry.session
    return {"status": s.status, "epoch": s.epoch, "step": s.step, "message": s.message,
            "device": s.device.type}


def spec_answer(spec) -> dict:
    return from_spec(spec).answer()


def opened(trainer, key, entry, args):
    return done(trainer, key, entry)


def attach(trainer, key, entry, args):
    trainer.attach(entry, args["sid"])
    return {**spec_answer(entry.session.spec), **done(trainer, key, entry)}


def detach(trainer, key, entry, args):
    entry.session.pause()
    entry.sid, entry.awaiting = None, None


def watch(trainer, key, entry, args):
    """A live room starts (or stops, room None) watching; whoever joined gets everything."""
    trainer.watch(entry, args["room"])
    return {**spec_answer(entry.session.spec), **done(trainer, key, entry)}


def restore(trainer, key, entry, args):
    entry.recording = records.restore(entry.session, args["record"])
    if "moved" in args:
        moved(trainer, key, entry, args["moved"])
    return done(trainer, key, entry)


def moved(trainer, key, entry, how: dict) -> None:
    """A session resumed here from the checkpoint of a trainer node that was lost
    (server.cluster.failover): it plays on if it was playing, its room keeps watching, and
    its client is told (a `moved` event, and the frame's message)."""
    s = entry.session
    if how.get("room"):
        trainer.watch(entry, how["room"])
    if how.get("status") == "playing":
        s.play()
    s.message = how["message"]                # after play(), which clears the last message
    if entry.sid is not None:
        trainer.emit("moved", {"session_id": key, "epoch": s.epoch, "message": how["message"]},
                     to=entry.sid)


def record(trainer, key, entry, args):
    return {"record": records.record_of(entry.session, entry.recording, args["title"],
                                args["description"], args["limit"])}


def tell_room(trainer, entry) -> None:
    """A room watching the session follows its spec (the students' page redraws the network)."""
    if entry.room is not None:
        trainer.emit("room_spec", spec_answer(entry.session.spec), to=entry.room)


def configure(trainer, key, entry, args):
    reset = entry.session.configure(args["spec"])
    if reset:
        trainer.reset_stream(entry)
    tell_room(trainer, entry)
    return {"reset": reset, **done(trainer, key, entry)}


def play(trainer, key, entry, args):
    try:
        entry.session.play()
    except RuntimeError as exc:
        raise PayloadError("status", str(exc)) from None
    return {"status": "playing"}


def pause(trainer, key, entry, args):
    entry.session.pause()
    return done(trainer, key, entry)


def step(trainer, key, entry, args):
    s = entry.session
    if s.status == "diverged":            # its weights are NaN or thrown off: training is moot
        raise PayloadError("status", s.message)
    s.pause()
    s.train_epoch() if args["unit"] == "epoch" else s.train_batch()
    if args["unit"] == "batch" or s.spec.data.family != "points":
        s.refresh()                 # an explicit step shows exact figures, mid-epoch too
    return done(trainer, key, entry)


def reset(trainer, key, entry, args):
    """A new start, as TF Playground's reset: fresh weights from the next initialisation seed
    (answered with the spec, so the run can be repeated), or the same start when asked."""
    s = entry.session
    s.reset() if s.spec.training.same_start else s.reseed()
    trainer.reset_stream(entry)
    tell_room(trainer, entry)
    return {**spec_answer(s.spec), **done(trainer, key, entry)}


def regenerate(trainer, key, entry, args):
    spec = entry.session.regenerate()
    tell_room(trainer, entry)
    return {**spec_answer(spec), **done(trainer, key, entry)}


def view(trainer, key, entry, data):
    """What is on screen: a focused neuron (2-D), probes and the sample (images)."""
    s = entry.session
    if "focus" in data:
        entry.focus = None if data["focus"] is None else index(
            data, "focus", max(1, s.neuron_count()))
    if "views" in data:
        views = data["views"]
        if not isinstance(views, list) or not all(v in VIEWS for v in views):
            raise PayloadError("views", f"must be a list of {', '.join(VIEWS)}")
        entry.views = frozenset(views)
    if "sample" in data:
        entry.sample = index(data, "sample", max(1, len(s.splits["test"])))
    entry.options.update(sequence_options(data, len(s.spec.model.layers)))
    return done(trainer, key, entry)


def confusion_examples(trainer, key, entry, data):
    """The test examples behind one confusion-matrix cell."""
    s = entry.session
    k = s.spec.data.n_classes
    if s.spec.data.family not in ("images", "tabular") or s.spec.model.task != "predict":
        raise PayloadError("true", "this model has no confusion matrix")
    images, meta = examples(s, index(data, "true", k), index(data, "pred", k))
    out = {"examples": meta}
    if images is not None:
        out["images"] = {"shape": list(images.shape), "dtype": "uint8", "data": images.tobytes()}
    return out


def probe_image(trainer, key, entry, data):
    """A drawing (float32 bytes, checked by server.sockets.drawing) through the session's image
    classifier: its prediction, class probabilities and feature maps, packed as a frame's."""
    s = entry.session
    if not drawable(s.spec):
        what = "an autoencoder" if s.spec.model.task != "predict" else s.spec.data.dataset
        raise PayloadError("pixels", f"only image classifiers take a drawing, not {what}")
    pixels = np.frombuffer(data["pixels"], dtype=np.float32).reshape(DRAW_SIZE, DRAW_SIZE)
    arrays, scalars = probe_drawing(s, pixels)
    return {**scalars, **packed(arrays)}


def _editable(entry, data) -> tuple[int, list]:
    if not entry.session.neuron_count():
        raise PayloadError("layer", "only 2-D playground networks have editable links")
    sizes = entry.session.model.sizes
    return index(data, "layer", len(sizes) - 1), sizes


def set_weight(trainer, key, entry, data):
    layer, sizes = _editable(entry, data)
    entry.session.set_weight(layer, index(data, "to", sizes[layer + 1]),
                             index(data, "from", sizes[layer]), number(data, "value"))
    return done(trainer, key, entry)


def set_bias(trainer, key, entry, data):
    layer, sizes = _editable(entry, data)
    entry.session.set_bias(layer, index(data, "unit", sizes[layer + 1]), number(data, "value"))
    return done(trainer, key, entry)


def summary(trainer, key, entry, args):
    return summarize(entry.session)


def brief(trainer, key, entry, args):
    s = entry.session
    return {"dataset": s.spec.data.dataset, "epoch": s.epoch, "status": s.status}


def export_zip(trainer, key, entry, args):
    """The export files (and the int8 model when quantised) as one zip's bytes."""
    q = entry.quantized
    extra = None if q is None else (lambda tmp: export_quantized(q, tmp))
    return {"zip": zipped(entry.session, extra), "name": zip_name(entry.session)}


def quantize_session(trainer, key, entry, args):
    entry.quantized = quantize(entry.session)
    return {**figures(entry.quantized), "epoch": entry.session.epoch}


OPS = {fn.__name__: fn for fn in (
    opened, attach, detach, watch, restore, record, configure, play, pause, step, reset, regenerate,
    view, confusion_examples, probe_image, set_weight, set_bias, summary, brief, export_zip,
    quantize_session)}


def run(trainer, key, entry, op: str, args: dict) -> dict:
    """Op `op` on the entry, under its lock, answered as an ack dict."""
    fn = OPS[op]
    with entry.lock:
        return outcome(fn, trainer, key, entry, args)

# Ops that leave the model and its training settings as they are: a batched group holding the
# session need not be taken apart for them.
READ_ONLY = frozenset({"opened", "attach", "detach", "watch", "view", "confusion_examples", "record",
                       "summary", "brief", "probe_image"})
