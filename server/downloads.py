"""Export and quantise a live session over HTTP: the page's Export and Quantise actions.

`GET /api/sessions/<id>/export.zip` returns the standalone PyTorch script, safetensors
weights, ONNX model, spec JSON and history CSV (engine/export.py), plus the int8 model when the
session was quantised; `POST /api/sessions/<id>/quantize` quantises the trained net and answers
its size and test accuracy before and after (engine/quantize.py). Both read the owner cookie:
a session is only ever exported by the browser that made it.
"""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from flask import Blueprint, Flask, current_app, jsonify, send_file, session as cookie

from engine.export import ExportError, export
from engine.quantize import QuantizeError, export_quantized, figures, quantize
from server.events import OWNER_KEY

bp = Blueprint("downloads", __name__)


def _entry(session_id: str):
    runner = current_app.extensions["runner"]
    return runner.get(session_id, cookie.get(OWNER_KEY, ""))


def _not_found():
    return jsonify(errors=[{"path": "session_id", "message": "session_id: no such session"}]), 404


@bp.get("/api/sessions/<session_id>/export.zip")
def export_zip(session_id: str):
    entry = _entry(session_id)
    if entry is None:
        return _not_found()
    with tempfile.TemporaryDirectory() as tmp, entry.lock:
        try:
            files = export(entry.session, tmp)
            if entry.quantized is not None:
                files.update(export_quantized(entry.quantized, tmp))
        except ExportError as exc:
            return jsonify(errors=[{"path": "", "message": f"export: {exc}"}]), 422
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for path in files.values():
                z.write(path, Path(path).name)
    buffer.seek(0)
    name = f"nn-playground-{entry.session.spec.data.dataset}-epoch{entry.session.epoch}.zip"
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=name)


@bp.post("/api/sessions/<session_id>/quantize")
def quantize_session(session_id: str):
    entry = _entry(session_id)
    if entry is None:
        return _not_found()
    with entry.lock:
        try:
            entry.quantized = quantize(entry.session)
        except QuantizeError as exc:
            return jsonify(errors=[{"path": "", "message": f"quantize: {exc}"}]), 422
        return jsonify({**figures(entry.quantized), "epoch": entry.session.epoch})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
