"""Files a person brings: `POST /api/uploads/points` reads a CSV (the request body, plain
text) into hand-placed points (engine.data.csvfiles) for the page to put in its spec. Nothing
is stored: the points travel in the spec, so saved experiments and links carry them.

Query arguments x1, x2 and label choose the columns (defaults: the first two numeric columns
and the last other one). Refusals are 400 (413 past the byte cap) with
{"errors": [{path, message}]}, the path naming the row and column or the argument.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from engine.data.csvfiles import (MAX_CSV_BYTES, MAX_CSV_COLUMNS, MAX_CSV_ROWS, CsvError,
                                  points_from_csv)
from server.errors import SlowDown
from server.owners import address, owner_id

bp = Blueprint("uploads", __name__)
COLUMN_ARGS = ("x1", "x2", "label")
MAX_COLUMN_NAME = 200


def _refuse(status: int, path: str, message: str):
    return jsonify(errors=[{"path": path, "message": f"{path}: {message}"}]), status


@bp.post("/api/uploads/points")
def upload_points():
    try:
        current_app.extensions["limits"].take("upload", browser=owner_id(), address=address())
    except SlowDown as exc:
        return jsonify(errors=exc.errors), 429
    if (request.content_length or 0) > MAX_CSV_BYTES:
        return _refuse(413, "file", f"{request.content_length:,} bytes is above the maximum "
                                    f"{MAX_CSV_BYTES:,}")
    unknown = sorted(set(request.args) - set(COLUMN_ARGS))
    if unknown:
        return _refuse(400, unknown[0][:MAX_COLUMN_NAME], f"unknown argument (allowed: "
                                                          f"{', '.join(COLUMN_ARGS)})")
    chosen = {k: request.args.get(k, "")[:MAX_COLUMN_NAME] or None for k in COLUMN_ARGS}
    try:
        return jsonify(points_from_csv(request.get_data(cache=False), **chosen))
    except CsvError as exc:
        return _refuse(400, exc.where, str(exc).removeprefix(f"{exc.where}: "))


def limits() -> dict:
    """The caps the page states beside its file chooser (also in /api/schema)."""
    return {"max_bytes": MAX_CSV_BYTES, "max_rows": MAX_CSV_ROWS,
            "max_columns": MAX_CSV_COLUMNS}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
