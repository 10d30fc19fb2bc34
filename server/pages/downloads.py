"""Export and quantise over HTTP: the page's Export and Quantise actions, for a live session and
for a saved experiment (`/e/<id>`).

`GET /api/sessions/<id>/export.zip`: the standalone script, weights, ONNX, spec, history and
requirements (and the int8 model once quantised); `POST /api/sessions/<id>/quantize`: size and
accuracy before and after. Only the browser that owns the session may. The same two under
`/api/experiments/<id>/` work on a saved experiment: its record is restored into a session of
its own here, exported or quantised, and dropped (the record never changes).
"""
from __future__ import annotations

import io

from flask import Blueprint, Flask, current_app, jsonify, send_file, session as cookie

from engine.data.errors import DataUnavailable
from engine.export.files import zip_name, zipped
from engine.export.quantize import figures, quantize
from engine.spec.types import SpecError
from engine.training.session import Session
from server import records, store
from server.errors import errors_of
from server.owners import OWNER_KEY


bp = Blueprint("downloads", __name__)


def _call(session_id: str, op: str):
    """The op's answer, or the HTTP error response: 404 not this browser's, 422 refused."""
    runner = current_app.extensions["runner"]
    reply = runner.call(session_id, cookie.get(OWNER_KEY, ""), op)
    if reply is None:
        return None, (jsonify(errors=[{"path": "session_id",
                                       "message": "session_id: no such session"}]), 404)
    if not reply.pop("ok"):
        return None, (jsonify(errors=reply["errors"]), 422)
    return reply, None


def _zip_response(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=name)


@bp.get("/api/sessions/<session_id>/export.zip")
def export_zip(session_id: str):
    reply, error = _call(session_id, "export_zip")
    if error:
        return error
    return _zip_response(reply["zip"], reply["name"])


@bp.post("/api/sessions/<session_id>/quantize")
def quantize_session(session_id: str):
    reply, error = _call(session_id, "quantize_session")
    return error or jsonify(reply)


def _saved(exp_id: str):
    """A saved experiment restored into a CPU session of its own, or the error response."""
    record = store.current().load(exp_id)
    if record is None:
        return None, (jsonify(errors=[{"path": "id", "message": "id: no such experiment"}]), 404)
    try:
        session = Session(records.saved_spec(record), "cpu", current_app.config["DATA_DIR"])
        records.restore(session, record)
    except (SpecError, DataUnavailable, ValueError) as exc:
        errors = errors_of(exc) or [{"path": "", "message": str(exc)}]
        return None, (jsonify(errors=errors), 422)
    return session, None


def _refused(exc: Exception):
    errors = errors_of(exc)
    if errors is None:
        raise exc
    return jsonify(errors=errors), 422


@bp.get("/api/experiments/<exp_id>/export.zip")
def export_saved(exp_id: str):
    session, error = _saved(exp_id)
    if error:
        return error
    try:
        return _zip_response(zipped(session), zip_name(session))
    except Exception as exc:            # an export the engine refuses: named, never a 500
        return _refused(exc)


@bp.post("/api/experiments/<exp_id>/quantize")
def quantize_saved(exp_id: str):
    session, error = _saved(exp_id)
    if error:
        return error
    try:
        return jsonify({**figures(quantize(session)), "epoch": session.epoch})
    except Exception as exc:
        return _refused(exc)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
