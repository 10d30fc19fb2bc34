"""Saved experiments: what a record holds, how a session becomes one and back, and their pages.

A record (server/store.py's columns) is the spec JSON, the model's weights and the optimiser's
moments as safetensors (never pickle), the metric history as JSON, and the run's recording
(engine/recording.py) as an npz of plain arrays read with `allow_pickle=False`:
member `index` is a uint8 array holding JSON
`{"format": 1, "stride": s, "frames": [{"epoch": e, "arrays": [name, ...], "scalars": {...}}]}`
and member `"<k>:<name>"` is array `name` of frame k. Records are immutable: "continue
training" restores one into a NEW session (socket `open {"experiment": id}`).

  GET /e/<id>                          the page, with `experiment_id` for the front-end
  GET /api/experiments/<id>            title, description, spec, hash, plan, history, metrics,
                                       counters and the recording's index
  GET /api/experiments/<id>/frames     every recorded frame (arrays base64-encoded)
  GET /api/experiments/<id>/frames/<k> frame k only
Errors are JSON `{"errors": [{"path", "message"}]}` with 404; a malformed id never reaches
the database.
"""
from __future__ import annotations

import base64
import io
import json

import numpy as np
import torch
from flask import Blueprint, Flask, current_app, jsonify, render_template, request, \
    session as cookie
from safetensors.torch import load as load_tensors, save as save_tensors

from engine.recording import Frame, Recording
from engine.session import History, Session
from engine.spec import SpecError, parse_spec
from engine.views import finite
from server import store
from server.specs import from_spec

bp = Blueprint("experiments", __name__)
FORMAT = 1
INDEX = "index"                   # the npz member holding the recording's JSON index
STEP_KEY = "t"                    # the optimiser's step count, beside its moments
CACHE = "public, max-age=31536000, immutable"     # a saved experiment never changes
MAX_INDEX_DIGITS = 4              # a frame index (recordings hold about 64)
SUMMARY = ("id", "created", "title", "description", "spec", "history", "metrics", "epoch",
           "step", "device", "recording")


# ---- a session as a record ------------------------------------------------------------------

def record_of(session: Session, recording: Recording, title: str, description: str,
              max_bytes: int = store.MAX_RECORD_BYTES) -> dict:
    """Everything store.save needs (caller holds the session's lock). Adam's moments are
    twice the weights: when they alone push a record over `max_bytes`, it is saved without
    them (a fork then starts the optimiser afresh)."""
    record = {
        "format": FORMAT, "title": title, "description": description,
        "spec": json.dumps(session.spec.to_dict()),
        "weights": save_tensors({k: v.detach().cpu().contiguous().clone()
                                 for k, v in session.model.state_dict().items()}),
        "optimizer": _optimizer_bytes(session.optimizer),
        "history": json.dumps(finite({**{k: list(getattr(session.history, k))
                                         for k in History.KEYS},
                                      "stride": session.history.stride})),
        "recording": pack_recording(*frames_to_save(session, recording)),
        "metrics": json.dumps(finite(dict(session.metrics))),
        "epoch": session.epoch, "step": session.step, "device": session.device.type,
    }
    if store.size_of(record) > max_bytes:
        record["optimizer"] = _optimizer_bytes(None)
    return record


def _optimizer_bytes(optimizer) -> bytes:
    """The moments as `<key>.<parameter index>` and the step count; None: no moments, t 0."""
    if optimizer is None:
        return save_tensors({STEP_KEY: torch.tensor(0, dtype=torch.int64)})
    tensors = {f"{key}.{i}": t.detach().cpu().contiguous().clone()
               for key, ts in optimizer.state.items() for i, t in enumerate(ts)}
    return save_tensors({**tensors, STEP_KEY: torch.tensor(optimizer.t, dtype=torch.int64)})


def frames_to_save(session: Session, recording: Recording) -> tuple[list[Frame], int]:
    """The live recording's earlier frames and a snapshot of now (which, as a first frame,
    carries the data too: the saved page draws the last frame first)."""
    now = Recording()
    now.capture(session)
    earlier = [f for f in recording.frames if f.epoch < session.epoch]
    return earlier + now.frames, recording.stride


def pack_recording(frames: list[Frame], stride: int) -> bytes:
    index = {"format": FORMAT, "stride": stride, "frames": []}
    arrays = {}
    for k, frame in enumerate(frames):
        index["frames"].append({"epoch": frame.epoch, "arrays": sorted(frame.arrays),
                                "scalars": finite(frame.scalars)})
        arrays.update({f"{k}:{name}": np.ascontiguousarray(a) for name, a in frame.arrays.items()})
    arrays[INDEX] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


# ---- a record back into a session -----------------------------------------------------------

def recording_index(blob: bytes) -> dict:
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        return json.loads(z[INDEX].tobytes())


def recording_frames(blob: bytes, which: range | None = None) -> list[Frame]:
    """Frames `which` (all by default) of a packed recording."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        index = json.loads(z[INDEX].tobytes())["frames"]
        which = range(len(index)) if which is None else which
        return [Frame(index[k]["epoch"], {n: z[f"{k}:{n}"] for n in index[k]["arrays"]},
                      index[k]["scalars"]) for k in which]


def restore(session: Session, record: dict) -> Recording:
    """Load a record's weights, optimiser, history and counters into a session built from its
    spec; the recording the new session goes on from."""
    saved = json.loads(record["history"])
    history = History(**{k: saved[k] for k in History.KEYS}, stride=saved["stride"])
    moments = load_tensors(record["optimizer"])
    step_count = int(moments.pop(STEP_KEY))
    state: dict[str, list] = {}
    for name in sorted(moments, key=lambda n: int(n.rpartition(".")[2])):
        state.setdefault(name.rpartition(".")[0], []).append(moments[name])
    session.restore(load_tensors(record["weights"]), history, record["epoch"], record["step"],
                    {"t": step_count, "state": state})
    index = recording_index(record["recording"])
    return Recording(recording_frames(record["recording"]), index["stride"])


def saved_spec(record: dict):
    return parse_spec(json.loads(record["spec"]))


# ---- HTTP -------------------------------------------------------------------------------------

def _not_found():
    return jsonify(errors=[{"path": "id", "message": "id: no such experiment"}]), 404


def _encode(frame: Frame, k: int) -> dict:
    """A recorded frame as JSON, shaped like a live frame but with base64 array data."""
    arrays = {}
    for name, a in frame.arrays.items():
        a = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))     # little-endian bytes
        arrays[name] = {"shape": list(a.shape), "dtype": a.dtype.name,
                        "data_b64": base64.b64encode(a.tobytes()).decode("ascii")}
    return {"index": k, "epoch": frame.epoch, **frame.scalars, "arrays": arrays}


def _cached(response):
    response.headers["Cache-Control"] = CACHE
    return response


@bp.get("/e/<exp_id>")
def page(exp_id: str):
    if store.load(current_app.config["DATABASE"], exp_id, ("id",)) is None:
        return _not_found()
    from server.events import owner_id      # events imports this module: import when used
    owner_id()                              # the page's socket needs the browser's cookie
    cookie.permanent = True
    return render_template("index.html", schema_url="/api/schema", experiment_id=exp_id)


@bp.get("/api/experiments/<exp_id>")
def summary(exp_id: str):
    record = store.load(current_app.config["DATABASE"], exp_id, SUMMARY)
    if record is None:
        return _not_found()
    spec = json.loads(record["spec"])
    try:
        resolved = from_spec(parse_spec(spec)).answer()
    except SpecError:                       # saved under an older schema: shown, not runnable
        resolved = {"spec": spec, "hash": None, "plan": None}
    index = recording_index(record["recording"])
    history = json.loads(record["history"])
    return _cached(jsonify({
        **{k: record[k] for k in ("id", "created", "title", "description", "epoch", "step",
                                  "device")},
        **resolved, "metrics": json.loads(record["metrics"]),
        "history": {"start": 0, **history},
        "recording": {"stride": index["stride"],
                      "epochs": [f["epoch"] for f in index["frames"]]},
    }))


@bp.get("/api/experiments/<exp_id>/frames")
@bp.get("/api/experiments/<exp_id>/frames/<k>")
def frames(exp_id: str, k: str | None = None):
    record = store.load(current_app.config["DATABASE"], exp_id, ("recording",))
    if record is None:
        return _not_found()
    blob = record["recording"]
    if k is None:
        return _cached(jsonify(frames=[_encode(f, i) for i, f in
                                       enumerate(recording_frames(blob))]))
    count = len(recording_index(blob)["frames"])
    short = k.isascii() and k.isdigit() and len(k) <= MAX_INDEX_DIGITS
    if not short or not int(k) < count:
        return jsonify(errors=[{"path": "frame", "message": f"frame: {k!r} is not an index "
                                                            f"from 0 to {count - 1}"}]), 404
    return _cached(jsonify(_encode(recording_frames(blob, range(int(k), int(k) + 1))[0],
                                   int(k))))


def _route_not_found(exc):
    """An address under /e/ or /api/experiments/ that matches no route: JSON like the rest."""
    if request.path.startswith(("/e/", "/api/experiments/")):
        return _not_found()
    return exc


def init_app(app: Flask) -> None:
    app.config.setdefault("MAX_EXPERIMENT_BYTES", store.MAX_RECORD_BYTES)
    app.register_blueprint(bp)
    app.register_error_handler(404, _route_not_found)
