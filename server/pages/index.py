"""Pages and REST: the index page, the schema the page renders controls from, dataset
previews, spec normalisation, and the front-end packages served from node_modules."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, jsonify, render_template, request

from engine.training import devices
from engine.data.errors import DataUnavailable
from engine.data.registry import DATASETS, PREVIEW_SEED, dataset, preview, sequence_preview
from engine.frames.points import EXTENT, GRID, THUMB
from engine.spec.fields import HIDEABLE
from engine.spec.schema import schema
from engine.spec.types import SpecError
from engine.spec.text import clip, shown
from server.config import ROOT
from server.errors import PayloadError
from server.limits import server_limits
from server.owners import claim_browser
from server.pages.assets import send_asset
from server.pages.api import json_body
from server.pages.uploads import limits as upload_limits, upload_limits as table_and_image_limits
from server.sockets.payloads import SPEC_SOURCE
from server.specs import resolve


bp = Blueprint("pages", __name__)
PREVIEW_EXAMPLES = 12
MAX_CLASS_DIGITS = 2

# What the page may load from node_modules (never a CDN): name → path in node_modules, or the
# paths to try in turn. plotly: the page draws only scatter and bar traces, which plotly's
# "basic" partial bundle has at a quarter of the full bundle's size.
VENDOR = {
    "plotly.min.js": "plotly.js-basic-dist-min/plotly-basic.min.js",
    "socket.io.esm.min.js": "socket.io-client/dist/socket.io.esm.min.js",
    "socket.io.esm.min.js.map": "socket.io-client/dist/socket.io.esm.min.js.map",
}


@bp.get("/")
def index():
    claim_browser()
    return render_template("index.html", schema_url="/api/schema")


@bp.get("/vendor/<name>")
def vendor(name: str):
    if name not in VENDOR:
        abort(404)
    return send_asset(vendor_path(name))


def vendor_path(name: str):
    """The file served as /vendor/<name>: the first of its paths that is installed."""
    paths = VENDOR[name] if isinstance(VENDOR[name], tuple) else (VENDOR[name],)
    found = [ROOT / "node_modules" / path for path in paths]
    return next((path for path in found if path.is_file()), found[-1])


@bp.get("/api/schema")
def api_schema():
    out = schema()
    out["grid"] = {"size": GRID, "thumb": THUMB, "extent": EXTENT}
    out["hideable"] = list(HIDEABLE)
    out["fps"] = current_app.config["FPS"]
    out["compute"] = {**devices.describe(),
                      "device": str(current_app.extensions["runner"].device)}
    out["limits"]["csv"] = upload_limits()
    out["limits"]["uploads"] = table_and_image_limits()
    out["limits"]["server"] = server_limits(current_app.config,
                                            current_app.extensions["limits"].rates)
    return jsonify(out)


@bp.get("/api/datasets/<name>/preview")
def api_preview(name: str):
    info = DATASETS.get(name)
    if info is None:
        return jsonify(errors=[{"path": "dataset", "message":
                                f"dataset: {shown(name)} is not one of {', '.join(DATASETS)}"}]), 404
    if info.upload:
        return jsonify(errors=[{"path": "dataset", "message": f"dataset: {name} is a person's "
                                f"upload; it has no preview"}]), 404
    if info.family == "sequences":
        return jsonify({**sequence_preview(name), "family": info.family, "problem": info.problem})
    if info.family != "points":
        return _fixed_preview(info)
    text = request.args.get("classes", "2")
    short_digits = text.isascii() and text.isdigit() and len(text) <= MAX_CLASS_DIGITS
    classes = int(text) if short_digits else -1            # not a small whole number: refused
    if info.problem == "classification" and not 2 <= classes <= info.max_classes:
        return jsonify(errors=[{"path": "classes", "message":
                                f"classes: {shown(text)} is not a whole number from 2 to "
                                f"{info.max_classes}"}]), 400
    x, y = preview(name, classes if info.problem == "classification" else 2)
    return jsonify(points=x.astype(float).round(3).tolist(),
                   labels=y.astype(float).round(4).tolist(),
                   problem=info.problem, dims=info.dims, family=info.family)


def _fixed_preview(info):
    """A few examples of an image or table dataset (images as uint8 pixel rows)."""
    try:
        x, y = dataset(info.name, PREVIEW_EXAMPLES, 0.0, PREVIEW_SEED,
                       data_dir=current_app.config["DATA_DIR"])
    except DataUnavailable as exc:
        return jsonify(errors=[{"path": "data.dataset", "message": f"data.dataset: {exc}"}]), 404
    body = {"labels": y.tolist(), "family": info.family, "shape": list(info.shape),
            "class_names": list(info.class_names), "problem": info.problem}
    if info.family == "images":
        body["images"] = (x[:, 0] * 255).round().astype("uint8").tolist()
    else:
        body["rows"] = x.round(2).tolist()
    return jsonify(body)


@bp.post("/api/spec")
def api_spec():
    try:
        body = json_body()
        unknown = set(body) - set(SPEC_SOURCE)
        if unknown:
            raise PayloadError(clip(sorted(unknown)[0]), "unknown field (allowed: spec or hash)")
        if len(body) != 1:
            raise PayloadError("", "send a JSON object with spec or hash (one of them)")
        return jsonify(resolve(body).answer())
    except (SpecError, PayloadError) as exc:
        return jsonify(errors=exc.errors), 400


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
