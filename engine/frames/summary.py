"""A run as plain JSON for the Compare page: spec, counters, metrics, whole history and its
main output picture (`output_kind`: a map, a confusion matrix, a series, a text sample or
none), small enough to send every second. The same selection serves a live session
(`summarize`) and a saved one (`output_of` its last recorded frame), so both draw alike.
"""
from __future__ import annotations

import base64

import numpy as np

from engine.data.registry import DATASETS
from engine.frames.common import finite
from engine.frames.snapshot import snapshot


# The probes each output kind needs (snapshot's `views`).
OUTPUT_VIEWS = {
    "map": frozenset(), "confusion": frozenset({"confusion"}),
    "series": frozenset({"series"}), "text": frozenset({"text"}), "none": frozenset(),
}
# The frame arrays each output kind keeps (a map's test points only when the spec shows them).
OUTPUT_ARRAYS = {
    "map": ("output", "output_class", "curve", "train_x", "train_y"),
    "confusion": ("confusion",),
    "series": ("series_input", "series_target", "series_prediction", "forecast", "forecast_truth"),
    "text": (), "none": (),
}
TEST_POINTS = ("test_x", "test_y")
# Recordings sample saved runs' text at this temperature: live samples match them.
TEXT_OPTIONS = {"temperature": 0.5}


def output_kind(spec: dict) -> str:
    """Which output picture a run has, from its spec as JSON (a saved spec may be old: an
    unknown dataset has none)."""
    info = DATASETS.get(spec.get("data", {}).get("dataset"))
    if info is None or spec.get("model", {}).get("task") == "autoencoder":
        return "none"
    if info.family == "points":
        return "map"
    if info.family in ("images", "tabular"):
        return "confusion"
    if info.problem == "regression":
        return "series"
    return "text" if info.vocab else "none"


def encode_array(a: np.ndarray) -> dict:
    """An array as JSON: shape, dtype and base64 of its little-endian bytes."""
    a = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))
    return {"shape": list(a.shape), "dtype": a.dtype.name,
            "data_b64": base64.b64encode(a.tobytes()).decode("ascii")}


def output_of(spec: dict, arrays: dict, scalars: dict) -> dict:
    """The output picture of a run from a frame's arrays and scalars (live or recorded)."""
    kind = output_kind(spec)
    names = OUTPUT_ARRAYS[kind]
    if kind == "map" and spec.get("view", {}).get("show_test_data"):
        names += TEST_POINTS
    out = {"kind": kind, "arrays": {n: encode_array(arrays[n]) for n in names if n in arrays}}
    if kind == "text" and "text" in scalars:
        out["text"] = scalars["text"]
    return out


def summarize(session) -> dict:
    """A live session as JSON (the caller holds its lock)."""
    spec = session.spec.to_dict()
    kind = output_kind(spec)
    shot = snapshot(session, views=OUTPUT_VIEWS[kind], include_data=kind == "map",
                    options=TEXT_OPTIONS)
    history = session.history
    return {
        "spec": spec, "status": session.status, "message": session.message,
        "epoch": session.epoch, "step": session.step, "device": session.device.type,
        "best_epoch": session.best_epoch, "metrics": finite(dict(session.metrics)),
        "history": finite({**history.since(0), "stride": history.stride}),
        "output": output_of(spec, shot.arrays, shot.scalars),
    }
