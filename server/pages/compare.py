"""Compare runs side by side: saved experiments (`e:<id>`) and this browser's live sessions
(`s:<id>`). `/compare?runs=...` is the page; `/api/compare?runs=...` each run's spec, history,
metrics and output picture with the spec fields that differ; `/api/compare/sessions` the live
sessions to pick from. Errors name `runs` or `runs[i]`; docs/protocol.md ("Compare runs").
"""
from __future__ import annotations

import functools
import json

from flask import Blueprint, Flask, current_app, jsonify, render_template, request, \
    session as cookie

from server import store
from engine.data.registry import DATASETS
from engine.frames.summary import output_of
from engine.spec.text import shown
from engine.spec.types import SpecError
from server.owners import OWNER_KEY, claim_browser
from server.records import recording_frames, recording_index
from server.specs import from_spec, parse

bp = Blueprint("compare", __name__)
MAX_RUNS = 12
MAX_RUNS_CHARS = 400            # MAX_RUNS ids of 24 characters and commas fit many times over
SAVED, LIVE = "e", "s"
KINDS = {SAVED: "saved", LIVE: "live"}
CACHED_RUNS = 64                # saved runs kept decoded (a few tens of KB each)
SAVED_COLUMNS = ("title", "spec", "history", "metrics", "epoch", "step", "device", "recording")
UNTITLED = "Untitled experiment"
NOT_COMPARED = ("version", "view")      # the same for every run, or display only


class RunError(ValueError):
    def __init__(self, status: int, path: str, message: str):
        super().__init__(message)
        self.status, self.error = status, {"path": path, "message": f"{path}: {message}"}


# ---- the list of runs -----------------------------------------------------------------------

def parse_runs(text: str) -> tuple[list[tuple[str, str]], list[dict]]:
    """`e:<id>,s:<id>` → [(kind letter, id)] and the errors of malformed items."""
    if len(text) > MAX_RUNS_CHARS:
        return [], [{"path": "runs", "message": f"runs: {len(text)} characters is more than "
                                                f"the {MAX_RUNS_CHARS} allowed"}]
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not 1 <= len(items) <= MAX_RUNS:
        return [], [{"path": "runs", "message": f"runs: name 1 to {MAX_RUNS} runs (got "
                                                f"{len(items)}), e.g. runs=e:<saved id>,s:<live session id>"}]
    runs, errors = [], []
    for i, item in enumerate(items):
        letter, _, ident = item.partition(":")
        if letter not in KINDS or not store.valid_id(ident):
            errors.append({"path": f"runs[{i}]", "message": f"runs[{i}]: {shown(item)} is not "
                           f"e:<saved experiment id> or s:<live session id> (ids are 22 "
                           f"characters of A-Z a-z 0-9 _ -)"})
        elif (letter, ident) in runs:
            errors.append({"path": f"runs[{i}]", "message": f"runs[{i}]: {shown(item)} is already "
                                                            f"in the list"})
        runs.append((letter, ident))
    return runs, errors


# ---- one run as JSON ------------------------------------------------------------------------

def _resolved(spec: dict) -> dict:
    """The spec's share hash and parameter count (None when it no longer parses)."""
    try:
        answer = from_spec(parse(spec)).answer()
    except SpecError:
        return {"hash": None, "params": None}
    return {"hash": answer["hash"], "params": sum(layer["params"] for layer in answer["plan"])}


@functools.lru_cache(maxsize=CACHED_RUNS)
def _saved(db: store.Store, exp_id: str) -> dict | None:
    record = db.load(exp_id, SAVED_COLUMNS)
    if record is None:
        return None
    spec = json.loads(record["spec"])
    blob = record["recording"]
    last = len(recording_index(blob)["frames"]) - 1
    frame = recording_frames(blob, range(last, last + 1))[0] if last >= 0 else None
    return {
        "kind": KINDS[SAVED], "label": record["title"] or UNTITLED, "url": f"/e/{exp_id}",
        "spec": spec, **_resolved(spec),
        "status": "saved", "message": None, "epoch": record["epoch"], "step": record["step"],
        "device": record["device"], "metrics": json.loads(record["metrics"]),
        "history": {"start": 0, **json.loads(record["history"])},
        "output": output_of(spec, frame.arrays if frame else {}, frame.scalars if frame else {}),
    }


def _live(session_id: str) -> dict | None:
    summary = current_app.extensions["runner"].summary(session_id, cookie.get(OWNER_KEY, ""))
    if summary is None:
        return None
    info = DATASETS[summary["spec"]["data"]["dataset"]]
    return {"kind": KINDS[LIVE], "label": f"{info.label} (live)", "url": None,
            **_resolved(summary["spec"]), **summary}


def load_run(i: int, letter: str, ident: str) -> dict:
    db = store.current()
    if letter == SAVED:     # still there? (its owner may have deleted it since it was cached)
        run = _saved(db, ident) if db.load(ident, ("id",)) else None
    else:
        run = _live(ident)
    if run is None:
        what = "saved experiment" if letter == SAVED else "live session in this browser"
        raise RunError(404, f"runs[{i}]", f"no {what} {letter}:{ident}")
    return {"run": f"{letter}:{ident}", **run}


# ---- differences ----------------------------------------------------------------------------

def leaves(value, path: str = "") -> dict:
    """{dotted path: value} of a spec's leaves (`model.layers[1].units`); lists of plain values
    (`data.features`) are one leaf."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out.update(leaves(item, f"{path}.{key}" if path else key))
        return out
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        out = {}
        for i, item in enumerate(value):
            out.update(leaves(item, f"{path}[{i}]"))
        return out
    return {path: value}


def differences(specs: list[dict]) -> tuple[list[dict], list[dict]]:
    """The fields whose values differ between the specs (each spec's value, None where it has
    no such field) and those that are the same, in the order they first appear."""
    flat = [leaves({k: v for k, v in spec.items() if k not in NOT_COMPARED}) for spec in specs]
    paths = list(dict.fromkeys(p for f in flat for p in f))
    differ, same = [], []
    for path in paths:
        values = [f.get(path) for f in flat]
        if all(v == values[0] and path in f for v, f in zip(values, flat)):
            same.append({"path": path, "value": values[0]})
        else:
            differ.append({"path": path, "values": values})
    return differ, same


# ---- HTTP -----------------------------------------------------------------------------------

def _errors(errors: list[dict], status: int):
    return jsonify(errors=errors), status


@bp.get("/compare")
def page():
    claim_browser()
    return render_template("compare.html", schema_url="/api/schema", max_runs=MAX_RUNS)


@bp.get("/api/compare")
def api_compare():
    runs, errors = parse_runs(request.args.get("runs", ""))
    if errors:
        return _errors(errors, 400)
    loaded, missing = [], []
    for i, (letter, ident) in enumerate(runs):
        try:
            loaded.append(load_run(i, letter, ident))
        except RunError as exc:
            missing.append(exc.error)
    if missing:
        return _errors(missing, 404)
    differ, same = differences([run["spec"] for run in loaded])
    response = jsonify(runs=loaded, differences=differ, same=same, max_runs=MAX_RUNS)
    response.headers["Cache-Control"] = "no-store"      # live runs change every second
    return response


@bp.get("/api/compare/sessions")
def api_sessions():
    runner = current_app.extensions["runner"]
    sessions = [{**s, "run": f"{LIVE}:{s['session_id']}",
                 "label": DATASETS[s["dataset"]].label}
                for s in runner.sessions_of(cookie.get(OWNER_KEY, ""))]
    response = jsonify(sessions=sessions)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
