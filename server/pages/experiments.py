"""Saved experiments' pages: `/e/<id>` (the playground, read-only, with a replay slider) and
`/api/experiments/<id>[/frames[/<k>]]` (the record's summary and its recorded frames). Records
never change, so their answers are cached; a malformed id never reaches the database. Only the
browser that saved one may `DELETE /api/experiments/<id>` it (docs/protocol.md, "Saved
experiments").
"""
from __future__ import annotations

import base64
import json

import numpy as np
from flask import Blueprint, Flask, jsonify, render_template

from server import store
from engine.frames.recording import RecordedFrame
from engine.spec.text import shown
from engine.spec.types import SpecError
from server.owners import claim_browser, owner_id
from server.records import recording_frames, recording_index
from server.specs import from_spec, parse

bp = Blueprint("experiments", __name__)
CACHE = "public, max-age=31536000, immutable"     # a saved experiment never changes
MAX_INDEX_DIGITS = 4              # a frame index (recordings hold about 64)
SUMMARY = ("id", "created", "title", "description", "spec", "history", "metrics", "epoch",
           "step", "device", "recording")


# ---- a session as a record ------------------------------------------------------------------


# ---- a record back into a session -----------------------------------------------------------


# ---- HTTP -------------------------------------------------------------------------------------

def _not_found():
    return jsonify(errors=[{"path": "id", "message": "id: no such experiment"}]), 404


def _encode(frame: RecordedFrame, k: int) -> dict:
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
    record = store.current().load(exp_id, ("owner",))
    if record is None:
        return _not_found()
    owned = record["owner"] is not None and record["owner"] == claim_browser()
    return render_template("index.html", schema_url="/api/schema", experiment_id=exp_id,
                           experiment_owned=owned)


@bp.delete("/api/experiments/<exp_id>")
def delete(exp_id: str):
    """The owner deletes a saved experiment: 200, 404 unknown, 403 another browser's."""
    outcome = store.current().delete(exp_id, owner_id())
    if outcome == "missing":
        return _not_found()
    if outcome == "not yours":
        return jsonify(errors=[{"path": "id", "message": "id: only the browser that saved "
                                                        "this experiment may delete it"}]), 403
    return jsonify(deleted=exp_id)


@bp.get("/api/experiments/<exp_id>")
def summary(exp_id: str):
    record = store.current().load(exp_id, SUMMARY)
    if record is None:
        return _not_found()
    spec = json.loads(record["spec"])
    try:
        resolved = from_spec(parse(spec)).answer()
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
    record = store.current().load(exp_id, ("recording",))
    if record is None:
        return _not_found()
    blob = record["recording"]
    if k is None:
        return _cached(jsonify(frames=[_encode(f, i) for i, f in
                                       enumerate(recording_frames(blob))]))
    count = len(recording_index(blob)["frames"])
    short = k.isascii() and k.isdigit() and len(k) <= MAX_INDEX_DIGITS
    if not short or not int(k) < count:
        return jsonify(errors=[{"path": "frame", "message": f"frame: {shown(k)} is not an index "
                                                            f"from 0 to {count - 1}"}]), 404
    return _cached(jsonify(_encode(recording_frames(blob, range(int(k), int(k) + 1))[0],
                                   int(k))))


def init_app(app: Flask) -> None:
    app.config.setdefault("MAX_EXPERIMENT_BYTES", store.MAX_RECORD_BYTES)
    app.register_blueprint(bp)
