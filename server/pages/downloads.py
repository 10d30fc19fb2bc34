"""Export and quantise a live session over HTTP: the page's Export and Quantise actions.

`GET /api/sessions/<id>/export.zip`: the standalone script, weights, ONNX, spec and history
(and the int8 model once quantised); `POST /api/sessions/<id>/quantize`: size and accuracy
before and after. Only the browser that owns the session may.
"""
from __future__ import annotations

import io

from flask import Blueprint, Flask, current_app, jsonify, send_file, session as cookie

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


@bp.get("/api/sessions/<session_id>/export.zip")
def export_zip(session_id: str):
    reply, error = _call(session_id, "export_zip")
    if error:
        return error
    return send_file(io.BytesIO(reply["zip"]), mimetype="application/zip", as_attachment=True,
                     download_name=reply["name"])


@bp.post("/api/sessions/<session_id>/quantize")
def quantize_session(session_id: str):
    reply, error = _call(session_id, "quantize_session")
    return error or jsonify(reply)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
